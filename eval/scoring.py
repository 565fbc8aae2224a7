"""One attempt at one question, scored: the row every summary and report is built from.

An ``Attempt`` is what any system produced (ours with the verifier on or off, or a baseline),
reduced to what scoring needs, so ours and the baselines are scored by the same functions.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from copilot.citations import strip_markers
from copilot.types import Access, Principal
from eval.golden import GoldenItem
from eval.metrics import (
    citation_precision,
    citation_recall,
    execution_match,
    fact_recall,
    span_scores,
)

Rows = tuple[tuple[Any, ...], ...]


@dataclass(frozen=True)
class Attempt:
    system: str
    text: str
    cited: tuple[str, ...]
    refused: bool
    route: str | None = None
    sql: str | None = None
    rows: Rows | None = None
    timings_ms: Mapping[str, float] = field(default_factory=dict)
    error: str | None = None
    # The system's answer in a few words, when it gives one: what exact match and F1 score
    # (HotpotQA's references are spans). The judge and fact recall read ``text``.
    short: str | None = None

    @classmethod
    def from_answer(cls, system: str, answer: Mapping[str, Any]) -> Attempt:
        """Our answer JSON (``Answer.to_dict()``)."""
        result = answer.get("sql_result")
        rows = tuple(tuple(r) for r in result["rows"]) if result else None
        return cls(
            system=system,
            text=strip_markers(answer["answer"]),
            cited=tuple(dict.fromkeys(c["source_id"] for c in answer["citations"])),
            refused=bool(answer["refused"]),
            route=answer.get("route"),
            sql=answer.get("sql"),
            rows=rows,
            timings_ms=dict(answer.get("timings_ms") or {}),
            short=answer.get("short_answer"),
        )


# A baseline has no refusal flag: it refuses in words. The usual phrasings of "the context
# does not say", kept broad on purpose (a missed refusal would flatter nobody).
_REFUSAL = re.compile(
    r"\b(i (do not|don't|cannot|can't|couldn't) (know|find|answer|verify|determine)"
    r"|(is|are) not (mentioned|provided|specified|available|stated|given)"
    r"|no (information|mention|data)|does not (mention|provide|contain|specify|say)"
    r"|not enough information|unable to (answer|find|determine))\b",
    re.IGNORECASE,
)


def sounds_like_refusal(text: str) -> bool:
    """Whether a baseline's text declines to answer (empty text counts as declining)."""
    return not text.strip() or bool(_REFUSAL.search(text))


@dataclass(frozen=True)
class ScoringContext:
    """What scoring needs from the workspace: who may see which source, the gold SQL's rows,
    and an optional judge of correctness (None: not judged)."""

    access: Mapping[str, Access]
    gold_rows: Callable[[GoldenItem], Rows | None]
    judge: Callable[[GoldenItem, str], bool | None] | None = None


def leaked(
    cited: Sequence[str], item: GoldenItem, principal: Principal, ctx: ScoringContext
) -> int:
    """Citations the asker may not see: named as forbidden by the dataset, or a source whose
    access list does not allow them."""
    forbidden = set(item.forbidden_source_ids)
    hidden = {s for s in cited if s in ctx.access and not ctx.access[s].allows(principal)}
    return sum(1 for source in cited if source in forbidden or source in hidden)


def score(
    item: GoldenItem, attempt: Attempt, principal: Principal, ctx: ScoringContext
) -> dict[str, Any]:
    """The row for one attempt; ``None`` marks a metric that does not apply to the item."""
    answered = item.answerable and not attempt.refused
    row: dict[str, Any] = {
        "id": item.id,
        "system": attempt.system,
        "kind": item.kind or item.expected_route,
        "expected_route": item.expected_route,
        "route": attempt.route,
        "route_ok": None if attempt.route is None else attempt.route == item.expected_route,
        "answerable": item.answerable,
        "refused": attempt.refused,
        "answer": attempt.text,
        "short_answer": attempt.short,
        "cited": list(attempt.cited),
        "sql": attempt.sql,
        "leaks": leaked(attempt.cited, item, principal, ctx),
        "error": attempt.error,
        "timings_ms": dict(attempt.timings_ms),
    }
    row.update(_answer_scores(item, attempt, ctx) if item.answerable else _none(_ANSWER_KEYS))
    row.update(_citation_scores(item, attempt) if answered else _none(_CITATION_KEYS))
    row.update(_sql_scores(item, attempt, ctx))
    return row


_ANSWER_KEYS = ("em", "f1", "answer_in", "facts", "judged_correct")
_CITATION_KEYS = ("citation_precision", "citation_recall")


def _none(keys: Sequence[str]) -> dict[str, None]:
    return dict.fromkeys(keys)


def _answer_scores(item: GoldenItem, attempt: Attempt, ctx: ScoringContext) -> dict[str, Any]:
    """Against the reference answer; an item with none (a text-to-SQL question is scored by
    its rows) gets no text scores."""
    if not item.reference:
        return _none(_ANSWER_KEYS)
    text = "" if attempt.refused else attempt.text
    short = None if attempt.refused else attempt.short
    judged = ctx.judge(item, text) if ctx.judge and text else (False if ctx.judge else None)
    return {
        **span_scores(text, short, item.reference),
        "facts": fact_recall(text, item.answer_facts) if item.answer_facts else None,
        "judged_correct": judged,
    }


def _citation_scores(item: GoldenItem, attempt: Attempt) -> dict[str, Any]:
    """By gold source ids, only where the item names them (SQL and tool answers cite the
    query or the tool, which golden data does not list)."""
    if not item.expected_source_ids or item.expected_route != "retrieval":
        return _none(_CITATION_KEYS)
    return {
        "citation_precision": citation_precision(attempt.cited, item.expected_source_ids)
        if attempt.cited
        else None,
        "citation_recall": citation_recall(attempt.cited, item.expected_source_ids),
    }


def _sql_scores(item: GoldenItem, attempt: Attempt, ctx: ScoringContext) -> dict[str, Any]:
    """Execution accuracy: the bag of rows the attempt computed against the gold SQL's."""
    if not item.gold_sql:
        return {"sql_correct": None, "sql_executed": None}
    gold = ctx.gold_rows(item)
    if gold is None or attempt.rows is None:
        return {"sql_correct": False, "sql_executed": attempt.rows is not None}
    ordered = "order by" in item.gold_sql.lower()
    return {"sql_correct": execution_match(attempt.rows, gold, ordered), "sql_executed": True}
