"""Voting on execution results: the result most candidates agree on wins."""

from __future__ import annotations

from decimal import Decimal

from copilot.sql.readonly import QueryResult
from copilot.sql.voting import Candidate, result_key, vote


def _result(*rows: tuple[object, ...]) -> QueryResult:
    return QueryResult(["a", "b"][: len(rows[0]) if rows else 1], list(rows), False)


def test_result_key_ignores_row_and_column_order_but_counts_duplicates() -> None:
    one = _result(("texas", 1), ("ohio", 2))
    assert result_key(one) == result_key(_result((2, "ohio"), (1, "texas")))
    assert result_key(_result(("x",), ("x",))) != result_key(_result(("x",)))
    assert result_key(_result((Decimal("2.50"),))) == result_key(_result((2.5,)))


def test_the_majority_result_wins_whatever_the_sql() -> None:
    candidates = [
        Candidate("SELECT 1", _result(("austin",))),
        Candidate("SELECT 2", _result(("dallas",))),
        Candidate("SELECT 3", _result(("dallas",))),
    ]
    assert vote(candidates) == candidates[1]


def test_ties_go_to_the_earliest_candidate() -> None:
    candidates = [
        Candidate("greedy", _result(("austin",))),
        Candidate("sample", _result(("dallas",))),
    ]
    assert vote(candidates) == candidates[0]


def test_an_empty_result_wins_only_when_nothing_else_came_back() -> None:
    empty = QueryResult(["a"], [], False)
    candidates = [
        Candidate("e1", empty),
        Candidate("e2", empty),
        Candidate("rows", _result(("austin",))),
    ]
    assert vote(candidates) == candidates[2]
    assert vote(candidates[:2]) == candidates[0]
    assert vote([]) is None
