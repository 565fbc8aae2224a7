"""The benchmarks run end to end at tiny sizes: their tables have the promised columns and the
exact index agrees with itself. Never asserts on time: timings depend on the machine."""

from pathlib import Path

import pytest

from bench import index_types, retrieval
from bench.__main__ import main as bench_main
from copilot.config import Settings
from indexes.embeddings import SentenceTransformerEmbedder

INDEX_COLUMNS = {"vectors", "type", "build_s", "file_mb", "rss_delta_mb", "p50_ms", "p95_ms"}
RETRIEVAL_COLUMNS = {"chunks", "index", "total_p50_ms", "embed_p95_ms", "disk_mb_per_1m_chunks"}


def test_index_types_table_has_every_type_and_flat_is_exact() -> None:
    rows = index_types.run([1200], ("flat", "hnsw"), queries=20)
    assert [r["type"] for r in rows] == ["flat", "hnsw"]
    assert all(set(r) >= INDEX_COLUMNS for r in rows)
    flat, hnsw = rows
    assert flat["recall_at_10"] == 1.0
    assert 0.5 <= hnsw["recall_at_10"] <= 1.0
    assert flat["bytes_per_vector"] >= 384 * 4  # full float32 vectors are stored


def test_ef_search_sweep_shares_one_hnsw_build_and_buys_recall() -> None:
    rows = index_types.run([3000], ("flat", "hnsw"), queries=30, ef_sweep=(10, 400))
    assert [(r["type"], r["ef_search"]) for r in rows] == [
        ("flat", None),
        ("hnsw", 10),
        ("hnsw", 400),
    ]
    narrow, wide = rows[1:]
    assert narrow["build_s"] == wide["build_s"]  # one build, searched twice
    assert wide["recall_at_10"] >= narrow["recall_at_10"]
    assert wide["recall_at_10"] >= 0.95


def test_ef_search_values_must_be_positive() -> None:
    assert index_types.ef_values("64, 128") == (64, 128)
    with pytest.raises(ValueError, match="positive"):
        index_types.ef_values("0")


def test_retrieval_runs_through_the_real_retriever(
    embedder: SentenceTransformerEmbedder,
) -> None:
    settings = Settings(vector_flat_max=1000)  # 2000 chunks: past the threshold, so HNSW
    row = retrieval.measure(2000, embedder, settings, queries=8)
    assert set(row) >= RETRIEVAL_COLUMNS
    assert row["chunks"] == 2000 and row["index"] == "hnsw"
    assert row["hits_per_question"] == settings.retrieval_k  # the access filter left enough
    stages = ("embed", "dense", "keyword", "catalog")
    assert all(row[f"{s}_p50_ms"] > 0 for s in stages)  # every stage was reached and timed
    assert row["vector_mb"] > 0 and row["keyword_mb"] > 0 and row["catalog_mb"] > 0


def test_synthetic_chunks_give_bm25_work_and_respect_access() -> None:
    words = retrieval.vocabulary(500)
    texts = retrieval.texts(80, words, seed=1)
    assert len(set(texts)) == 80 and "INC-2026-00000" in texts[0]
    docs = retrieval.documents(texts, range(100, 180))
    assert sum(len(chunks) for _, chunks in docs) == 80
    visible = [d.access.allows(retrieval.USER) for d, _ in docs]
    assert any(visible) and not all(visible)


def test_python_m_bench_writes_one_json_per_bench(tmp_path: Path) -> None:
    results = bench_main(["--only", "index_types", "--sizes", "1200", "--out", str(tmp_path)])
    assert list(results) == ["index_types"]
    assert (tmp_path / "index_types.json").read_text().startswith("[")
