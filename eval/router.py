"""Router accuracy, fast-path share and fast-path latency on a golden dataset.

    python -m eval.router --workspace examples/acme --dataset examples/acme/golden.jsonl [--llm]

Each question is routed as its golden user (the document probe counts only what that user
may see), through the same ``Workspace.router`` the copilot builds. A decision is correct
when its *first* route equals ``expected_route`` (a two-step plan starts with the route that
must run first). Without ``--llm`` only the fast path runs and undecided questions count as
retrieval, which is what a copilot without a model would do; with ``--llm`` they go to the
configured chat model (the embedded one takes minutes to start).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from copilot.config import Settings
from copilot.copilot import Workspace
from copilot.llm import ChatModel, open_chat_model
from copilot.router import ROUTES, Router
from copilot.types import Principal
from eval.golden import GoldenItem, load_golden
from eval.metrics import percentile


@dataclass(frozen=True)
class Outcome:
    """One question's result: what the router chose, by which path, and how fast."""

    item: GoldenItem
    route: str
    fast: bool
    fast_ms: float

    @property
    def correct(self) -> bool:
        return self.route == self.item.expected_route


def _evaluate(router: Router, item: GoldenItem, principal: Principal, use_llm: bool) -> Outcome:
    started = time.perf_counter()
    decision = router.fast_route(item.question, principal)
    fast_ms = (time.perf_counter() - started) * 1000
    if decision is not None:
        return Outcome(item, decision.route, True, fast_ms)
    route = router.route(item.question, principal).route if use_llm else "retrieval"
    return Outcome(item, route, False, fast_ms)


def _accuracy(outcomes: list[Outcome]) -> float | None:
    return round(sum(o.correct for o in outcomes) / len(outcomes), 3) if outcomes else None


def report(outcomes: list[Outcome], use_llm: bool) -> dict[str, Any]:
    """The figures as one JSON-ready dict; misses name ids only, never the questions."""
    fast = [o for o in outcomes if o.fast]
    slow = [o for o in outcomes if not o.fast]
    latencies = [o.fast_ms for o in outcomes]
    per_route = {
        route: {
            "questions": len(mine),
            "accuracy": _accuracy(mine),
            "fast_share": round(sum(o.fast for o in mine) / len(mine), 3) if mine else None,
            "fast_accuracy": _accuracy([o for o in mine if o.fast]),
        }
        for route in ROUTES
        for mine in [[o for o in outcomes if o.item.expected_route == route]]
    }
    return {
        "questions": len(outcomes),
        "llm": use_llm,
        "accuracy": _accuracy(outcomes),
        "fast_share": round(len(fast) / len(outcomes), 3) if outcomes else None,
        "fast_accuracy": _accuracy(fast),
        # The acceptance figure: questions the fast path decided within 20 ms, of all.
        "fast_within_20ms_share": round(
            sum(o.fast and o.fast_ms < 20 for o in outcomes) / len(outcomes), 3
        )
        if outcomes
        else None,
        "fast_latency_ms_p50": round(percentile(latencies, 50), 1),
        "fast_latency_ms_p95": round(percentile(latencies, 95), 1),
        ("llm_accuracy" if use_llm else "undecided_as_retrieval_accuracy"): _accuracy(slow),
        "per_route": per_route,
        "misses": [
            {"id": o.item.id, "expected": o.item.expected_route, "got": o.route, "fast": o.fast}
            for o in outcomes
            if not o.correct
        ],
    }


@contextlib.contextmanager
def _chat(settings: Settings, use_llm: bool) -> Iterator[ChatModel | None]:
    if not use_llm:
        yield None
        return
    with open_chat_model(settings, settings.resolved_data_dir) as chat:
        yield chat


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workspace", type=Path, required=True)
    parser.add_argument("--dataset", type=Path, required=True)
    parser.add_argument("--llm", action="store_true", help="ask the chat model when unsure")
    args = parser.parse_args()
    settings = Settings.load(args.workspace)
    items = load_golden(args.dataset)
    with _chat(settings, args.llm) as chat:
        workspace = Workspace(settings)
        router = workspace.router(chat, set(ROUTES), workspace.retriever())
        router.fast_route("warm up", workspace.principal(None))  # load models, untimed
        outcomes = [
            _evaluate(router, item, workspace.principal(item.user), args.llm) for item in items
        ]
    print(json.dumps(report(outcomes, args.llm), indent=2))


if __name__ == "__main__":
    main()
