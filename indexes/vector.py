"""Dense vectors in FAISS, keyed by the catalog's chunk ids; the index type is chosen by size.

Three types, all over inner product (vectors are L2-normalised, so that is cosine):

- ``flat``: ``IndexIDMap2(IndexFlatIP)``, exact. A single query reads every vector, so its
  latency grows with the corpus: on 2 busy cores, one thread, p50 1 ms at 10k vectors,
  1.8 ms at 20k, 31 ms at 50k, 61 ms at 100k (``python -m bench.index_types``). ``auto``
  keeps it up to ``vector_flat_max`` = 20k, the last size measured inside a few-ms budget.
- ``hnsw``: ``IndexIDMap2(IndexHNSWFlat)``, a graph over the full vectors: on a quiet
  machine p50 0.27 ms and recall@10 1.0 at 100k, 0.26 ms and 0.97 at 1M (efSearch 128), at
  flat's memory plus the graph (1.8 KB a vector instead of 1.5), and a slow build (11 s for
  100k, 108 s for 1M; several times longer on busy cores). What ``auto`` picks above 20k.
- ``ivfpq``: ``IndexIVFPQ`` with ids, 48-byte product-quantised codes (95 bytes a vector on
  disk with ids and the direct map): for corpora whose vectors no longer fit in memory, at a
  much lower recall (0.48 at 100k with nprobe 32). Opt-in only.

One code path for CPU and GPU: when faiss was built with GPU support and a device is present,
searches run on the GPU copy (HNSW has no GPU version and stays on the CPU); the file on disk
is always the CPU index, and ``load`` reads any of the three.

The type follows the size at write time: ``fitted()`` (called by the refresh before each
write) rebuilds the index as the type that ``VectorConfig.kind_for`` wants for its current
size, so an index that grows past the threshold is converted once, on the next refresh.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

import faiss
import numpy as np
import numpy.typing as npt

from copilot.config import Settings
from copilot.errors import ConfigError

log = logging.getLogger(__name__)
_faiss: Any = faiss  # the parts faiss's type stubs leave out (DirectMap)

IndexKind = Literal["flat", "hnsw", "ivfpq"]
IndexChoice = Literal["auto", "flat", "hnsw", "ivfpq"]

# HNSW graph degree and build effort: M=32 is faiss's usual choice for 384-dimensional text
# embeddings. efConstruction 40 was as good as 80 at 20k vectors, but at 1M clustered vectors
# (bench/index_types.py) its graph capped recall@10 at 0.91 however hard it was searched;
# with 80 the build took 1.5x as long (72 s -> 108 s) and recall rose to 0.97 at efSearch
# 128, 0.99 at 256. A nightly build can afford the difference; a missed chunk cannot be found.
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
# HNSW cannot delete graph nodes: a removed node keeps its place in the graph (routing still
# uses it) with the id DEAD, and searches skip DEAD ids. Once this share of the nodes is
# dead, the next removal rebuilds the graph from the live vectors.
DEAD = -1
HNSW_MAX_DEAD = 0.2
# Product quantiser: 48 sub-vectors of 8 bits (8 dimensions each at 384): 48 bytes a vector.
PQ_BITS = 8
PQ_DIMS_PER_CODE = 8
# k-means wants ~39 points per centroid; the PQ's 256 centroids per sub-vector need at least
# 256 training vectors, and fewer than this many vectors stay flat even when ivfpq is asked.
IVF_MIN_TRAIN = 1024
IVF_TRAIN_SAMPLE = 64  # training points per inverted list (faiss warns below 39)


class VectorIndexError(ConfigError):
    """The vector index settings are unusable (an unknown type, a non-positive parameter)."""


@dataclass(frozen=True)
class VectorConfig:
    """Which index type to build and how hard to search it (``COPILOT_VECTOR_*``)."""

    kind: IndexChoice = "auto"
    flat_max: int = 20_000
    hnsw_ef_search: int = 128
    ivf_nprobe: int = 32
    search_threads: int = 1

    def __post_init__(self) -> None:
        if self.kind not in get_args(IndexChoice):
            raise VectorIndexError(
                f"unknown vector index type {self.kind!r}: set COPILOT_VECTOR_INDEX to one of "
                f"{', '.join(get_args(IndexChoice))}"
            )
        for name in ("flat_max", "hnsw_ef_search", "ivf_nprobe"):
            if getattr(self, name) < 1:
                raise VectorIndexError(f"COPILOT_VECTOR_{name.upper()} must be at least 1")
        if self.search_threads < 0:
            raise VectorIndexError("COPILOT_VECTOR_SEARCH_THREADS must be 0 (faiss's) or more")

    @classmethod
    def from_settings(cls, settings: Settings) -> VectorConfig:
        return cls(
            kind=settings.vector_index,
            flat_max=settings.vector_flat_max,
            hnsw_ef_search=settings.vector_hnsw_ef_search,
            ivf_nprobe=settings.vector_ivf_nprobe,
            search_threads=settings.vector_search_threads,
        )

    def kind_for(self, size: int) -> IndexKind:
        """The type an index of ``size`` vectors should be.

        ``auto``: flat up to ``flat_max`` (exact, and fast enough there), HNSW above. ivfpq
        needs ``IVF_MIN_TRAIN`` vectors to train on; a smaller index stays flat meanwhile.
        """
        if self.kind == "auto":
            return "flat" if size <= self.flat_max else "hnsw"
        if self.kind == "ivfpq" and size < IVF_MIN_TRAIN:
            return "flat"
        return self.kind


@contextmanager
def _omp_threads(count: int) -> Iterator[None]:
    """Run FAISS on ``count`` OpenMP threads in this thread (0: leave faiss's setting alone).

    One query scans one vector list: splitting it over two cores that are busy with other
    work (the embedded model, a refresh) makes every query wait for the slower thread. On 2
    busy cores a flat search over 50k vectors took p50 104 ms on two threads and 31 ms on
    one (``bench.index_types --sizes 50k --types flat [--search-threads 0]``). OpenMP keeps
    the count per calling thread, so this does not slow a refresh building in another.
    """
    if count <= 0:
        yield
        return
    previous = faiss.omp_get_max_threads()
    if previous == count:
        yield
        return
    faiss.omp_set_num_threads(count)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(previous)


def _gpu_count() -> int:
    get = getattr(faiss, "get_num_gpus", None)
    return int(get()) if callable(get) else 0


def kind_of(index: Any) -> IndexKind:
    """The type of a FAISS index built by this module (also one read back from disk)."""
    inner = faiss.downcast_index(index.index) if hasattr(index, "id_map") else index
    if isinstance(inner, faiss.IndexHNSW):
        return "hnsw"
    if isinstance(inner, faiss.IndexIVF):
        return "ivfpq"
    if isinstance(inner, faiss.IndexFlat):
        return "flat"
    raise VectorIndexError(f"unsupported FAISS index {type(inner).__name__} in the index file")


def build(
    kind: IndexKind, dim: int, ids: npt.NDArray[np.int64], vectors: npt.NDArray[np.float32]
) -> Any:
    """A new FAISS index of ``kind`` holding ``vectors`` under ``ids``."""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    ids = np.ascontiguousarray(ids, dtype=np.int64)
    if kind == "ivfpq":
        index = _trained_ivfpq(dim, vectors)
    elif kind == "hnsw":
        graph = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        graph.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        index = faiss.IndexIDMap2(graph)
    else:
        index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
    if len(ids):
        index.add_with_ids(vectors, ids)
    return index


def _trained_ivfpq(dim: int, vectors: npt.NDArray[np.float32]) -> Any:
    """IVF-PQ trained on a sample of the vectors it is built with.

    ~4·sqrt(n) lists (the usual rule) but at most n/39 so k-means has its points; the
    direct map is a hash table, because an array map can neither remove ids nor hold the
    catalog's sparse keys, and ``reconstruct`` (``similarity()``) needs one.
    """
    if len(vectors) < IVF_MIN_TRAIN:
        raise ValueError(f"ivfpq needs {IVF_MIN_TRAIN} vectors to train, got {len(vectors)}")
    if dim % PQ_DIMS_PER_CODE:
        raise VectorIndexError(f"ivfpq needs a dimension divisible by {PQ_DIMS_PER_CODE}")
    nlist = max(1, min(int(4 * math.sqrt(len(vectors))), len(vectors) // 39))
    index = faiss.IndexIVFPQ(
        faiss.IndexFlatIP(dim),
        dim,
        nlist,
        dim // PQ_DIMS_PER_CODE,
        PQ_BITS,
        faiss.METRIC_INNER_PRODUCT,
    )
    sample_size = min(len(vectors), max(IVF_TRAIN_SAMPLE * nlist, 256 * 39))
    rng = np.random.default_rng(0)
    sample = vectors[np.sort(rng.choice(len(vectors), sample_size, replace=False))]
    index.train(sample)
    index.set_direct_map_type(_faiss.DirectMap.Hashtable)
    return index


def id_map(index: Any) -> npt.NDArray[np.int64]:
    """A writable view of an ``IndexIDMap2``'s external ids, in the inner index's order."""
    size = int(index.id_map.size())
    if not size:
        return np.zeros(0, dtype=np.int64)
    return faiss.rev_swig_ptr(index.id_map.data(), size)


def contents(index: Any) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
    """Every live (id, vector) the index holds; exact for flat and HNSW, decoded for ivfpq."""
    if hasattr(index, "id_map"):
        ids = id_map(index).copy()
        vectors = index.index.reconstruct_n(0, index.ntotal) if len(ids) else None
        if vectors is not None:
            live = ids != DEAD
            ids, vectors = ids[live], vectors[live]
    else:
        ivf = faiss.extract_index_ivf(index)
        lists: Any = ivf.invlists
        parts = [
            faiss.rev_swig_ptr(lists.get_ids(n), lists.list_size(n)).copy()
            for n in range(ivf.nlist)
            if lists.list_size(n)
        ]
        ids = np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, np.int64)
        vectors = index.reconstruct_batch(ids) if len(ids) else None
    if vectors is None:
        vectors = np.zeros((0, index.d), dtype=np.float32)
    return ids, np.asarray(vectors, dtype=np.float32)


class VectorIndex:
    def __init__(self, index: Any, dim: int, config: VectorConfig | None = None) -> None:
        self._index = index
        self.dim = dim
        self.config = config or VectorConfig()
        self._gpu: Any = None
        self._kind = kind_of(index)
        self._dead = int(np.count_nonzero(id_map(index) == DEAD)) if self._kind == "hnsw" else 0
        # Every id but DEAD; the batch is kept too, as the Not selector only points at it.
        self._dead_ids: Any = faiss.IDSelectorBatch(np.asarray([DEAD], dtype=np.int64))
        self._live: Any = faiss.IDSelectorNot(self._dead_ids)
        self._apply_search_params()

    @classmethod
    def empty(cls, dim: int, config: VectorConfig | None = None) -> VectorIndex:
        """An empty flat index: nothing to train yet; ``fitted()`` picks the type later."""
        nothing = np.zeros((0, dim), dtype=np.float32)
        return cls(build("flat", dim, np.zeros(0, dtype=np.int64), nothing), dim, config)

    @classmethod
    def load(cls, path: Path, config: VectorConfig | None = None) -> VectorIndex:
        """Any of the three types; the search parameters come from ``config``, not the file."""
        index = faiss.read_index(str(path))
        return cls(index, int(index.d), config)

    def save(self, path: Path) -> None:
        faiss.write_index(self._index, str(path))

    @property
    def kind(self) -> IndexKind:
        return self._kind

    @property
    def dead(self) -> int:
        """Removed HNSW nodes still in the graph (see ``remove_ids``); 0 for other types."""
        return self._dead

    def __len__(self) -> int:
        return int(self._index.ntotal) - self._dead

    def fitted(self) -> VectorIndex:
        """This index as the type its size calls for: itself, or a rebuild from its vectors.

        A rebuild from ivfpq decodes the codes, so its vectors are approximate; a full
        re-ingest restores exact ones.
        """
        wanted = self.config.kind_for(len(self))
        if wanted == self.kind:
            return self
        log.info("vector index: %s -> %s at %d vectors", self.kind, wanted, len(self))
        ids, vectors = contents(self._index)
        return VectorIndex(build(wanted, self.dim, ids, vectors), self.dim, self.config)

    def add(self, ids: npt.NDArray[np.int64], vectors: npt.NDArray[np.float32]) -> None:
        if len(ids) != len(vectors):
            raise ValueError(f"{len(ids)} ids for {len(vectors)} vectors")
        if len(ids):
            vectors = np.ascontiguousarray(vectors, dtype=np.float32)
            self._index.add_with_ids(vectors, np.asarray(ids, dtype=np.int64))
            self._gpu = None

    def remove_ids(self, ids: npt.NDArray[np.int64]) -> int:
        """Remove ``ids``; the number actually removed.

        Flat and IVF (hash-table direct map) delete in place. FAISS's HNSW cannot delete
        graph nodes, and rebuilding the graph on every refresh that edits one document costs
        the whole build (50k vectors: 90 s on 2 busy cores, bench/index_types.py), which
        grows past the nightly window at a million. So a removed HNSW node is a tombstone:
        its id becomes ``DEAD`` in the ``IndexIDMap2`` (saved in the same file, no second
        file to keep in step), searches skip it through an ``IDSelector``, and the graph is
        rebuilt from the live vectors (exact: ``IndexHNSWFlat`` keeps them) only once
        ``HNSW_MAX_DEAD`` of the nodes are dead, so rebuilds are amortised over many runs.
        """
        wanted = np.asarray([i for i in np.asarray(ids).tolist() if i != DEAD], dtype=np.int64)
        if not len(wanted):
            return 0
        if self._kind == "hnsw":
            removed = self._tombstone(wanted)
        else:
            removed = int(self._index.remove_ids(wanted))
        self._gpu = None
        return removed

    def _tombstone(self, ids: npt.NDArray[np.int64]) -> int:
        held = id_map(self._index)
        hit = np.isin(held, ids)
        removed = int(hit.sum())
        if removed:
            held[hit] = DEAD
            self._index.construct_rev_map()  # reconstruct(id) must fail for removed ids
            self._dead += removed
        if self._dead > HNSW_MAX_DEAD * self._index.ntotal:
            log.info("rebuilding the HNSW graph without %d removed vectors", self._dead)
            live_ids, vectors = contents(self._index)
            self._index = build("hnsw", self.dim, live_ids, vectors)
            self._dead = 0
            self._apply_search_params()
        return removed

    def search(self, query: npt.NDArray[np.float32], k: int) -> list[tuple[int, float]]:
        """Nearest ids by cosine (vectors are normalised), best first."""
        if len(self) == 0 or k <= 0:
            return []
        vector = query.reshape(1, -1).astype(np.float32)
        with _omp_threads(self.config.search_threads):
            if self._dead:
                scores, ids = self._searcher().search(vector, k, params=self._skip_dead())
            else:
                scores, ids = self._searcher().search(vector, k)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i != -1]

    def similarity(self, query: npt.NDArray[np.float32], ids: list[int]) -> dict[int, float]:
        """Cosine of the query with stored vectors (for hits that came from keywords only).

        On ivfpq the stored vector is decoded from its PQ code, so the cosine is approximate
        (off by a few hundredths); it only ranks keyword-only hits and gates relevance, where
        that is acceptable.
        """
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

    def _skip_dead(self) -> Any:
        """HNSW search parameters that pass over tombstones (``remove_ids``)."""
        params = _faiss.SearchParametersHNSW()
        params.efSearch = self.config.hnsw_ef_search
        params.sel = self._live
        return params

    def _apply_search_params(self) -> None:
        """Search effort is a setting, not part of the file: set it on every index we hold."""
        if self._kind == "hnsw":
            graph: Any = faiss.downcast_index(self._index.index)
            graph.hnsw.efSearch = self.config.hnsw_ef_search
        elif self._kind == "ivfpq":
            self._index.nprobe = self.config.ivf_nprobe

    def _searcher(self) -> Any:
        if _gpu_count() == 0 or self._kind == "hnsw":
            return self._index
        if self._gpu is None:
            log.info("searching on the GPU")
            self._gpu = faiss.index_cpu_to_all_gpus(self._index)
        return self._gpu
