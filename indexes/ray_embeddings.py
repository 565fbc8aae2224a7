"""Batch embedding as a Ray Data job: a refresh's chunks spread over a pool of model copies.

Chosen by ``COPILOT_EMBEDDING_BACKEND=ray`` (the ``ray`` extra). Each actor loads the model the
local embedder loads (``model_path``) and encodes as it does (same batch size, normalised
float32), so both backends give the same vectors in the same order: every text carries its row
number through the job and the result is put back in that order, since Ray Data does not keep
it. Questions, ``dim`` and ``tokenize`` stay on a local ``SentenceTransformerEmbedder``: a
question is a dozen tokens and must not wait on a cluster.

Ray's lifetime, kept simple: an ``embed_texts`` call that finds no Ray running starts one (a
local Ray, or a connection to ``COPILOT_RAY_ADDRESS``) and shuts it down, or disconnects, when
done. A refresh embeds once, so that is one start per refresh and nothing left running after
it. A Ray someone else started (a notebook, a test, the benchmark) is used and left running.

Ray is imported only here and only when this backend is chosen; usage statistics are turned
off before it starts (``RAY_USAGE_STATS_ENABLED=0``): nothing leaves the company.
"""

from __future__ import annotations

import importlib
import logging
import os
import socket
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
import numpy.typing as npt

from copilot.config import Settings
from copilot.errors import ConfigError, EmbeddingBackendError
from indexes.embeddings import SentenceTransformerEmbedder, Vectors

log = logging.getLogger(__name__)

_CONNECT_TIMEOUT_S = 5.0  # a cluster address that does not answer a TCP connect in 5 s is down

Batch = dict[str, npt.NDArray[Any]]


def import_ray() -> Any:
    """``ray`` with Ray Data, or a ``ConfigError`` that says how to install it.

    Typed ``Any`` and imported by name, so type checks read the same with or without Ray."""
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    try:
        ray = importlib.import_module("ray")
        importlib.import_module("ray.data")
    except ImportError as exc:
        raise ConfigError(
            "COPILOT_EMBEDDING_BACKEND=ray needs Ray Data, which is not installed: "
            "pip install 'copilot[ray]' (or set COPILOT_EMBEDDING_BACKEND=local)"
        ) from exc
    return ray


def start_ray(ray: Any, settings: Settings) -> None:
    """Connect to ``settings.ray_address``, or start a local Ray; any failure is ours to say."""
    address = settings.ray_address
    if address and address != "auto":
        _check_reachable(address)
    try:
        if address:
            ray.init(address=address, logging_level=logging.WARNING)
        else:
            ray.init(
                num_cpus=settings.ray_num_cpus,
                include_dashboard=False,
                logging_level=logging.WARNING,
            )
    except Exception as exc:  # Ray raises ConnectionError, RuntimeError, ValueError, ...
        where = f"the Ray cluster at {address}" if address else "a local Ray"
        raise EmbeddingBackendError(
            f"could not start or reach {where}: {str(exc).rstrip('.')}. Check "
            "COPILOT_RAY_ADDRESS (unset starts a local Ray), or set COPILOT_EMBEDDING_BACKEND=local"
        ) from exc


def _check_reachable(address: str) -> None:
    """Fail in seconds on an address where nothing listens; ``ray.init`` retries for long."""
    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not host or not port.isdigit():
        return  # no explicit port: leave the address to Ray
    try:
        socket.create_connection((host, int(port)), timeout=_CONNECT_TIMEOUT_S).close()
    except OSError as exc:
        raise EmbeddingBackendError(
            f"cannot reach the Ray cluster at {address} ({exc}): is it running? Check "
            "COPILOT_RAY_ADDRESS (unset starts a local Ray), or set COPILOT_EMBEDDING_BACKEND=local"
        ) from exc


@contextmanager
def ray_session(settings: Settings) -> Iterator[Any]:
    """Ray for one job: one already running is used and left alone; one we start, we stop."""
    ray = import_ray()
    if ray.is_initialized():
        yield ray
        return
    start_ray(ray, settings)
    try:
        yield ray
    finally:
        ray.shutdown()  # stops a local Ray; only disconnects from a cluster


def actor_pool(ray: Any, settings: Settings) -> tuple[int, float]:
    """(actors, GPUs per actor), capped at what the cluster has now: a fixed pool larger than
    the cluster would wait for actors that never start."""
    resources = ray.cluster_resources()
    gpus = float(resources.get("GPU", 0))
    per_actor = settings.ray_gpus_per_actor
    if per_actor == "auto":
        per_actor = 1.0 if gpus >= 1 else 0.0
    room = int(resources.get("CPU", 0))
    if per_actor > 0:
        room = min(room, int(gpus // per_actor))
    if room < 1:
        raise EmbeddingBackendError(
            f"the Ray cluster has no room for one embedding actor ({resources}); "
            "lower COPILOT_RAY_GPUS_PER_ACTOR or add nodes"
        )
    if settings.ray_actors > room:
        log.warning("Ray has room for %d embedding actors, not %d", room, settings.ray_actors)
    return min(settings.ray_actors, room), per_actor


class EmbedBatch:
    """One model copy in a Ray actor: loaded once, then fed batches of ``row`` and ``text``.

    It builds the very ``SentenceTransformerEmbedder`` the refresh would use, so the model
    folder (``model_path``), batch size and normalisation are the local ones. Only the model
    setting travels, never the whole ``Settings`` (it holds secrets)."""

    def __init__(self, model: str | None, batch_size: int, device: str) -> None:
        settings = Settings(
            embedding_model=model, embedding_batch_size=batch_size, embedding_device=device
        )
        self._embedder = SentenceTransformerEmbedder(settings)

    def __call__(self, batch: Batch) -> Batch:
        vectors = self._embedder.embed_texts([str(text) for text in batch["text"]])
        return {"row": batch["row"], "vector": vectors}


class RayBatchEmbedder:
    """The ``Embedder`` of ``COPILOT_EMBEDDING_BACKEND=ray``: batches on Ray, the rest local."""

    def __init__(
        self, settings: Settings, local: SentenceTransformerEmbedder | None = None
    ) -> None:
        self._settings = settings
        self._local = local or SentenceTransformerEmbedder(settings)

    @property
    def dim(self) -> int:
        return self._local.dim

    def embed_query(self, text: str) -> Vectors:
        return self._local.embed_query(text)

    def tokenize(self, text: str) -> list[str]:
        return self._local.tokenize(text)

    def embed_texts(self, texts: Sequence[str]) -> Vectors:
        """Fewer texts than one Ray batch are embedded here: starting Ray and loading model
        copies for one batch costs far more than encoding it (a refresh with a few edits)."""
        if len(texts) < self._settings.ray_batch_size:
            return self._local.embed_texts(texts)
        with ray_session(self._settings) as ray:
            return self._run(ray, list(texts))

    def _run(self, ray: Any, texts: list[str]) -> Vectors:
        actors, gpus = actor_pool(ray, self._settings)
        log.info("embedding %d texts on Ray: %d actors, %s GPUs each", len(texts), actors, gpus)
        # A cron job's log: no progress bars, and Ray Data's chatter only at our log level.
        ray.data.DataContext.get_current().enable_progress_bars = False
        logging.getLogger("ray.data").setLevel(log.getEffectiveLevel())
        rows = ray.data.from_items([{"row": i, "text": t} for i, t in enumerate(texts)])
        embedded = rows.map_batches(
            EmbedBatch,
            fn_constructor_kwargs={
                "model": self._settings.embedding_model,
                "batch_size": self._settings.embedding_batch_size,
                "device": "cuda" if gpus > 0 else "cpu",
            },
            batch_size=self._settings.ray_batch_size,
            batch_format="numpy",
            compute=ray.data.ActorPoolStrategy(size=actors),
            num_cpus=1,
            num_gpus=gpus,
        )
        try:
            batches = list(embedded.iter_batches(batch_format="numpy", batch_size=None))
        except Exception as exc:  # a failed actor or task surfaces as one of Ray's errors
            raise EmbeddingBackendError(f"the Ray embedding job failed: {exc}") from exc
        return in_order(batches, len(texts))


def in_order(batches: Sequence[Batch], count: int) -> Vectors:
    """The vectors back in the texts' order, each row exactly once, or an error."""
    rows = np.concatenate([b["row"] for b in batches]) if batches else np.zeros(0, np.int64)
    if len(rows) != count or not np.array_equal(np.sort(rows), np.arange(count)):
        raise EmbeddingBackendError(
            f"the Ray embedding job returned {len(rows)} vectors for {count} texts"
        )
    vectors = np.concatenate([np.asarray(b["vector"], dtype=np.float32) for b in batches])
    ordered = np.empty_like(vectors)
    ordered[rows] = vectors
    return ordered
