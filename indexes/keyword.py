"""Keyword search: Okapi BM25 over a sparse term matrix, so exact names and error codes match.

Dense embeddings blur identifiers like ``INC-2026-014`` or ``ERR_4012``; BM25 catches them.
The index is rebuilt from the catalog's chunk texts at each refresh (IDF changes with the
corpus anyway) and stored as a compressed sparse matrix beside the FAISS file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
from scipy import sparse

_TOKEN = re.compile(r"[a-z0-9]+(?:[-_.][a-z0-9]+)*")
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "do",
        "does",
        "for",
        "from",
        "has",
        "have",
        "how",
        "i",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "our",
        "that",
        "the",
        "their",
        "this",
        "to",
        "was",
        "we",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "will",
        "with",
        "you",
        "your",
        "can",
    ]
)


def tokenize(text: str) -> list[str]:
    """Lowercased words; hyphenated ids are kept whole *and* split, so both spellings match."""
    tokens: list[str] = []
    for match in _TOKEN.findall(text.lower()):
        parts = re.split(r"[-_.]", match)
        if len(parts) > 1:
            tokens.append(match)
        tokens.extend(p for p in parts if p and p not in _STOPWORDS)
    return tokens


class KeywordIndex:
    def __init__(
        self, weights: sparse.csc_matrix, vocab: dict[str, int], ids: npt.NDArray[np.int64]
    ) -> None:
        self._weights = weights  # (documents x terms), BM25 term weights
        self._vocab = vocab
        self._ids = ids

    @classmethod
    def build(
        cls, ids: Sequence[int], texts: Sequence[str], k1: float = 1.2, b: float = 0.75
    ) -> KeywordIndex:
        vocab: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        counts: list[int] = []
        lengths = np.zeros(len(texts), dtype=np.float32)
        for row, text in enumerate(texts):
            tokens = tokenize(text)
            lengths[row] = len(tokens)
            for term, count in _count(tokens).items():
                rows.append(row)
                cols.append(vocab.setdefault(term, len(vocab)))
                counts.append(count)
        tf = sparse.csr_matrix(
            (np.asarray(counts, dtype=np.float32), (rows, cols)),
            shape=(len(texts), max(len(vocab), 1)),
        )
        df = np.bincount(np.asarray(cols, dtype=np.int64), minlength=tf.shape[1])
        idf = np.log1p((len(texts) - df + 0.5) / (df + 0.5)).astype(np.float32)
        norm = k1 * (1 - b + b * lengths / max(float(lengths.mean()) if len(texts) else 1.0, 1.0))
        tf = tf.tocoo()
        data = tf.data * (k1 + 1) / (tf.data + norm[tf.row]) * idf[tf.col]
        weights = sparse.csc_matrix((data, (tf.row, tf.col)), shape=tf.shape, dtype=np.float32)
        return cls(weights, vocab, np.asarray(ids, dtype=np.int64))

    def search(self, query: str, k: int) -> list[tuple[int, float]]:
        columns = sorted({self._vocab[t] for t in tokenize(query) if t in self._vocab})
        if not columns or k <= 0:
            return []
        scores = np.asarray(self._weights[:, columns].sum(axis=1)).ravel()
        top = np.argpartition(-scores, min(k, len(scores) - 1))[:k]
        ranked = sorted(top, key=lambda i: -scores[i])
        return [(int(self._ids[i]), float(scores[i])) for i in ranked if scores[i] > 0]

    def save(self, folder: Path) -> None:
        sparse.save_npz(folder / "bm25.npz", self._weights)
        np.save(folder / "bm25_ids.npy", self._ids)
        (folder / "bm25_vocab.json").write_text(json.dumps(self._vocab), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> KeywordIndex:
        weights = sparse.load_npz(folder / "bm25.npz").tocsc()
        vocab = json.loads((folder / "bm25_vocab.json").read_text(encoding="utf-8"))
        return cls(weights, vocab, np.load(folder / "bm25_ids.npy"))


def _count(tokens: list[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for token in tokens:
        counts[token] = counts.get(token, 0) + 1
    return counts
