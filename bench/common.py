"""What the benchmarks share: percentiles, process memory, Markdown tables."""

from __future__ import annotations

import argparse
import json
import resource
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np


def percentile_ms(seconds: Sequence[float], q: float) -> float:
    """The ``q``-th percentile of durations in seconds, in milliseconds (2 decimals)."""
    if not seconds:
        return 0.0
    return round(float(np.percentile(np.asarray(seconds), q)) * 1000, 2)


def rss_bytes() -> int:
    """This process's resident memory now (Linux /proc), or its peak where /proc is missing.

    Now rather than peak, so a before/after difference is what a step kept, not what it
    touched on the way.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak if sys.platform == "darwin" else peak * 1024)


def sizes_arg(text: str) -> list[int]:
    """``10000,100000`` or ``10k,100k,1m``."""
    scale = {"k": 1_000, "m": 1_000_000}
    return [
        int(float(p[:-1]) * scale[p[-1]]) if p[-1] in scale else int(p)
        for p in text.lower().split(",")
    ]


def sized_parser(doc: str | None, large: str) -> argparse.ArgumentParser:
    """A bench's parser with ``--sizes`` (default 10k and 100k; ``large`` says what 1M costs)."""
    parser = argparse.ArgumentParser(
        description=doc, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes", type=sizes_arg, default=[10_000, 100_000], help=f"e.g. 10k,100k ({large})"
    )
    return parser


def write_rows(path: Path | None, rows: Sequence[dict[str, Any]]) -> None:
    """The rows as JSON at ``path`` (when given), for a later run or a report to read."""
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(list(rows), indent=2) + "\n")


def print_table(rows: Sequence[dict[str, Any]], *, header: bool = True) -> None:
    """Rows as a Markdown table (columns in first-seen order); ``header=False`` for more rows."""
    if not rows:
        return
    columns = list(dict.fromkeys(key for row in rows for key in row))
    if header:
        print("| " + " | ".join(columns) + " |")
        print("|" + "|".join("---" for _ in columns) + "|")
    for row in rows:
        print("| " + " | ".join(str(row.get(c, "")) for c in columns) + " |", flush=True)
