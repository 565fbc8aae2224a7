import pytest

from copilot import citations
from copilot.types import Access, Evidence


def _ev(source_id: str, text: str = "text") -> Evidence:
    return Evidence(
        source_id=source_id,
        kind="doc",
        title=source_id,
        url=f"file:///{source_id}",
        text=text,
        access=Access.public(),
    )


def test_parse_marker_forms() -> None:
    assert citations.cited_numbers("A [2]. B [1, 3]. C [4][2]. D [5-7].") == [2, 1, 3, 4, 5, 6, 7]
    assert citations.cited_numbers("no markers, [x] or [] here") == []


def test_resolve_renumbers_by_first_use_and_drops_invalid() -> None:
    evidence = [_ev("a"), _ev("b"), _ev("c")]
    text, cited = citations.resolve("First [3]. Second [1][9]. Third [3].", evidence)
    assert text == "First [1]. Second [2]. Third [1]."
    assert [c.source_id for c in cited] == ["c", "a"]
    assert [c.n for c in cited] == [1, 2]


def test_resolve_collapses_chunks_of_one_source() -> None:
    evidence = [_ev("thread"), _ev("thread"), _ev("doc")]
    text, cited = citations.resolve("X [1]. Y [2]. Z [3].", evidence)
    assert text == "X [1]. Y [1]. Z [2]."
    assert [c.source_id for c in cited] == ["thread", "doc"]


def test_resolve_with_only_invalid_markers_cites_nothing() -> None:
    text, cited = citations.resolve("Made up [7].", [_ev("a")])
    assert cited == [] and text == "Made up."


def test_snippet_is_flattened_and_bounded() -> None:
    long = "word " * 200
    out = citations.snippet(long, limit=50)
    assert len(out) <= 50 and out.endswith("…") and "\n" not in out


def test_split_sentences_keeps_markers_with_their_sentence() -> None:
    parts = citations.split_sentences("It is 90 days [1]. Renewal is automatic [2]. Done")
    assert parts == ["It is 90 days [1].", "Renewal is automatic [2].", "Done"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("His son was John C. Calhoun [1].", ["His son was John C. Calhoun [1]."]),
        (
            "Kelly D. Johnston served Oklahoma [1]. Bob Dole served Kansas [2].",
            ["Kelly D. Johnston served Oklahoma [1].", "Bob Dole served Kansas [2]."],
        ),
        (
            "The U.S. Army left St. Louis in May. It rained.",
            ["The U.S. Army left St. Louis in May.", "It rained."],
        ),
        ("Ask Dr. Li. She knows [1].", ["Ask Dr. Li.", "She knows [1]."]),
        ("The limit is 2.5. It rises.", ["The limit is 2.5.", "It rises."]),
        # A marker after the period is the model ending its sentence, initial or not.
        ("Plan C [1]. Then more.", ["Plan C [1].", "Then more."]),
    ],
)
def test_split_sentences_does_not_cut_at_initials_or_abbreviations(
    text: str, expected: list[str]
) -> None:
    assert citations.split_sentences(text) == expected


def test_anchor_places_a_marker_after_a_name_with_an_initial() -> None:
    sentences = citations.split_sentences("His son was John C. Calhoun.")
    assert citations.anchor_markers(sentences, [[0.9]], 0.5, 0.15) == (
        "His son was John C. Calhoun [1]."
    )


def test_anchor_adds_marker_to_uncited_sentence_above_threshold() -> None:
    out = citations.anchor_markers(
        ["It is 90 days.", "Unrelated."], [[0.2, 0.8], [0.1, 0.2]], 0.5, 0.15
    )
    assert out == "It is 90 days [2]. Unrelated."


def test_anchor_keeps_model_marker_unless_clearly_worse() -> None:
    kept = citations.anchor_markers(["A [1]."], [[0.7, 0.8]], 0.5, 0.15)
    moved = citations.anchor_markers(["A [1]."], [[0.2, 0.8]], 0.5, 0.15)
    assert kept == "A [1]." and moved == "A [2]."


def test_strip_markers() -> None:
    assert citations.strip_markers("It is [1] 90 days [2][3].") == "It is 90 days."


def test_merge_drafts_shifts_the_second_steps_markers() -> None:
    from copilot.types import Draft

    sql = Draft("There were 12 rollbacks [1].", (_ev("sql:acme"),), "sql", sql="SELECT 1")
    docs = Draft("Rollbacks follow the runbook [1][2].", (_ev("a"), _ev("b")), "retrieval")
    merged = citations.merge_drafts([sql, docs])
    assert merged.text == "There were 12 rollbacks [1]. Rollbacks follow the runbook [2][3]."
    assert [e.source_id for e in merged.evidence] == ["sql:acme", "a", "b"]
    assert merged.route == "sql" and merged.sql == "SELECT 1" and not merged.refused


def test_merge_drafts_skips_refused_steps() -> None:
    from copilot.types import Draft

    refused = Draft("I don't know.", (), "sql", refused=True)
    docs = Draft("It is 90 days [1].", (_ev("a"),), "retrieval")
    merged = citations.merge_drafts([refused, docs])
    assert merged.text == "It is 90 days [1]." and not merged.refused
    assert citations.merge_drafts([refused]).refused
