"""An evaluation run as ``report.json`` (everything, rows included), ``report.md`` (the
tables, charts beside it) and ``report.html`` (one self-contained page, charts inlined)."""

from __future__ import annotations

import base64
import html
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from eval import plots
from eval.metrics import percentile
from eval.runner import LANGCHAIN_SQL, LLAMAINDEX, OURS, OURS_UNVERIFIED, EvalRun
from eval.summary import by_system, compare, mean, summarise

_SYSTEM_ORDER = (OURS, OURS_UNVERIFIED, LLAMAINDEX, LANGCHAIN_SQL)
_HEADLINE = (
    "questions",
    "route_accuracy",
    "exact_match",
    "f1",
    "answer_in_text",
    "judged_correct",
    "fact_recall",
    "citation_precision",
    "citation_recall",
    "sql_accuracy",
    "refusal_precision",
    "refusal_recall",
    "refusal_rate_answerable",
    "access_leaks",
    "errors",
)


def build(run: EvalRun, meta: Mapping[str, Any]) -> dict[str, Any]:
    """The report's content: per-system summaries, the retrieval probe, the comparisons."""
    systems = by_system(run.rows)
    ours = systems.get(OURS, [])
    baselines = [name for name in (LLAMAINDEX, LANGCHAIN_SQL) if name in systems]
    comparisons = {name: compare(ours, systems[name]) for name in baselines}
    return {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "dataset": run.dataset,
        "workspace": run.workspace,
        **meta,
        "systems": {name: summarise(systems[name]) for name in _SYSTEM_ORDER if name in systems},
        "retrieval": retrieval_summary(run.retrieval),
        "comparisons": comparisons,
        "rows": run.rows,
        "retrieval_rows": run.retrieval,
    }


def retrieval_summary(probe: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    if not probe:
        return {}
    latencies = [float(p["ms"]) for p in probe]
    return {
        "questions": len(probe),
        "recall_at_k": mean(p["recall"] for p in probe),
        "mrr": mean(p["mrr"] for p in probe),
        "latency_ms_p50": round(percentile(latencies, 50), 1),
        "latency_ms_p95": round(percentile(latencies, 95), 1),
    }


def write(report: Mapping[str, Any], run: EvalRun, folder: Path) -> dict[str, Path]:
    """Write the three files (and the charts) into ``folder``; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    charts = _charts(report, run, folder)
    paths = {
        "json": folder / "report.json",
        "md": folder / "report.md",
        "html": folder / "report.html",
    }
    paths["json"].write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
    paths["md"].write_text(markdown(report, charts), encoding="utf-8")
    paths["html"].write_text(page(report, charts), encoding="utf-8")
    return paths


def _charts(report: Mapping[str, Any], run: EvalRun, folder: Path) -> list[Path]:
    systems = report["systems"]
    made = [
        plots.route_accuracy(folder, systems.get(OURS, {})),
        plots.latency(folder, by_system(run.rows)),
        plots.verifier(folder, systems.get(OURS_UNVERIFIED, {}), systems.get(OURS, {})),
        plots.baselines(folder, report["comparisons"]),
    ]
    return [p for p in made if p is not None]


def _cell(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".") if value != int(value) else f"{value:.0f}"
    return str(value)


def tables(report: Mapping[str, Any]) -> list[tuple[str, list[str], list[list[str]]]]:
    """Every table of the report as (title, header, rows), shared by Markdown and HTML."""
    systems = report["systems"]
    names = list(systems)
    out = [
        (
            "Systems",
            ["figure", *names],
            [
                [figure, *(_cell(systems[n].get(figure)) for n in names)]
                for figure in _HEADLINE
                if any(figure in systems[n] for n in names)
            ],
        )
    ]
    stages = sorted({s for n in names for s in systems[n].get("latency_ms", {})})
    out.append(
        (
            "Latency per stage, ms (p50 / p95)",
            ["stage", *names],
            [[stage, *(_latency(systems[n], stage) for n in names)] for stage in stages],
        )
    )
    for baseline, comparison in report["comparisons"].items():
        out.append(
            (
                f"Ours beside {baseline} ({comparison['questions']} questions both ran)",
                ["figure", "ours", "baseline", "ours / baseline"],
                [
                    [name, _cell(f["ours"]), _cell(f["baseline"]), _cell(f["ratio"])]
                    for name, f in comparison["figures"].items()
                ],
            )
        )
    if report["retrieval"]:
        r = report["retrieval"]
        out.append(
            (
                f"Retrieval ({r['questions']} answerable document questions, k={report['k']})",
                ["recall@k", "MRR", "p50 ms", "p95 ms"],
                [[_cell(r[k]) for k in ("recall_at_k", "mrr", "latency_ms_p50", "latency_ms_p95")]],
            )
        )
    return out


def _latency(summary: Mapping[str, Any], stage: str) -> str:
    figures = summary.get("latency_ms", {}).get(stage)
    return f"{_cell(figures['p50'])} / {_cell(figures['p95'])}" if figures else "–"


def _intro(report: Mapping[str, Any]) -> list[str]:
    return [
        f"Dataset `{report['dataset']}` on workspace `{report['workspace']}`, "
        f"generated {report['generated_at']}.",
        f"Models: {json.dumps(report.get('models', {}))}.",
        "`ours` is the copilot with the verifier on; `ours_verifier_off` answers from the same "
        "drafts without it. Baselines run on the same model server and data.",
    ]


def markdown(report: Mapping[str, Any], charts: Sequence[Path]) -> str:
    lines = ["# Evaluation report", "", *_intro(report), ""]
    for title, header, rows in tables(report):
        lines += [f"## {title}", "", "| " + " | ".join(header) + " |"]
        lines += ["|" + "---|" * len(header)]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        lines.append("")
    lines += [f"![{p.stem}]({p.name})" for p in charts]
    return "\n".join(lines) + "\n"


def page(report: Mapping[str, Any], charts: Sequence[Path]) -> str:
    parts = ["<h1>Evaluation report</h1>", *(f"<p>{html.escape(t)}</p>" for t in _intro(report))]
    for title, header, rows in tables(report):
        head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows
        )
        parts.append(f"<h2>{html.escape(title)}</h2><table><tr>{head}</tr>{body}</table>")
    for chart in charts:
        data = base64.b64encode(chart.read_bytes()).decode("ascii")
        parts.append(f'<img alt="{chart.stem}" src="data:image/png;base64,{data}">')
    style = (
        "body{font-family:sans-serif;max-width:60em;margin:2em auto}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .6em}"
        "img{max-width:100%;display:block;margin:1em 0}"
    )
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>Evaluation report</title>"
        f"<style>{style}</style></head><body>{''.join(parts)}</body></html>\n"
    )
