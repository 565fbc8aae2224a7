"""Questions embedded by onnxruntime: the same sentence-transformers model, exported once.

Why: embedding the question was two thirds of a retrieval (16.7 of 24.3 ms p50 at 100k
chunks, torch on one CPU thread). onnxruntime runs the same graph on one thread in about
7.7 ms, with vectors equal to torch's within 1e-6 (measured on MiniLM, 2026-11-21). Batch
embedding during a refresh stays on torch (sentence-transformers), where batches amortise
the overhead and a GPU may be used.

The model's transformer is exported with ``torch.onnx`` on first use, checked against
torch on probe texts, and cached under ``COPILOT_MODEL_DIR/onnx`` by a fingerprint of the
model's files; later processes load the file and never load the torch model for questions.
Only models that are a Transformer followed by mean pooling (and optionally Normalize) are
exported, since that pooling is reimplemented here; others stay on torch.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import logging
import os
import tempfile
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from copilot.errors import ModelMissingError

log = logging.getLogger(__name__)

Vectors = npt.NDArray[np.float32]

_SUPPORTED_MODULES = (
    "sentence_transformers.models.Transformer",
    "sentence_transformers.models.Pooling",
    "sentence_transformers.models.Normalize",
)
_PROBES = ("How do I rotate the staging database password?", "on-call " * 300)
_TOLERANCE = 1e-4


class UnsupportedModel(ModelMissingError):
    """The model cannot run on onnxruntime here; questions stay on torch."""


def mean_pooling_model(model_path: Path) -> bool:
    """Whether the model is Transformer + mean pooling (+ Normalize), which ``encode``
    reproduces exactly; read from its files, without loading it."""
    try:
        modules = json.loads((model_path / "modules.json").read_text())
        types = [m["type"] for m in modules]
        pooling_dir = next(m["path"] for m in modules if m["type"].endswith(".Pooling"))
        pooling = json.loads((model_path / pooling_dir / "config.json").read_text())
    except (OSError, ValueError, KeyError, StopIteration):
        return False
    modes = {k: v for k, v in pooling.items() if k.startswith("pooling_mode_")}
    mean_only = (
        modes.get("pooling_mode_mean_tokens") is True and sum(map(bool, modes.values())) == 1
    )
    return (
        types[:2] == list(_SUPPORTED_MODULES[:2])
        and set(types) <= set(_SUPPORTED_MODULES)
        and mean_only
    )


def fingerprint(model_path: Path) -> str:
    """Changes when the model's files do (name, size, mtime) or the exporter's torch does.
    Torch's version is read from its package metadata: a process that only embeds questions
    never imports torch."""
    exporter = importlib.metadata.version("torch")
    digest = hashlib.sha256(f"{model_path.resolve()}|torch {exporter}".encode())
    for file in sorted(p for p in model_path.rglob("*") if p.is_file()):
        stat = file.stat()
        digest.update(f"{file.relative_to(model_path)}|{stat.st_size}|{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def _max_length(model_path: Path, tokenizer: Any) -> int:
    try:
        config = json.loads((model_path / "sentence_bert_config.json").read_text())
        return int(config["max_seq_length"])
    except (OSError, ValueError, KeyError):
        return int(min(tokenizer.model_max_length, 512))


class OnnxQueryEncoder:
    """One question at a time, on ``threads`` CPU threads; thread-safe (onnxruntime's
    ``run`` is)."""

    def __init__(self, onnx_file: Path, model_path: Path, threads: int) -> None:
        import onnxruntime as ort
        from transformers import AutoTokenizer

        options = ort.SessionOptions()
        options.intra_op_num_threads = max(0, threads)  # 0: onnxruntime's default
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(
            str(onnx_file), options, providers=["CPUExecutionProvider"]
        )
        self._inputs = [i.name for i in self._session.get_inputs()]
        self._tokenizer = AutoTokenizer.from_pretrained(str(model_path))
        self._max_length = _max_length(model_path, self._tokenizer)

    def encode(self, text: str) -> Vectors:
        batch = self._tokenizer(
            [text], return_tensors="np", truncation=True, max_length=self._max_length
        )
        feed = {name: np.asarray(batch[name], dtype=np.int64) for name in self._inputs}
        tokens = self._session.run(None, feed)[0]
        mask = feed["attention_mask"][..., None].astype(np.float32)
        pooled = (tokens * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1e-9)
        vector = pooled[0] / max(float(np.linalg.norm(pooled[0])), 1e-12)
        return np.ascontiguousarray(vector, dtype=np.float32)


def load_or_export(model_path: Path, cache_dir: Path, threads: int) -> OnnxQueryEncoder:
    """The cached export for this model, made (and checked against torch) if missing.

    Raises ``UnsupportedModel`` when the model's pooling is not plain mean pooling, when
    onnx/onnxruntime are missing, or when the export disagrees with torch."""
    if not mean_pooling_model(model_path):
        raise UnsupportedModel(f"{model_path} is not Transformer + mean pooling")
    try:
        import onnxruntime  # noqa: F401
    except ImportError as exc:
        raise UnsupportedModel("onnxruntime is not installed: pip install onnxruntime") from exc
    target = cache_dir / f"{model_path.name}-{fingerprint(model_path)}.onnx"
    if target.exists():
        try:
            return OnnxQueryEncoder(target, model_path, threads)
        except Exception as exc:  # onnxruntime's load errors share no base class
            log.warning("the cached ONNX model %s is unreadable (%s); exporting again", target, exc)
            target.unlink(missing_ok=True)
    _export_checked(model_path, target, threads)
    return OnnxQueryEncoder(target, model_path, threads)


def _export_checked(model_path: Path, target: Path, threads: int) -> None:
    """Export to a temporary file, compare with torch, then rename into place (atomic, so
    two processes exporting at once both end with a whole file)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, scratch = tempfile.mkstemp(suffix=".onnx", dir=target.parent)
    os.close(handle)
    os.chmod(scratch, 0o644)  # a shared cache: mkstemp makes it private
    try:
        reference = _export(model_path, Path(scratch))
        encoder = OnnxQueryEncoder(Path(scratch), model_path, threads)
        error = max(
            float(np.abs(encoder.encode(text) - expected).max())
            for text, expected in reference.items()
        )
        if error > _TOLERANCE:
            raise UnsupportedModel(f"the ONNX export of {model_path} differs from torch by {error}")
        os.replace(scratch, target)
        log.info(
            "exported %s to %s for question embedding (max diff %.1e)", model_path, target, error
        )
    finally:
        Path(scratch).unlink(missing_ok=True)


def _export(model_path: Path, target: Path) -> dict[str, Vectors]:
    """Write the transformer as ONNX; return sentence-transformers' own vectors for the probe
    texts (computed first: the reference is what a refresh embeds documents with)."""
    import torch
    from sentence_transformers import SentenceTransformer

    full = SentenceTransformer(str(model_path), device="cpu")
    expected = full.encode(
        list(_PROBES), normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
    )
    model: Any = full[0].auto_model
    tokenizer = full.tokenizer
    model.eval()
    sample = tokenizer(["a question"], return_tensors="pt")
    names = [n for n in tokenizer.model_input_names if n in sample]

    class _Positional(torch.nn.Module):
        """``torch.onnx`` passes inputs by position; the model takes them by name."""

        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, *inputs: torch.Tensor) -> Any:
            return self.model(**dict(zip(names, inputs, strict=True))).last_hidden_state

    axes = {name: {0: "batch", 1: "tokens"} for name in [*names, "last_hidden_state"]}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer notes about shapes a BERT encoder never varies
        torch.onnx.export(
            _Positional(), tuple(sample[n] for n in names), str(target), input_names=names,
            output_names=["last_hidden_state"], dynamic_axes=axes, opset_version=17, dynamo=False,
        )  # fmt: skip
    return {
        text: np.asarray(v, dtype=np.float32) for text, v in zip(_PROBES, expected, strict=True)
    }
