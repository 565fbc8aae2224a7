from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from indexes.embeddings import SentenceTransformerEmbedder, Vectors
from indexes.keyword import KeywordIndex, tokenize
from indexes.vector import VectorIndex


def test_tokenize_keeps_ids_whole_and_split() -> None:
    tokens = tokenize("Incident INC-2026-014 hit the billing-api")
    assert "inc-2026-014" in tokens and "2026" in tokens and "billing-api" in tokens
    assert "the" not in tokens


def test_bm25_prefers_exact_identifier(tmp_path: Path) -> None:
    texts = [
        "The VPN certificate is renewed every 90 days.",
        "Postmortem for INC-2026-014: the ledger ran out of connections.",
        "Lunch is served at noon on Fridays.",
    ]
    index = KeywordIndex.build([10, 20, 30], texts)
    assert index.search("what happened in INC-2026-014", 3)[0][0] == 20
    assert index.search("vpn certificate", 3)[0][0] == 10
    assert index.search("zebra", 3) == []
    index.save(tmp_path)
    assert KeywordIndex.load(tmp_path).search("vpn", 1)[0][0] == 10


def _unit(rows: list[list[float]]) -> np.ndarray:
    array = np.asarray(rows, dtype=np.float32)
    return array / np.linalg.norm(array, axis=1, keepdims=True)


def test_vector_add_search_remove_save_load(tmp_path: Path) -> None:
    index = VectorIndex.empty(3)
    index.add(np.asarray([5, 7, 9], dtype=np.int64), _unit([[1, 0, 0], [0, 1, 0], [1, 1, 0]]))
    hits = index.search(_unit([[1, 0.1, 0]])[0], 2)
    assert [h[0] for h in hits] == [5, 9]
    assert hits[0][1] > hits[1][1]
    assert index.remove_ids(np.asarray([5], dtype=np.int64)) == 1
    assert [h[0] for h in index.search(_unit([[1, 0, 0]])[0], 3)] == [9, 7]
    index.save(tmp_path / "v.faiss")
    loaded = VectorIndex.load(tmp_path / "v.faiss")
    assert len(loaded) == 2 and loaded.dim == 3


def test_vector_search_on_empty_index() -> None:
    assert VectorIndex.empty(4).search(np.ones(4, dtype=np.float32), 5) == []


def test_query_embedding_runs_on_one_thread_and_restores_the_setting(
    embedder: SentenceTransformerEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On torch, one question is embedded on ``embedding_query_threads`` threads; batches keep
    torch's. (By default questions go to onnxruntime, which is given the thread count.)"""
    import torch

    monkeypatch.setattr(embedder, "_query_runtime", "torch")
    monkeypatch.setattr(embedder, "_onnx", None)  # the cached_property, as "torch" leaves it

    seen: list[int] = []
    real = embedder.embed_texts

    def spy(texts: Sequence[str]) -> Vectors:
        seen.append(torch.get_num_threads())
        return real(texts)

    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        monkeypatch.setattr(embedder, "embed_texts", spy)
        query = embedder.embed_query("which thread count embeds this one question, asked once?")
        assert seen == [1]
        assert torch.get_num_threads() == 2
        batch = real(["which thread count embeds this one question, asked once?"])
        assert np.allclose(batch[0], query, atol=1e-5)  # same vector, whatever the threads
    finally:
        torch.set_num_threads(before)
