"""Command-line argument types shared by ``copilot``, ``eval`` and ``bench``.

An evaluation or a benchmark can run for half an hour before it writes its result; a path it
cannot write must be refused when the command starts, not after the work is done.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def output_file(text: str) -> Path:
    """An ``--out`` file: not an existing folder, and in a folder that exists or can be made
    (argparse reports the error and the command stops before any work)."""
    path = Path(text)
    if path.is_dir():
        raise argparse.ArgumentTypeError(
            f"{text} is a folder; give a file in it, e.g. {path / 'rows.json'}"
        )
    parent = next((p for p in (path.parent, *path.parent.parents) if p.exists()), Path("."))
    if not parent.is_dir():
        raise argparse.ArgumentTypeError(f"{text}: {parent} is a file, not a folder")
    return path
