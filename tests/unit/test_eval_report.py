"""`copilot eval`'s scoring, summaries and report files, on hand-made attempts."""

from __future__ import annotations

import json
from pathlib import Path

from copilot.types import Access, Principal
from eval import report
from eval.cli import per_kind
from eval.golden import GoldenItem
from eval.runner import LLAMAINDEX, OURS, OURS_UNVERIFIED, EvalRun, real_timings
from eval.scoring import Attempt, ScoringContext, score, sounds_like_refusal
from eval.summary import compare, refusal_scores, summarise

ALICE = Principal.user("alice@acme.example")


def _item(**changes: object) -> GoldenItem:
    base: dict[str, object] = {
        "id": "q1",
        "question": "How long do VPN certificates last?",
        "user": "alice@acme.example",
        "expected_route": "retrieval",
        "expected_source_ids": ("docs:vpn.md",),
        "answer_facts": ("90 days",),
        "answerable": True,
        "kind": "retrieval",
    }
    base.update(changes)
    return GoldenItem(**base)  # type: ignore[arg-type]


def _ctx(judge: bool = False, gold: tuple[tuple[object, ...], ...] | None = None) -> ScoringContext:
    return ScoringContext(
        access={
            "docs:vpn.md": Access.public(),
            "docs:salaries.md": Access(users=frozenset({"hr@acme.example"})),
        },
        gold_rows=lambda item: gold,
        judge=(lambda item, text: "90 days" in text) if judge else None,
    )


def _attempt(system: str = OURS, **changes: object) -> Attempt:
    base: dict[str, object] = {
        "system": system,
        "text": "VPN certificates last 90 days.",
        "cited": ("docs:vpn.md",),
        "refused": False,
        "route": "retrieval",
        "timings_ms": {"route": 5.0, "total": 900.0},
    }
    base.update(changes)
    return Attempt(**base)  # type: ignore[arg-type]


def test_a_right_answer_scores_on_every_figure() -> None:
    row = score(_item(), _attempt(), ALICE, _ctx(judge=True))
    assert row["route_ok"] is True
    assert row["facts"] == 1.0 and row["judged_correct"] is True
    assert row["citation_precision"] == 1.0 and row["citation_recall"] == 1.0
    assert row["leaks"] == 0 and row["f1"] > 0.3
    assert row["sql_correct"] is None


def test_a_citation_the_asker_may_not_see_is_a_leak() -> None:
    forbidden = score(_item(), _attempt(cited=("docs:salaries.md",)), ALICE, _ctx())
    named = score(_item(forbidden_source_ids=("docs:vpn.md",)), _attempt(), ALICE, _ctx())
    assert forbidden["leaks"] == 1 and forbidden["citation_precision"] == 0.0
    assert named["leaks"] == 1


def test_a_refusal_scores_no_citations_and_zero_answer() -> None:
    row = score(_item(), _attempt(refused=True, text="I couldn't verify"), ALICE, _ctx(True))
    assert row["citation_precision"] is None and row["f1"] == 0.0
    assert row["judged_correct"] is False


def test_sql_is_scored_by_its_rows_not_its_text() -> None:
    item = _item(expected_route="sql", gold_sql="SELECT n FROM t", expected_source_ids=())
    right = score(item, _attempt(rows=((3,),), route="sql"), ALICE, _ctx(gold=((3,),)))
    wrong = score(item, _attempt(rows=((4,),), route="sql"), ALICE, _ctx(gold=((3,),)))
    failed = score(item, _attempt(rows=None, route="sql"), ALICE, _ctx(gold=((3,),)))
    assert right["sql_correct"] is True and wrong["sql_correct"] is False
    assert failed["sql_correct"] is False and failed["sql_executed"] is False
    assert right["citation_precision"] is None


def test_refusal_precision_and_recall() -> None:
    rows = [
        {"refused": True, "answerable": False},
        {"refused": True, "answerable": True},
        {"refused": False, "answerable": False},
        {"refused": False, "answerable": True},
    ]
    figures = refusal_scores(rows)
    assert figures["refusal_precision"] == 0.5
    assert figures["refusal_recall"] == 0.5
    assert figures["refusal_rate_answerable"] == 0.5


def test_baseline_refusals_are_read_from_their_words() -> None:
    assert sounds_like_refusal("The context does not mention the offsite.")
    assert sounds_like_refusal("  ")
    assert not sounds_like_refusal("The offsite is in Lisbon on May 4.")


def test_the_verifier_on_answer_keeps_the_drafts_real_timings() -> None:
    first = {"route": 5.0, "retrieve": 20.0, "generate": 3000.0, "total": 3025.0}
    second = {"route": 4.0, "retrieve": 19.0, "generate": 1.0, "verify": 800.0, "total": 824.0}
    timings = real_timings(first, second)
    assert timings["generate"] == 3000.0 and timings["verify"] == 800.0
    assert timings["total"] == 3825.0


def test_comparison_is_on_the_questions_the_baseline_ran() -> None:
    ours = [
        score(_item(id="a"), _attempt(), ALICE, _ctx()),
        score(_item(id="b"), _attempt(text="no idea", cited=()), ALICE, _ctx()),
    ]
    theirs = [score(_item(id="a"), _attempt(LLAMAINDEX, text="It is 30 days."), ALICE, _ctx())]
    figures = compare(ours, theirs)
    assert figures["questions"] == 1
    f1 = figures["figures"]["f1"]
    assert f1["ours"] > f1["baseline"] and f1["ratio"] > 1


def test_per_kind_keeps_the_first_of_each_kind() -> None:
    items = [_item(id=f"r{i}") for i in range(3)] + [_item(id="u1", kind="unanswerable")]
    assert [i.id for i in per_kind(items, 2, None)] == ["r0", "r1", "u1"]
    assert [i.id for i in per_kind(items, 0, ["unanswerable"])] == ["u1"]


def test_report_files_hold_the_figures_and_charts(tmp_path: Path) -> None:
    ctx = _ctx(judge=True)
    unanswerable = _item(id="u", answerable=False, kind="unanswerable")
    rows = [
        score(_item(id="a"), _attempt(), ALICE, ctx),
        score(_item(id="a"), _attempt(OURS_UNVERIFIED, cited=("docs:x",)), ALICE, ctx),
        score(_item(id="a"), _attempt(LLAMAINDEX, text="30 days", route=None), ALICE, ctx),
        score(unanswerable, _attempt(refused=True), ALICE, ctx),
    ]
    retrieval = [{"id": "a", "recall": 1.0, "mrr": 0.5, "ms": 12.0, "retrieved": []}]
    run = EvalRun(rows, retrieval, "golden", "acme")
    content = report.build(run, {"k": 5, "models": {"chat": "m"}})
    paths = report.write(content, run, tmp_path)
    saved = json.loads(paths["json"].read_text())
    assert saved["systems"][OURS]["citation_precision"] == 1.0
    assert saved["systems"][OURS_UNVERIFIED]["citation_precision"] == 0.0
    assert saved["systems"][OURS]["refusal_recall"] == 1.0
    assert saved["comparisons"][LLAMAINDEX]["figures"]["judged_correct"]["baseline"] == 0.0
    assert saved["retrieval"]["mrr"] == 0.5
    markdown = paths["md"].read_text()
    assert "| citation_precision | 1 | 0 |" in markdown
    assert (tmp_path / "verifier.png").stat().st_size > 1000
    page = paths["html"].read_text()
    assert page.count("data:image/png;base64,") == len(list(tmp_path.glob("*.png"))) >= 3
    assert summarise(rows)["questions"] == 4


def test_a_slack_question_finds_the_thread_it_opens() -> None:
    from eval.benchmarks import _find_thread

    openings = {
        "Is there a `match` pattern that means zero or one?": "slack:C1:1.0",
        "Happy new year all. Why is the effect manager discouraged?": "slack:C2:2.0",
    }
    asked = "Happy new year all. Why is the effect manager discouraged?\nMore detail here."
    assert _find_thread(openings, asked) == "slack:C2:2.0"
    assert _find_thread(openings, "Something nobody asked") is None
    assert _find_thread(openings, "   ") is None


def test_span_metrics_read_the_short_answer_and_answer_in_text_the_whole() -> None:
    item = _item(answer="90 days")
    short = score(item, _attempt(short="90 days"), ALICE, _ctx())
    whole = score(item, _attempt(), ALICE, _ctx())
    assert short["em"] == 1.0 and short["f1"] == 1.0 and short["short_answer"] == "90 days"
    assert whole["em"] == 0.0 and 0 < whole["f1"] < 1.0 and whole["short_answer"] is None
    assert short["answer_in"] == whole["answer_in"] == 1.0
    assert summarise([short])["answer_in_text"] == 1.0
    refused = score(item, _attempt(short="90 days", refused=True), ALICE, _ctx())
    assert refused["f1"] == 0.0 and refused["answer_in"] == 0.0
