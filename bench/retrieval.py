"""Retrieval latency through the real ``Retriever`` at 10k / 100k (/ 1M) synthetic chunks.

    python -m bench.retrieval                            # 10k and 100k chunks
    python -m bench.retrieval --sizes 1m                 # opt-in: builds for well over 10 minutes

Everything but the chunk vectors is real: the catalog (SQLite, rows written by
``Catalog.commit_version``), the BM25 ``KeywordIndex`` built from the chunk texts, the FAISS
index of the type ``COPILOT_VECTOR_INDEX`` chooses for the size (built flat, then
``fitted()`` as the refresh does), the files written and read back by ``IndexStore``, and
each question embedded by the project's MiniLM embedder (one thread, as in production).
Embedding a million chunks on two CPU cores would take hours, so chunk vectors come from
``bench.index_types.clustered``; chunk texts are drawn from a Zipf-distributed vocabulary
(plus ticket ids) so BM25 does real work. A fifth of the chunks are visible to one group
only, so the access filter drops some candidates, as it does on a real workspace.

Stages (per question, ms): ``embed`` (the question's vector), ``dense`` (FAISS search and
keyword-only cosines), ``keyword`` (BM25), ``catalog`` (chunk rows and access), and
``total`` (``Retriever.search`` end to end, so a little more than the sum).
"""

from __future__ import annotations

import gc
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import numpy as np

from bench.common import percentile_ms, print_table, rss_bytes, sized_parser, write_rows
from bench.index_types import centres, clustered
from copilot.arguments import output_file
from copilot.config import Settings
from copilot.types import Access, Chunk, Document, Principal, Section
from indexes.catalog import Catalog, StoredChunk
from indexes.chunking import indexed_text
from indexes.embeddings import Embedder, SentenceTransformerEmbedder
from indexes.keyword import KeywordIndex
from indexes.retriever import Retriever
from indexes.store import IndexStore
from indexes.vector import VectorConfig, VectorIndex

CHUNKS_PER_DOC = 8
WORDS_PER_CHUNK = 120
VOCABULARY = 30_000
SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ne",
    "ru",
    "sa",
    "to",
    "vi",
    "de",
    "po",
    "ar",
    "en",
    "is",
    "ul",
    "bo",
    "fe",
    "gu",
    "ha",
    "jo",
    "we",
]
USER = Principal.user("bench@example.com", frozenset({"eng"}))


def vocabulary(size: int, seed: int = 0) -> list[str]:
    """Pseudo-words of 2-4 syllables, distinct, in a fixed order (rank 0 = most common)."""
    rng = np.random.default_rng(seed)
    words: dict[str, None] = {}
    while len(words) < size:
        lengths = rng.integers(2, 5, size)
        syllables = rng.integers(0, len(SYLLABLES), (size, 4))
        for length, row in zip(lengths.tolist(), syllables.tolist(), strict=True):
            words["".join(SYLLABLES[p] for p in row[:length])] = None
    return list(words)[:size]


def zipf_words(rng: np.random.Generator, words: Sequence[str], shape: tuple[int, ...]) -> Any:
    """Word ranks drawn by Zipf's law (s ~ 1.1, like English text), clipped to the list."""
    ranks = np.minimum(rng.zipf(1.1, size=shape) - 1, len(words) - 1)
    return np.asarray(words, dtype=object)[ranks]


def texts(n: int, words: Sequence[str], seed: int) -> list[str]:
    """``n`` chunk texts; one in 20 mentions a ticket id, the kind of term BM25 is for."""
    rng = np.random.default_rng(seed)
    out: list[str] = []
    for start in range(0, n, 50_000):
        block = zipf_words(rng, words, (min(50_000, n - start), WORDS_PER_CHUNK))
        for row, line in enumerate(block):
            text = " ".join(line)
            if (start + row) % 20 == 0:
                text += f" INC-2026-{(start + row) // 20:05d}"
            out.append(text)
    return out


def questions(count: int, words: Sequence[str], seed: int) -> list[str]:
    """Distinct questions of 4-7 words (so the embedder's cache never answers for it)."""
    rng = np.random.default_rng(seed)
    asked: dict[str, None] = {}
    while len(asked) < count:
        picked = zipf_words(rng, words[20:], (int(rng.integers(4, 8)),))  # skip stopword-like
        asked["how do we " + " ".join(picked) + "?"] = None
    return list(asked)


def _access(doc: int) -> Access:
    return (
        Access(groups=frozenset({"eng" if doc % 10 == 1 else "hr"}))
        if doc % 5 == 1
        else Access.public()
    )


def documents(texts_: Sequence[str], keys: range) -> list[tuple[Document, list[StoredChunk]]]:
    """Catalog rows: one document per ``CHUNKS_PER_DOC`` chunks, access by document."""
    now = datetime(2026, 1, 1, tzinfo=UTC)
    out = []
    for start in range(0, len(texts_), CHUNKS_PER_DOC):
        n = start // CHUNKS_PER_DOC
        doc_id, url, access = f"docs:bench/{n}.md", f"file:///bench/{n}.md", _access(n)
        doc = Document(
            doc_id,
            "bench",
            "doc",
            f"Doc {n}",
            url,
            (Section("", url),),
            now,
            access,
            content_hash=str(n),
        )
        chunks = [
            StoredChunk(
                keys[i],
                Chunk(f"{doc_id}#{i - start}", doc_id, "doc", f"Doc {n}", texts_[i], url, access),
            )
            for i in range(start, min(start + CHUNKS_PER_DOC, len(texts_)))
        ]
        out.append((doc, chunks))
    return out


@dataclass
class Stages:
    """Seconds spent per stage during the current question."""

    spent: dict[str, list[float]] = field(default_factory=dict)
    current: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def timing(self, stage: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.current[stage] = self.current.get(stage, 0.0) + time.perf_counter() - started

    def close_question(self) -> None:
        for stage, seconds in self.current.items():
            self.spent.setdefault(stage, []).append(seconds)
        self.current = {}


class _Timed:
    """A stand-in for one of the retriever's parts that times the calls it forwards."""

    def __init__(self, inner: Any, stage: str, stages: Stages, methods: set[str]) -> None:
        self._inner, self._stage, self._stages, self._methods = inner, stage, stages, methods

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._inner, name)
        if name not in self._methods:
            return value

        def timed(*args: Any, **kwargs: Any) -> Any:
            with self._stages.timing(self._stage):
                return value(*args, **kwargs)

        return timed

    def __len__(self) -> int:
        return len(self._inner)


def build(n: int, folder: Path, settings: Settings, dim: int, seed: int = 0) -> dict[str, Any]:
    """Catalog, keyword and vector files for ``n`` chunks under ``folder``; build timings."""
    words = vocabulary(VOCABULARY, seed)
    started = time.perf_counter()
    chunk_texts = texts(n, words, seed + 1)
    catalog = Catalog(f"sqlite:///{folder / 'catalog.sqlite'}")
    keys = catalog.reserve_keys(n)
    rows = documents(chunk_texts, keys)
    generated = time.perf_counter()
    catalog.commit_version(1, rows, [])
    catalog_s = time.perf_counter() - generated
    started_kw = time.perf_counter()
    keywords = KeywordIndex.build(list(keys), [indexed_text(c.chunk) for _, cs in rows for c in cs])
    keyword_s = time.perf_counter() - started_kw
    del rows, chunk_texts
    store = IndexStore(folder, VectorConfig.from_settings(settings))
    started_vec = time.perf_counter()
    vectors = VectorIndex.empty(dim, store.vector_config)
    synthetic = clustered(n, centres(dim=dim, seed=seed), seed + 2)
    vectors.add(np.asarray(keys, dtype=np.int64), synthetic)
    vectors = vectors.fitted()
    vector_s = time.perf_counter() - started_vec
    store.write(1, vectors, keywords)
    catalog.engine.dispose()
    return {
        "build_catalog_s": round(catalog_s, 1),
        "build_keyword_s": round(keyword_s, 1),
        "build_vector_s": round(vector_s, 1),
        "build_total_s": round(time.perf_counter() - started, 1),
    }


def _disk_mb(folder: Path) -> dict[str, float]:
    index = folder / "index" / "v000001"
    vector = (index / "vectors.faiss").stat().st_size
    keyword = sum(p.stat().st_size for p in index.glob("bm25*"))
    catalog = (folder / "catalog.sqlite").stat().st_size
    return {
        "vector_mb": vector / 2**20,
        "keyword_mb": keyword / 2**20,
        "catalog_mb": catalog / 2**20,
    }


def measure(
    n: int, embedder: Embedder, settings: Settings, queries: int = 200, seed: int = 0
) -> dict[str, Any]:
    """Build ``n`` chunks in a scratch folder, load them as ``copilot ask`` would, and time
    ``queries`` distinct questions through ``Retriever.search``."""
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        built = build(n, folder, settings, embedder.dim, seed)
        gc.collect()
        before = rss_bytes()
        catalog = Catalog(f"sqlite:///{folder / 'catalog.sqlite'}")
        vectors, keywords = IndexStore(folder, VectorConfig.from_settings(settings)).load(1)
        loaded_rss = rss_bytes() - before
        stages = Stages()
        retriever = Retriever(
            cast(Catalog, _Timed(catalog, "catalog", stages, {"chunks"})),
            cast(VectorIndex, _Timed(vectors, "dense", stages, {"search", "similarity"})),
            cast(KeywordIndex, _Timed(keywords, "keyword", stages, {"search"})),
            cast(Embedder, _Timed(embedder, "embed", stages, {"embed_query"})),
            settings,
        )
        # New questions at every size: the embedder caches the ones it has seen.
        asked = questions(queries + 5, vocabulary(VOCABULARY, seed), seed + 3 + n)
        found = 0
        for question in asked[:5]:  # warm-up: first calls load code paths and pages
            retriever.search(question, USER)
        stages.spent.clear()
        for question in asked[5:]:
            with stages.timing("total"):
                found += len(retriever.search(question, USER))
            stages.close_question()
        disk = _disk_mb(folder)
        catalog.engine.dispose()
    row: dict[str, Any] = {"chunks": n, "index": vectors.kind}
    for stage in ("embed", "dense", "keyword", "catalog", "total"):
        row[f"{stage}_p50_ms"] = percentile_ms(stages.spent.get(stage, []), 50)
        row[f"{stage}_p95_ms"] = percentile_ms(stages.spent.get(stage, []), 95)
    per_million = 1e6 / n
    row.update({k: round(v, 1) for k, v in disk.items()})
    row["disk_mb_per_1m_chunks"] = round(sum(disk.values()) * per_million)
    row["loaded_rss_mb"] = round(loaded_rss / 2**20, 1)
    row["process_rss_mb"] = round(rss_bytes() / 2**20)
    row["hits_per_question"] = round(found / queries, 2)
    row.update(built)
    return row


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    parser = sized_parser(__doc__, "1m: opt-in, over 10 minutes to build")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--out", type=output_file, help="write the rows as JSON here")
    args = parser.parse_args(argv)
    settings = Settings.load()
    embedder = SentenceTransformerEmbedder(settings)
    embedder.embed_query("load the model before timing anything")
    k, vector = settings.retrieval_k, VectorConfig.from_settings(settings)
    print(f"## Retrieval through Retriever.search (k={k}, {args.queries} questions, {vector})\n")
    rows = []
    for n in args.sizes:
        rows.append(measure(n, embedder, settings, args.queries))
        print_table(rows[-1:], header=len(rows) == 1)
    write_rows(args.out, rows)
    return rows


if __name__ == "__main__":
    main()
