"""The report's charts as PNG files (matplotlib, no display): per-route accuracy, latency
distribution, verifier on and off, and ours beside the baselines."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

Row = dict[str, Any]


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")  # files only: a headless server has no display
    import matplotlib.pyplot as plt

    return plt


def _bars(path: Path, title: str, groups: Mapping[str, Mapping[str, float]], ylabel: str) -> Path:
    """Grouped bars: one group per key of ``groups``, one bar per series inside it."""
    plt = _pyplot()
    labels = list(groups)
    series = sorted({s for values in groups.values() for s in values})
    width = 0.8 / max(len(series), 1)
    fig, ax = plt.subplots(figsize=(max(5.0, 1.4 * len(labels)), 3.4))
    for i, name in enumerate(series):
        xs = [x + i * width for x in range(len(labels))]
        ax.bar(xs, [groups[g].get(name, 0.0) for g in labels], width, label=name)
    ax.set_xticks([x + width * (len(series) - 1) / 2 for x in range(len(labels))], labels)
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    if len(series) > 1:
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def route_accuracy(folder: Path, summary: Mapping[str, Any]) -> Path | None:
    by_route = summary.get("route_accuracy_by_route") or {}
    if not by_route:
        return None
    groups = {route: {"ours": value or 0.0} for route, value in by_route.items()}
    return _bars(folder / "route_accuracy.png", "Route accuracy per route", groups, "accuracy")


def latency(folder: Path, systems: Mapping[str, Sequence[Row]]) -> Path | None:
    """Distribution of end-to-end time per system (log scale: LLM calls span decades)."""
    totals = {
        name: [float(r["timings_ms"]["total"]) for r in rows if "total" in r["timings_ms"]]
        for name, rows in systems.items()
    }
    totals = {name: values for name, values in totals.items() if values}
    if not totals:
        return None
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7.0, 3.4))
    ax.boxplot(list(totals.values()), orientation="horizontal")
    ax.set_yticks(range(1, len(totals) + 1), list(totals), fontsize=8)
    ax.set_xscale("log")
    ax.set_xlabel("total ms per question")
    ax.set_title("Latency distribution")
    fig.tight_layout()
    path = folder / "latency.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


_VERIFIER_FIGURES = (
    "citation_precision",
    "f1",
    "judged_correct",
    "refusal_recall",
    "refusal_rate_answerable",
)


def verifier(folder: Path, off: Mapping[str, Any], on: Mapping[str, Any]) -> Path | None:
    groups = {
        name: {"verifier off": float(off[name]), "verifier on": float(on[name])}
        for name in _VERIFIER_FIGURES
        if name in off and name in on
    }
    if not groups:
        return None
    return _bars(folder / "verifier.png", "Verifier off and on (same drafts)", groups, "share")


def baselines(folder: Path, comparisons: Mapping[str, Mapping[str, Any]]) -> Path | None:
    groups: dict[str, dict[str, float]] = {}
    for baseline, comparison in comparisons.items():
        for name, figure in comparison["figures"].items():
            if name in ("access_leaks", "total_ms_p50"):
                continue
            label = f"{name}\nvs {baseline.split('_')[0]}"
            groups[label] = {"ours": float(figure["ours"]), "baseline": float(figure["baseline"])}
    if not groups:
        return None
    return _bars(folder / "baselines.png", "Ours beside the baselines", groups, "score")
