"""Batch embedding on Ray Data gives what the local embedder gives: the same vectors in the same
order, and through a real refresh the same chunk ids and vectors in the index.

Runs the real MiniLM on a real local Ray (2 CPUs); skipped only where Ray is not installed (CI
installs the ``ray`` extra, so there it runs)."""

from __future__ import annotations

import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from copilot.config import Settings
from copilot.copilot import Workspace
from copilot.errors import ConfigError, EmbeddingBackendError
from indexes.embeddings import SentenceTransformerEmbedder
from indexes.ray_embeddings import (
    RayBatchEmbedder,
    actor_pool,
    import_ray,
    in_order,
    start_ray,
)
from indexes.vector import contents
from tests.fakes.tiny_workspace import make_tiny_workspace

pytestmark = pytest.mark.integration

RAY_MISSING = "ray is not installed (pip install 'copilot[ray]'); CI installs it"


def _ray() -> Any:
    pytest.importorskip("ray.data", reason=RAY_MISSING)
    return import_ray()  # also turns Ray's usage statistics off before it starts


@pytest.fixture(scope="module")
def local_ray() -> Iterator[Any]:
    """One real local Ray for the module's tests, as a notebook or the benchmark would start it."""
    ray = _ray()
    ray.init(num_cpus=2, include_dashboard=False)
    yield ray
    ray.shutdown()


def _texts() -> list[str]:
    """Three hundred varied texts: empty-ish, one word, sentences, code, non-Latin, long."""
    words = ["vpn", "certificate", "deploy", "rollback", "oncall", "payroll", "badge", "kafka"]
    texts = [
        "",
        " ",
        "\n",
        "a",
        "?",
        "ok 👍",
        "Zertifikat läuft ab",
        "証明書の更新",
        "x = f(y)  # why",
    ]
    for n in range(279):
        picked = [words[(n * 7 + k * 3) % len(words)] for k in range(3 + n % 25)]
        texts.append(f"#{n}: " + " ".join(picked))
    texts += [" ".join(words) * (40 + n) for n in range(12)]  # far past 256 word pieces
    return texts


def _ray_settings(settings: Settings, **update: Any) -> Settings:
    return settings.model_copy(update={"embedding_backend": "ray", **update})


def _index(ws: Workspace) -> dict[str, np.ndarray]:
    """Chunk id -> its vector in the active index."""
    vectors, _ = ws.store.load(ws.catalog.active_version())
    keys, matrix = contents(vectors._index)
    by_key = {s.key: s.chunk.id for s in ws.catalog.all_chunks()}
    return {by_key[int(k)]: v for k, v in zip(keys, matrix, strict=True)}


def test_refresh_on_ray_indexes_the_same_chunks_and_vectors(
    tmp_path: Path, embedder: SentenceTransformerEmbedder
) -> None:
    """A refresh that starts its own Ray (no Ray running yet) and stops it after. First in the
    module, before ``local_ray`` starts one; run alone it still checks the vectors."""
    ray = _ray()
    ours = not ray.is_initialized()
    local = Workspace(Settings.load(make_tiny_workspace(tmp_path / "local")))
    local.embedder = embedder
    on_ray = Workspace(
        _ray_settings(
            Settings.load(make_tiny_workspace(tmp_path / "ray")),
            ray_batch_size=2,
            ray_num_cpus=2,
            ray_actors=1,  # one model load: spreading over actors is the next test's
        )
    )
    assert isinstance(on_ray.embedder, RayBatchEmbedder)  # what the setting picks
    on_ray.embedder = RayBatchEmbedder(on_ray.settings, local=embedder)  # share the loaded model
    assert local.ingest().chunks_embedded == on_ray.ingest().chunks_embedded > 2  # > one batch
    if ours:
        assert not ray.is_initialized()  # the Ray the refresh started is gone
    expected, got = _index(local), _index(on_ray)
    assert sorted(got) == sorted(expected)
    for chunk_id, vector in expected.items():
        np.testing.assert_allclose(got[chunk_id], vector, atol=1e-5)


def test_ray_and_local_give_the_same_vectors_in_the_same_order(
    local_ray: Any, settings: Settings, embedder: SentenceTransformerEmbedder
) -> None:
    texts = _texts()
    on_ray = RayBatchEmbedder(_ray_settings(settings, ray_batch_size=50), local=embedder)
    got = on_ray.embed_texts(texts)
    expected = embedder.embed_texts(texts)
    assert got.dtype == np.float32 and got.shape == expected.shape == (300, embedder.dim)
    np.testing.assert_allclose(got, expected, atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    assert local_ray.is_initialized()  # a Ray we did not start is left running


def test_small_batches_and_questions_stay_local(settings: Settings) -> None:
    """Below one Ray batch nothing touches Ray, so a Ray-less install still refreshes a few edits
    (and answers questions)."""

    class Local(SentenceTransformerEmbedder):
        def embed_texts(self, texts: Any) -> Any:
            return np.ones((len(texts), 3), dtype=np.float32)

        def embed_query(self, text: str) -> Any:
            return np.zeros(3, dtype=np.float32)

    on_ray = RayBatchEmbedder(_ray_settings(settings, ray_batch_size=4), local=Local(settings))
    assert on_ray.embed_texts(["a", "b", "c"]).tolist() == [[1.0] * 3] * 3
    assert on_ray.embed_query("a question").tolist() == [0.0] * 3


def test_vectors_come_back_in_row_order_each_row_once() -> None:
    batches = [
        {"row": np.array([2, 0]), "vector": np.array([[2.0], [0.0]])},
        {"row": np.array([1]), "vector": np.array([[1.0]])},
    ]
    assert in_order(batches, 3).ravel().tolist() == [0.0, 1.0, 2.0]
    with pytest.raises(EmbeddingBackendError, match="2 vectors for 3 texts"):
        in_order(batches[:1], 3)
    with pytest.raises(EmbeddingBackendError, match="3 vectors for 3 texts"):
        in_order([*batches[:1], {"row": np.array([0]), "vector": np.array([[0.0]])}], 3)


def test_missing_ray_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # what an install without the extra sees
    on_ray = RayBatchEmbedder(_ray_settings(settings, ray_batch_size=1))
    with pytest.raises(ConfigError, match=r"pip install 'copilot\[ray\]'"):
        on_ray.embed_texts(["one text"])


def test_an_address_where_nothing_listens_fails_fast_and_clearly(settings: Settings) -> None:
    ray = _ray()
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    started = time.monotonic()
    with pytest.raises(EmbeddingBackendError, match=f"127.0.0.1:{port}.*COPILOT_RAY_ADDRESS"):
        start_ray(ray, _ray_settings(settings, ray_address=f"127.0.0.1:{port}"))
    assert time.monotonic() - started < 10


class _Cluster:
    def __init__(self, **resources: float) -> None:
        self._resources = resources

    def cluster_resources(self) -> dict[str, float]:
        return self._resources


@pytest.mark.parametrize(
    ("resources", "actors", "gpus", "expected"),
    [
        ({"CPU": 2}, 4, 0.0, (2, 0.0)),  # a fixed pool larger than the cluster never starts
        ({"CPU": 16, "GPU": 2}, 8, "auto", (2, 1.0)),  # auto: one GPU each, no more than GPUs
        ({"CPU": 16}, 8, "auto", (8, 0.0)),  # auto without GPUs: CPU actors
        ({"CPU": 16, "GPU": 1}, 4, 0.5, (2, 0.5)),  # two actors share the GPU
    ],
)
def test_actor_pool_fits_the_cluster(
    settings: Settings, resources: dict[str, float], actors: int, gpus: Any, expected: Any
) -> None:
    wanted = settings.model_copy(update={"ray_actors": actors, "ray_gpus_per_actor": gpus})
    assert actor_pool(_Cluster(**resources), wanted) == expected


def test_no_room_for_one_actor_is_a_clear_error(settings: Settings) -> None:
    wanted = settings.model_copy(update={"ray_gpus_per_actor": 1.0})
    with pytest.raises(EmbeddingBackendError, match="no room for one embedding actor"):
        actor_pool(_Cluster(CPU=8), wanted)


@pytest.mark.parametrize(("value", "expected"), [("auto", "auto"), ("0.5", 0.5), ("0", 0.0)])
def test_gpus_per_actor_setting(monkeypatch: pytest.MonkeyPatch, value: str, expected: Any) -> None:
    monkeypatch.setenv("COPILOT_RAY_GPUS_PER_ACTOR", value)
    assert Settings(_env_file=None).ray_gpus_per_actor == expected  # type: ignore[call-arg]
