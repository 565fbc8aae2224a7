"""The verifier evaluation's pure parts: HotpotQA metrics, ALCE bookkeeping, the workspace
built from the benchmark's passages."""

import json
from pathlib import Path

from copilot.types import Access, Evidence
from eval.metrics import answer_in_text, citation_recall, exact_match, normalize_answer, token_f1
from eval.verifier import Item, alce_claims, alce_take, hotpot_items, hotpot_workspace, per_kind


def test_hotpotqa_normalisation_exact_match_and_f1() -> None:
    assert normalize_answer('The  "Pistol Pete"!') == "pistol pete"
    assert exact_match("the Pistol Pete.", '"Pistol Pete"') == 1.0
    assert token_f1("Pete Sampras was Pistol Pete", "Pistol Pete") == 2 * 0.4 * 1.0 / 1.4
    assert token_f1("yes", "no") == 0.0 and token_f1("no idea", "yes") == 0.0
    assert answer_in_text("His nickname was Pistol Pete [1].", "Pistol Pete") == 1.0
    assert answer_in_text("Petes", "Pete") == 0.0


def test_citation_recall_by_gold_ids() -> None:
    assert citation_recall(["a", "c"], ["a", "b"]) == 0.5
    assert citation_recall([], ["a"]) == 0.0 and citation_recall(["a"], []) == 1.0


def _ev(source_id: str) -> Evidence:
    return Evidence(source_id, "doc", source_id, "", "text", Access.public())


def test_alce_claims_and_take_agree_on_order() -> None:
    a, b = _ev("a"), _ev("b")
    claims = alce_claims("x", [a, b])
    assert [c.sources for c in claims] == [(a, b), (a,), (b,), (b,), (a,)]
    full, alone, rest = alce_take(iter([True, True, False, True, False]), 2)
    assert full and alone == [True, False] and rest == [True, False]
    assert alce_take(iter([False]), 1) == (False, [False], [False])
    assert alce_take(iter([]), 0) == (False, [], [])


def test_per_kind_keeps_the_first_of_each_kind() -> None:
    items = [Item(str(i), "q", None, (), True, kind) for i, kind in enumerate("aabbbc")]
    assert [i.id for i in per_kind(items, 1)] == ["0", "2", "5"]
    assert per_kind(items, 0) == items


def test_hotpot_workspace_maps_passages_to_source_ids(tmp_path: Path) -> None:
    bench = tmp_path / "bench"
    bench.mkdir()
    passage = {"passage_id": "hp00001", "title": "Pete Sampras", "text": "He was a player."}
    (bench / "corpus_public.jsonl").write_text(json.dumps(passage) + "\n")
    question = {"qid": "q1", "question": "Who? ", "answer": "Pete", "gold_passage_ids": ["hp00001"]}
    (bench / "public_dev_questions.jsonl").write_text(json.dumps(question) + "\n")
    ws = hotpot_workspace(bench, tmp_path / "ws")
    assert (ws / "docs" / "hp00001.md").read_text().startswith("# Pete Sampras\n")
    assert "documents" in (ws / "copilot.yaml").read_text()
    [item] = hotpot_items(bench)
    assert item.gold_ids == ("docs:hp00001.md",) and item.question == "Who?"
