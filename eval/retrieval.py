"""Retrieval quality and latency on a golden dataset: recall@k and MRR over what the model sees.

    python -m eval.retrieval --workspace examples/acme --dataset examples/acme/golden.jsonl

Each answerable retrieval question is searched as its user; the ranked chunks are reduced to
their distinct source ids, and compared with ``expected_source_ids``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from copilot.config import Settings
from copilot.copilot import Workspace
from eval.golden import load_golden
from eval.metrics import percentile, recall_at_k, reciprocal_rank, unique_in_order


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workspace", type=Path, required=True)
    parser.add_argument("--dataset", type=Path, required=True)
    parser.add_argument("--k", type=int, default=5)
    args = parser.parse_args()
    workspace = Workspace(Settings.load(args.workspace))
    retriever = workspace.retriever()
    items = [
        i for i in load_golden(args.dataset)
        if i.expected_route == "retrieval" and i.answerable and i.expected_source_ids
    ]  # fmt: skip
    retriever.search("warm up", workspace.principal(None), k=args.k)
    recalls, ranks, latencies, misses = [], [], [], []
    for item in items:
        started = time.perf_counter()
        evidence = retriever.search(item.question, workspace.principal(item.user), k=args.k)
        latencies.append((time.perf_counter() - started) * 1000)
        sources = unique_in_order(e.source_id for e in evidence)
        recalls.append(recall_at_k(sources, item.expected_source_ids, len(sources)))
        ranks.append(reciprocal_rank(sources, item.expected_source_ids))
        if recalls[-1] < 1:
            misses.append({"id": item.id, "expected": item.expected_source_ids, "got": sources})
    report = {
        "questions": len(items),
        f"recall@{args.k}": round(sum(recalls) / len(recalls), 3),
        "mrr": round(sum(ranks) / len(ranks), 3),
        "latency_ms_p50": round(percentile(latencies, 50), 1),
        "latency_ms_p95": round(percentile(latencies, 95), 1),
        "misses": misses,
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
