"""End-to-end answers on a golden dataset: facts found, citation precision, refusals, latency.

    python -m eval.answers --workspace examples/acme --dataset examples/acme/golden.jsonl

Runs the real stack (retrieval chain, the configured chat model) on the retrieval-route
questions: answerable ones for facts and citations, unanswerable and access probes for
refusals and leaks (a citation to a forbidden source).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from copilot.arguments import output_file
from copilot.config import Settings
from copilot.copilot import Workspace
from copilot.llm import open_chat_model
from eval.golden import GoldenItem, load_golden
from eval.metrics import citation_precision, fact_recall, percentile


def _score(item: GoldenItem, answer: dict[str, Any]) -> dict[str, Any]:
    cited = [c["source_id"] for c in answer["citations"]]
    return {
        "id": item.id,
        "answerable": item.answerable,
        "refused": answer["refused"],
        "cited": bool(cited),
        "facts": fact_recall(answer["answer"], item.answer_facts) if item.answerable else None,
        "precision": citation_precision(cited, item.expected_source_ids) if cited else None,
        "leak": bool(set(cited) & set(item.forbidden_source_ids)),
        "total_ms": answer["timings_ms"]["total"],
        "generate_ms": answer["timings_ms"].get("generate"),
        "answer": answer["answer"],
    }


def _mean(values: list[float]) -> float:
    return round(sum(values) / len(values), 3) if values else 0.0


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    generated = [r["total_ms"] for r in rows if r["generate_ms"] is not None]
    return {
        "questions": len(rows),
        "fact_recall": _mean([r["facts"] for r in answerable]),
        "answered_with_citation": _mean([float(r["cited"]) for r in answerable]),
        "citation_precision": _mean([r["precision"] for r in rows if r["precision"] is not None]),
        "refusal_rate_unanswerable": _mean([float(r["refused"]) for r in unanswerable]),
        "refusal_rate_answerable": _mean([float(r["refused"]) for r in answerable]),
        "access_leaks": sum(r["leak"] for r in rows),
        "answer_ms_p50": percentile(generated, 50),
        "answer_ms_p95": percentile(generated, 95),
        "total_ms_p50_all": percentile([r["total_ms"] for r in rows], 50),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workspace", type=Path, required=True)
    parser.add_argument("--dataset", type=Path, required=True)
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--out", type=output_file, help="write per-question rows as JSONL")
    args = parser.parse_args()
    settings = Settings.load(args.workspace)
    workspace = Workspace(settings)
    items = [i for i in load_golden(args.dataset) if i.expected_route == "retrieval"]
    items = items[: args.limit] if args.limit else items
    with open_chat_model(settings, settings.resolved_data_dir) as chat:
        copilot = workspace.copilot(chat)
        rows = [
            _score(item, copilot.answer(item.question, workspace.principal(item.user)).to_dict())
            for item in items
        ]
    if args.out:
        args.out.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    print(json.dumps(summarise(rows), indent=2))


if __name__ == "__main__":
    main()
