"""Every benchmark in one command: ``python -m bench`` (``--quick`` for a smoke run).

    python -m bench                       # refresh, index types, retrieval at 10k and 100k,
                                          # batch embedding (local vs Ray) of 5000 Slack chunks
    python -m bench --quick               # tiny sizes, acme only: a minute or two, for smoke use
    python -m bench --only retrieval --sizes 10k,100k,1m --out bench-results
    python -m bench --only embedding      # local vs Ray Data batch embedding (the ray extra)

One Markdown table per benchmark on stdout and one JSON file per benchmark in ``--out``
(``bench-results/``, git-ignored). The 1M sizes are opt-in (``--sizes``): building them
takes well over ten minutes on two cores. End-to-end answer latency is eval's (``eval/``).
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import embedding, index_types, refresh, retrieval
from bench.common import sizes_arg

BENCHES = ("refresh", "index_types", "retrieval", "embedding")


def _runners(args: argparse.Namespace) -> dict[str, Callable[[], list[dict[str, Any]]]]:
    """Each benchmark's entry point with this run's arguments (sizes, quick)."""
    sizes = args.sizes or ([2_000] if args.quick else [10_000, 100_000])
    sizes_text = ",".join(str(n) for n in sizes)
    queries = ["--queries", "50" if args.quick else "200"]
    slack = ["--no-slack"] if args.quick else []
    return {
        "refresh": lambda: refresh.main(slack),
        "index_types": lambda: index_types.main(["--sizes", sizes_text, *queries]),
        "retrieval": lambda: retrieval.main(["--sizes", sizes_text, *queries]),
        "embedding": lambda: embedding.main(
            ["--workspace", str(refresh.REPO / "examples" / "acme"), "--batch-size", "32"]
            if args.quick
            else ["--limit", "5000"]
        ),
    }


def main(argv: list[str] | None = None) -> dict[str, list[dict[str, Any]]]:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for a smoke run")
    parser.add_argument("--sizes", type=sizes_arg, help="e.g. 10k,100k (1m opt-in)")
    parser.add_argument("--only", default=",".join(BENCHES), help="comma-separated subset")
    parser.add_argument("--out", type=Path, default=Path("bench-results"))
    args = parser.parse_args(argv)
    chosen = [b for b in BENCHES if b in args.only.split(",")]
    args.out.mkdir(parents=True, exist_ok=True)
    results: dict[str, list[dict[str, Any]]] = {}
    runners = _runners(args)
    for name in chosen:
        print(f"\n# bench: {name}\n", flush=True)
        started = time.monotonic()
        results[name] = runners[name]()
        (args.out / f"{name}.json").write_text(json.dumps(results[name], indent=2) + "\n")
        print(f"\n({name}: {time.monotonic() - started:.0f} s, {args.out / name}.json)")
    return results


if __name__ == "__main__":
    main()
