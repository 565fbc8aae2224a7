from eval.metrics import (
    citation_precision,
    execution_match,
    fact_recall,
    percentile,
    recall_at_k,
    reciprocal_rank,
)


def test_recall_and_rank() -> None:
    assert recall_at_k(["a", "b", "c"], ["c", "z"], 3) == 0.5
    assert recall_at_k(["a", "b", "c"], ["c"], 2) == 0.0
    assert reciprocal_rank(["a", "b", "c"], ["b"]) == 0.5
    assert reciprocal_rank(["a"], ["z"]) == 0.0


def test_percentile_nearest_rank() -> None:
    assert percentile([5, 1, 3, 2, 4], 50) == 3
    assert percentile([1, 2, 3, 4], 95) == 4
    assert percentile([], 50) == 0.0


def test_fact_recall_ignores_case_spacing_and_bold() -> None:
    assert fact_recall("It fires above **800 ms** for 10  minutes", ["800 ms", "10 minutes"]) == 1
    assert fact_recall("It is 90 days", ["90 days", "vpn.example"]) == 0.5


def test_citation_precision() -> None:
    assert citation_precision(["a", "b"], ["a"]) == 0.5
    assert citation_precision([], ["a"]) == 1.0


def test_execution_match_bags_rows_and_ignores_column_order() -> None:
    gold = [("austin", 3), ("dallas", 1)]
    assert execution_match([(1, "Dallas"), (3, "Austin")], gold, ordered=False)
    assert not execution_match([(1, "Dallas"), (3, "Austin")], gold, ordered=True)
    assert not execution_match([("austin", 3)], gold, ordered=False)
    assert execution_match([(2.0,)], [(2,)], ordered=False)
    assert not execution_match([("austin", 3), ("austin", 3)], [("austin", 3)], ordered=False)
