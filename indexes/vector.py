"""Dense vectors in FAISS: ``IndexIDMap2`` over inner product, keyed by the catalog's chunk ids.

One code path for CPU and GPU: when faiss was built with GPU support and a device is present,
searches run on the GPU copy; the file on disk is always the CPU index.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import faiss
import numpy as np
import numpy.typing as npt

log = logging.getLogger(__name__)


def _gpu_count() -> int:
    get = getattr(faiss, "get_num_gpus", None)
    return int(get()) if callable(get) else 0


class VectorIndex:
    def __init__(self, index: Any, dim: int) -> None:
        self._index = index
        self.dim = dim
        self._gpu: Any = None

    @classmethod
    def empty(cls, dim: int) -> VectorIndex:
        return cls(faiss.IndexIDMap2(faiss.IndexFlatIP(dim)), dim)

    @classmethod
    def load(cls, path: Path) -> VectorIndex:
        index = faiss.read_index(str(path))
        return cls(index, int(index.d))

    def save(self, path: Path) -> None:
        faiss.write_index(self._index, str(path))

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def add(self, ids: npt.NDArray[np.int64], vectors: npt.NDArray[np.float32]) -> None:
        if len(ids) != len(vectors):
            raise ValueError(f"{len(ids)} ids for {len(vectors)} vectors")
        if len(ids):
            self._index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), ids)
            self._gpu = None

    def remove_ids(self, ids: npt.NDArray[np.int64]) -> int:
        if not len(ids):
            return 0
        removed = int(self._index.remove_ids(np.asarray(ids, dtype=np.int64)))
        self._gpu = None
        return removed

    def search(self, query: npt.NDArray[np.float32], k: int) -> list[tuple[int, float]]:
        """Nearest ids by cosine (vectors are normalised), best first."""
        if len(self) == 0 or k <= 0:
            return []
        scores, ids = self._searcher().search(query.reshape(1, -1).astype(np.float32), k)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i != -1]

    def similarity(self, query: npt.NDArray[np.float32], ids: list[int]) -> dict[int, float]:
        """Cosine of the query with stored vectors (for hits that came from keywords only)."""
        known = [i for i in ids if i >= 0]
        if not known:
            return {}
        try:
            vectors = self._index.reconstruct_batch(np.asarray(known, dtype=np.int64))
        except RuntimeError:  # an id not in the index: score what we can, one by one
            return {i: s for i in known if (s := self._one(query, i)) is not None}
        scores = vectors @ query.astype(np.float32)
        return {i: float(s) for i, s in zip(known, scores, strict=True)}

    def _one(self, query: npt.NDArray[np.float32], key: int) -> float | None:
        try:
            return float(self._index.reconstruct(key) @ query)
        except RuntimeError:
            return None

    def _searcher(self) -> Any:
        if _gpu_count() == 0:
            return self._index
        if self._gpu is None:
            log.info("searching on the GPU")
            self._gpu = faiss.index_cpu_to_all_gpus(self._index)
        return self._gpu
