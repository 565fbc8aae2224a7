"""Execution-guided self-consistency: several candidate queries, one answer by their results.

A small model's single greedy query is often wrong in ways that sampling does not repeat,
while correct queries, however differently written, return the same rows. So the chain
samples a few candidates, runs each (guarded, read-only), and keeps the result that most
candidates agree on (Wang et al. 2023's self-consistency, voted on execution results as in
CodeT and the BIRD leaderboard systems). Candidates that fail to run have no vote.

Results compare as bags of rows under column permutation (cells normalised: numbers to a
few digits, text as written), the convention execution-accuracy benchmarks use. An empty
result counts only when nothing else came back: a filter that matches nothing is the small
model's most common silent mistake, and it agrees with itself easily.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from copilot.sql.readonly import QueryResult

ResultKey = tuple[tuple[tuple[str, ...], int], ...]


@dataclass(frozen=True)
class Candidate:
    """One query that ran (as guarded) and its result."""

    sql: str
    result: QueryResult


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float, Decimal)):
        return f"{float(value):.6g}"
    return "NULL" if value is None else str(value)


def result_key(result: QueryResult) -> ResultKey:
    """The result as a bag of rows, each row's cells sorted (so column order does not count)."""
    rows = Counter(tuple(sorted(_cell(v) for v in row)) for row in result.rows)
    return tuple(sorted(rows.items()))


def vote(candidates: Sequence[Candidate]) -> Candidate | None:
    """The candidate whose result most others share; ties go to the earliest candidate.

    Non-empty results outrank empty ones whatever the counts. ``None`` if nothing ran.
    """
    if not candidates:
        return None
    keys = [result_key(c.result) for c in candidates]
    counts = Counter(keys)

    def rank(index: int) -> tuple[bool, int, int]:
        return (bool(candidates[index].result.rows), counts[keys[index]], -index)

    return candidates[max(range(len(candidates)), key=rank)]
