"""Questions embedded by onnxruntime give the vectors torch gives documents, and the export is
made once, checked, cached, remade when broken, and refused for models it cannot reproduce."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from copilot.config import Settings
from copilot.errors import ModelMissingError
from indexes import onnx_query
from indexes.embeddings import SentenceTransformerEmbedder, default_model_path
from indexes.onnx_query import OnnxQueryEncoder, UnsupportedModel, load_or_export

TEXTS = [
    "How do I rotate the staging database password?",
    "Wer ist diese Woche im Bereitschaftsdienst? ☎️",
    "x",
    "deploy " * 400,  # longer than the model reads: truncated the same way on both paths
]


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[OnnxQueryEncoder, Path]:
    cache = tmp_path_factory.mktemp("onnx")
    return load_or_export(Path(default_model_path()), cache, threads=1), cache


def test_onnx_question_vectors_equal_the_torch_document_vectors(
    exported: tuple[OnnxQueryEncoder, Path], embedder: SentenceTransformerEmbedder
) -> None:
    encoder, _ = exported
    expected = embedder.embed_texts(TEXTS)
    got = np.stack([encoder.encode(text) for text in TEXTS])
    np.testing.assert_allclose(got, expected, atol=1e-5)
    assert got.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)


def test_a_cached_export_is_reused_and_a_broken_one_is_remade(
    exported: tuple[OnnxQueryEncoder, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, cache = exported
    model = Path(default_model_path())
    [cached] = cache.glob("*.onnx")
    stamp = cached.stat().st_mtime_ns

    def no_export(*args: object) -> None:
        raise AssertionError("exported again although the cache holds the model")

    with monkeypatch.context() as patch:
        patch.setattr(onnx_query, "_export_checked", no_export)
        load_or_export(model, cache, threads=1)
    assert cached.stat().st_mtime_ns == stamp

    cached.write_bytes(b"not an onnx file")  # a disk that filled up mid-write, say
    encoder = load_or_export(model, cache, threads=1)
    assert cached.stat().st_size > 1_000_000
    np.testing.assert_allclose(encoder.encode(TEXTS[0]), encoder.encode(TEXTS[0]))


def _cls_pooled_copy(tmp_path: Path) -> Path:
    """The packaged model with its pooling switched to the CLS token, which ``encode`` does
    not reproduce."""
    copy = tmp_path / "cls-model"
    shutil.copytree(default_model_path(), copy)
    config = copy / "1_Pooling" / "config.json"
    pooling = json.loads(config.read_text())
    pooling.update(pooling_mode_mean_tokens=False, pooling_mode_cls_token=True)
    config.write_text(json.dumps(pooling))
    return copy


def test_a_model_that_is_not_mean_pooled_stays_on_torch(tmp_path: Path) -> None:
    model = _cls_pooled_copy(tmp_path)
    with pytest.raises(UnsupportedModel, match="mean pooling"):
        load_or_export(model, tmp_path / "cache", threads=1)

    auto = SentenceTransformerEmbedder(
        Settings(_env_file=None, embedding_model=str(model), model_dir=tmp_path)  # type: ignore[call-arg]
    )
    vector = auto.embed_query("Who is on call?")
    np.testing.assert_allclose(vector, auto.embed_texts(["Who is on call?"])[0], atol=1e-6)
    assert not (tmp_path / "onnx").exists()

    forced = SentenceTransformerEmbedder(
        Settings(  # type: ignore[call-arg]
            _env_file=None,
            embedding_model=str(model),
            model_dir=tmp_path,
            embedding_query_runtime="onnx",
        )
    )
    with pytest.raises(ModelMissingError, match="COPILOT_EMBEDDING_QUERY_RUNTIME=onnx"):
        forced.embed_query("Who is on call?")
