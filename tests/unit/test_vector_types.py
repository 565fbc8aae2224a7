"""The vector index types (flat, HNSW, IVF-PQ): neighbours, removals, files, and the size rule.

Synthetic clustered data (a gaussian mixture on the unit sphere), small enough to run in a
few seconds; recall is measured against the exact (flat) answer on the same data.
"""

from pathlib import Path

import faiss
import numpy as np
import numpy.typing as npt
import pytest

from copilot.config import Settings
from copilot.errors import ConfigError
from indexes.store import IndexStore
from indexes.vector import IndexKind, VectorConfig, VectorIndex, VectorIndexError, build

DIM = 32
N = 3000
KINDS: list[IndexKind] = ["flat", "hnsw", "ivfpq"]
# Bounds on recall@10 against flat. HNSW with efSearch=64 on 3k vectors explores far more of
# the graph than it needs: anything below 0.9 is a broken graph or a wrong metric. IVF-PQ
# (4 bytes a vector here) ranks by approximate distances and measures ~0.42; ten random
# picks from the query's own cluster (~100 vectors) would score 0.1, and a wrong metric or
# mixed-up ids scores ~0: 0.3 separates a working quantiser from a broken one.
Ids = npt.NDArray[np.int64]
Vectors = npt.NDArray[np.float32]
Data = tuple[Ids, Vectors, Vectors]
RECALL_BOUND = {"flat": 1.0, "hnsw": 0.9, "ivfpq": 0.3}


def _clustered(n: int, seed: int) -> Vectors:
    rng = np.random.default_rng(seed)
    centres = np.random.default_rng(99).standard_normal((30, DIM)).astype(np.float32)
    points = centres[rng.integers(0, 30, n)] + 0.5 * rng.standard_normal((n, DIM))
    points /= np.linalg.norm(points, axis=1, keepdims=True)
    return points.astype(np.float32)


@pytest.fixture(scope="module")
def data() -> Data:
    ids = np.arange(N, dtype=np.int64) * 3 + 11  # sparse keys, like the catalog's
    return ids, _clustered(N, 1), _clustered(40, 2)


def _exact(ids: Ids, vectors: Vectors, query: Vectors, k: int) -> list[int]:
    return [int(i) for i in ids[np.argsort(-(vectors @ query))[:k]]]


_BUILT: dict[IndexKind, npt.NDArray[np.uint8]] = {}


def _index(kind: IndexKind, ids: Ids, vectors: Vectors) -> VectorIndex:
    """A fresh copy of the ``kind`` index over the module's data (built once, to stay fast)."""
    if kind not in _BUILT:
        _BUILT[kind] = faiss.serialize_index(build(kind, DIM, ids, vectors))
    return VectorIndex(faiss.deserialize_index(_BUILT[kind]), DIM, VectorConfig(kind=kind))


@pytest.mark.parametrize("kind", KINDS)
def test_each_type_finds_the_nearest_neighbours(kind: IndexKind, data: Data) -> None:
    ids, vectors, queries = data
    index = _index(kind, ids, vectors)
    assert index.kind == kind and len(index) == N
    recall = np.mean(
        [
            len({i for i, _ in index.search(q, 10)} & set(_exact(ids, vectors, q, 10))) / 10
            for q in queries
        ]
    )
    assert recall >= RECALL_BOUND[kind]
    hits = index.search(queries[0], 10)
    assert [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)


@pytest.mark.parametrize("kind", KINDS)
def test_remove_ids_works_for_each_type(kind: IndexKind, data: Data) -> None:
    ids, vectors, queries = data
    index = _index(kind, ids, vectors)
    nearest = _exact(ids, vectors, queries[0], 5)
    gone = np.asarray([*nearest, 10**9], dtype=np.int64)  # plus one id it never held
    assert index.remove_ids(gone) == 5
    assert len(index) == N - 5
    found = {i for i, _ in index.search(queries[0], 50)}
    assert found and not found & set(nearest)
    assert index.similarity(queries[0], nearest) == {}  # gone for keyword-only scoring too
    assert index.remove_ids(np.zeros(0, dtype=np.int64)) == 0


@pytest.mark.parametrize("kind", KINDS)
def test_save_load_keeps_type_and_answers(kind: IndexKind, data: Data, tmp_path: Path) -> None:
    ids, vectors, queries = data
    index = _index(kind, ids, vectors)
    index.save(tmp_path / "v.faiss")
    config = VectorConfig(kind=kind, hnsw_ef_search=80, ivf_nprobe=4)
    loaded = VectorIndex.load(tmp_path / "v.faiss", config)
    assert loaded.kind == kind and len(loaded) == N and loaded.dim == DIM
    assert loaded.search(queries[3], 5)[0][0] == index.search(queries[3], 5)[0][0]
    # reconstruct survives the round trip: similarity of a stored vector with itself ~ 1
    own = loaded.similarity(vectors[7], [int(ids[7])])[int(ids[7])]
    assert own == pytest.approx(1.0, abs=1e-5 if kind != "ivfpq" else 0.15)
    loaded.remove_ids(np.asarray([ids[7]], dtype=np.int64))  # removal works after loading
    assert len(loaded) == N - 1


def test_hnsw_removal_is_a_tombstone_until_a_fifth_is_dead(data: Data, tmp_path: Path) -> None:
    ids, vectors, queries = data
    index = _index("hnsw", ids, vectors)
    first = ids[: N // 10]
    assert index.remove_ids(first) == len(first)
    assert index.dead == len(first) and len(index) == N - len(first)
    index.add(np.asarray([10**8], dtype=np.int64), queries[:1])  # adding still works
    assert index.search(queries[0], 1)[0][0] == 10**8
    index.save(tmp_path / "v.faiss")
    loaded = VectorIndex.load(tmp_path / "v.faiss", VectorConfig(kind="hnsw"))
    assert loaded.dead == len(first) and len(loaded) == len(index)
    hits = {i for q in queries for i, _ in loaded.search(q, 20)}
    assert len(hits) > 20 and not hits & set(first.tolist())  # tombstones skipped, k filled
    second = ids[N // 10 : N // 4]
    assert loaded.remove_ids(second) == len(second)  # now 25% dead: rebuilt without them
    assert loaded.dead == 0 and len(loaded) == N + 1 - len(first) - len(second)
    hits = {i for q in queries for i, _ in loaded.search(q, 20)}
    assert not hits & (set(first.tolist()) | set(second.tolist()))


def test_auto_picks_flat_below_the_threshold_and_hnsw_above(data: Data) -> None:
    ids, vectors, queries = data
    config = VectorConfig(kind="auto", flat_max=100)
    assert config.kind_for(100) == "flat" and config.kind_for(101) == "hnsw"
    index = VectorIndex.empty(DIM, config)
    index.add(ids[:100], vectors[:100])
    assert index.fitted() is index and index.kind == "flat"
    index.add(ids[100:500], vectors[100:500])  # the refresh grew it past the threshold
    converted = index.fitted()
    assert converted.kind == "hnsw" and len(converted) == 500
    best = _exact(ids[:500], vectors[:500], queries[0], 1)[0]
    assert converted.search(queries[0], 1)[0][0] == best
    assert converted.fitted() is converted  # converted once, not on every write


def test_ivfpq_waits_for_enough_vectors_to_train(data: Data) -> None:
    ids, vectors, _ = data
    config = VectorConfig(kind="ivfpq")
    small = VectorIndex.empty(DIM, config)
    small.add(ids[:200], vectors[:200])
    assert small.fitted().kind == "flat"
    small.add(ids[200:], vectors[200:])
    assert small.fitted().kind == "ivfpq"


def test_store_writes_and_reads_the_converted_type(data: Data, tmp_path: Path) -> None:
    from indexes.keyword import KeywordIndex

    ids, vectors, _ = data
    store = IndexStore(tmp_path, VectorConfig(kind="auto", flat_max=10, hnsw_ef_search=99))
    index = VectorIndex.empty(DIM, store.vector_config)
    index.add(ids[:50], vectors[:50])
    store.write(1, index.fitted(), KeywordIndex.build([1], ["x"]))
    loaded, _ = store.load(1)
    assert loaded.kind == "hnsw" and loaded.config.hnsw_ef_search == 99


def test_bad_settings_give_a_clear_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(VectorIndexError, match="COPILOT_VECTOR_INDEX"):
        VectorConfig(kind="annoy")  # type: ignore[arg-type]
    assert issubclass(VectorIndexError, ConfigError)
    monkeypatch.setenv("COPILOT_VECTOR_INDEX", "annoy")
    with pytest.raises(ConfigError, match="vector_index"):
        Settings.load()
    monkeypatch.setenv("COPILOT_VECTOR_INDEX", "hnsw")
    monkeypatch.setenv("COPILOT_VECTOR_FLAT_MAX", "7")
    config = VectorConfig.from_settings(Settings.load())
    assert config.kind == "hnsw" and config.flat_max == 7
