"""Rows to figures: one summary per system, per-route accuracy, stage latency, and the
side-by-side comparison of ours with each baseline on the questions both answered."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from eval.metrics import percentile

Row = dict[str, Any]

# Figures where higher is better, compared as ours / baseline; leaks and latency as counts.
COMPARED = (
    "f1",
    "exact_match",
    "answer_in_text",
    "judged_correct",
    "citation_precision",
    "sql_accuracy",
)


def mean(values: Iterable[Any]) -> float | None:
    kept = [float(v) for v in values if v is not None]
    return round(sum(kept) / len(kept), 3) if kept else None


def refusal_scores(rows: Sequence[Row]) -> dict[str, float | None]:
    """Refusal as a detector of unanswerable questions: precision (refusals that were right
    to refuse) and recall (unanswerable questions refused)."""
    refused = [r for r in rows if r["refused"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    hits = sum(1 for r in refused if not r["answerable"])
    return {
        "refusal_precision": round(hits / len(refused), 3) if refused else None,
        "refusal_recall": round(hits / len(unanswerable), 3) if unanswerable else None,
        "refusal_rate_answerable": mean(r["refused"] for r in rows if r["answerable"]),
    }


def stage_latency(rows: Sequence[Row]) -> dict[str, dict[str, float]]:
    """p50 and p95 per stage over the rows that went through it."""
    stages: dict[str, list[float]] = {}
    for row in rows:
        for stage, ms in row["timings_ms"].items():
            stages.setdefault(stage, []).append(float(ms))
    return {
        stage: {"p50": round(percentile(v, 50), 1), "p95": round(percentile(v, 95), 1)}
        for stage, v in sorted(stages.items())
    }


def route_accuracy(rows: Sequence[Row]) -> dict[str, Any]:
    routed = [r for r in rows if r["route_ok"] is not None]
    routes = sorted({r["expected_route"] for r in routed})
    return {
        "route_accuracy": mean(r["route_ok"] for r in routed),
        "route_accuracy_by_route": {
            route: mean(r["route_ok"] for r in routed if r["expected_route"] == route)
            for route in routes
        },
    }


def summarise(rows: Sequence[Row]) -> dict[str, Any]:
    """One system's figures; a figure no row applies to is left out."""
    figures: dict[str, Any] = {
        "questions": len(rows),
        "exact_match": mean(r["em"] for r in rows),
        "f1": mean(r["f1"] for r in rows),
        "answer_in_text": mean(r.get("answer_in") for r in rows),
        "fact_recall": mean(r["facts"] for r in rows),
        "judged_correct": mean(r["judged_correct"] for r in rows),
        "citation_precision": mean(r["citation_precision"] for r in rows),
        "citation_recall": mean(r["citation_recall"] for r in rows),
        "sql_accuracy": mean(r["sql_correct"] for r in rows),
        "sql_executed": mean(r["sql_executed"] for r in rows),
        "access_leaks": sum(r["leaks"] for r in rows),
        "errors": sum(1 for r in rows if r["error"]),
        **refusal_scores(rows),
        **route_accuracy(rows),
        "latency_ms": stage_latency(rows),
    }
    return {k: v for k, v in figures.items() if v is not None and v != {}}


def by_system(rows: Sequence[Row]) -> dict[str, list[Row]]:
    systems: dict[str, list[Row]] = {}
    for row in rows:
        systems.setdefault(row["system"], []).append(row)
    return systems


def compare(ours: Sequence[Row], baseline: Sequence[Row]) -> dict[str, Any]:
    """Ours beside a baseline on the questions the baseline ran, with ratios (ours / theirs;
    above 1 means ours is better)."""
    ids = {r["id"] for r in baseline}
    mine = summarise([r for r in ours if r["id"] in ids])
    theirs = summarise(baseline)
    figures = {}
    for name in (*COMPARED, "access_leaks"):
        if name in mine and name in theirs:
            ratio = round(mine[name] / theirs[name], 2) if theirs[name] else None
            figures[name] = {"ours": mine[name], "baseline": theirs[name], "ratio": ratio}
    total = "total"
    if total in mine.get("latency_ms", {}) and total in theirs.get("latency_ms", {}):
        figures["total_ms_p50"] = {
            "ours": mine["latency_ms"][total]["p50"],
            "baseline": theirs["latency_ms"][total]["p50"],
            "ratio": None,
        }
    return {"questions": len(ids), "figures": figures}
