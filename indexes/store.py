"""Index files on disk, one folder per version, written beside the live one and swapped in.

A version folder is written under a temporary name and renamed into place when complete; the
catalog's ``active_version`` then points at it in the same transaction as the row changes.
A crash at any moment leaves the previous version complete and active.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from copilot.errors import IndexNotReadyError
from indexes.keyword import KeywordIndex
from indexes.vector import VectorConfig, VectorIndex

_VECTORS = "vectors.faiss"


class IndexStore:
    def __init__(self, data_dir: Path, vector_config: VectorConfig | None = None) -> None:
        self.root = data_dir / "index"
        # Which vector index type a write should hold, and how hard loaded ones search.
        self.vector_config = vector_config or VectorConfig()

    def folder(self, version: int) -> Path:
        return self.root / f"v{version:06d}"

    def write(self, version: int, vectors: VectorIndex, keywords: KeywordIndex) -> Path:
        self.root.mkdir(parents=True, exist_ok=True)
        target = self.folder(version)
        staging = self.root / f".staging-v{version:06d}-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
        vectors.save(staging / _VECTORS)
        keywords.save(staging)
        for path in staging.iterdir():
            _fsync(path)
        shutil.rmtree(target, ignore_errors=True)
        staging.rename(target)
        _fsync(self.root)
        return target

    def load(self, version: int | None) -> tuple[VectorIndex, KeywordIndex]:
        if version is None or not (self.folder(version) / _VECTORS).is_file():
            raise IndexNotReadyError(
                "this workspace has no index yet: run `copilot ingest --workspace W` first"
            )
        folder = self.folder(version)
        vectors = VectorIndex.load(folder / _VECTORS, self.vector_config)
        return vectors, KeywordIndex.load(folder)

    def prune(self, keep: set[int]) -> None:
        """Remove versions not in ``keep`` and staging left by crashed runs."""
        if not self.root.is_dir():
            return
        keep_names = {self.folder(v).name for v in keep}
        for path in self.root.iterdir():
            if path.name not in keep_names:
                shutil.rmtree(path, ignore_errors=True)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
