"""Block Kit rendering: links, sources, SQL, badges, feedback, and Slack's limits."""

from __future__ import annotations

import json
from typing import Any

from copilot.types import Answer, Citation, PendingAction
from ui.slack_blocks import (
    ACTION_BLOCK,
    ACTION_CANCEL,
    ACTION_CONFIRM,
    FEEDBACK_DOWN,
    FEEDBACK_UP,
    MAX_BLOCKS,
    MAX_SECTION_CHARS,
    TRUNCATED,
    escape,
    feedback_reason_view,
    fit,
    link,
    link_markers,
    render_answer,
    render_notice,
    render_outcome,
    section,
    settled_blocks,
    split_text,
)

SLACK = Citation(
    1,
    "slack:G1:1767600000.000500",
    "slack",
    "#moving: office move",
    "https://tiny.slack.com/archives/G1/p1767600000000500",
    "The office move...",
)
DOC = Citation(2, "docs:it/vpn.md", "doc", "VPN", "file:///srv/docs/it/vpn.md#certificates", "...")


def _answer(**changes: Any) -> Answer:
    base = Answer(
        question="When is the move?",
        answer="The move is on March 3 [1]. Certificates last 90 days [2].",
        route="retrieval",
        citations=[SLACK, DOC],
        timings_ms={"total": 1234},
    )
    for key, value in changes.items():
        setattr(base, key, value)
    return base


def _texts(blocks: list[dict[str, Any]]) -> list[str]:
    found = []
    for block in blocks:
        if "text" in block:
            found.append(block["text"]["text"])
        for element in block.get("elements", []):
            if element.get("type") == "mrkdwn":
                found.append(element["text"])
    return found


def _all_text(blocks: list[dict[str, Any]]) -> str:
    return "\n".join(_texts(blocks))


def test_markers_link_to_web_citations_only() -> None:
    text = link_markers("Move on March 3 [1]; certificates [2]; unknown [7].", [SLACK, DOC])
    assert f"<{SLACK.url}|[1]>" in text
    assert "[2]" in text and "file://" not in text  # a server path is not a link in Slack
    assert "unknown [7]" in text


def test_text_is_escaped_so_it_cannot_mention_or_link() -> None:
    text = link_markers("Use <!channel> & <https://evil.example|click> [1]", [SLACK])
    assert "<!channel>" not in text and "&lt;!channel&gt;" in text and "&amp;" in text
    assert text.count("<") == 1  # only our citation link


def test_link_escapes_label_and_url_separators() -> None:
    assert link("https://x.example/a|b>c", "A <b>") == "<https://x.example/a%7Cb%3Ec|A &lt;b&gt;>"
    assert link("ftp://x", "label & co") == "label &amp; co"
    assert escape("a<b>&c") == "a&lt;b&gt;&amp;c"


def test_full_answer_has_sources_badge_and_feedback() -> None:
    message = render_answer(_answer(), audit_id="abc123", note="Only sources all members see.")
    blocks = message.blocks
    text = _all_text(blocks)
    assert "*Sources*" in text
    assert f"[1] <{SLACK.url}|#moving: office move>" in text
    assert "[2] VPN `file:///srv/docs/it/vpn.md#certificates`" in text
    assert ":warning: Not verified" in text and "route: retrieval" in text
    assert "Only sources all members see." in text
    actions = [b for b in blocks if b["type"] == "actions"]
    assert len(actions) == 1
    buttons = actions[0]["elements"]
    assert [b["action_id"] for b in buttons] == [FEEDBACK_UP, FEEDBACK_DOWN]
    assert all(b["value"] == "abc123" for b in buttons)
    assert message.text.startswith("The move is on March 3")
    json.dumps(message.to_dict())  # what chat.postMessage sends must be JSON


def test_no_feedback_buttons_without_an_audit_id() -> None:
    blocks = render_answer(_answer()).blocks
    assert all(b["type"] != "actions" for b in blocks)


def test_sql_answer_shows_the_query_in_a_code_block() -> None:
    sql = "SELECT count(*) FROM deploys WHERE status = 'rolled_back' AND x < 3 LIMIT 100"
    blocks = render_answer(_answer(sql=sql, route="sql")).blocks
    code = [t for t in _texts(blocks) if t.startswith("*SQL*")]
    assert code == ["*SQL*\n```" + sql.replace("<", "&lt;") + "```"]


def test_badges_for_verified_refused_and_verdicts() -> None:
    verdicts = [{"verdict": "supported"}, {"verdict": "supported"}, {"verdict": "not_mentioned"}]
    verified = _all_text(render_answer(_answer(verified=True, verdicts=verdicts)).blocks)
    assert ":white_check_mark: Verified" in verified and "(2/3 sentences supported)" in verified
    unverified = _all_text(render_answer(_answer(verdicts=verdicts)).blocks)
    assert ":warning: Not verified" in unverified and "(2/3" in unverified
    refused = render_answer(_answer(refused=True, citations=[], answer="I don't know.")).blocks
    assert ":no_entry_sign: No answer" in _all_text(refused)
    assert "*Sources*" not in _all_text(refused)


def test_split_text_respects_the_limit_and_keeps_links_whole() -> None:
    url_link = "<https://x.example/a|[1]>"
    text = " ".join(["word"] * 2000 + [url_link] + ["word"] * 2000)
    pieces = split_text(text, 3000)
    assert all(len(p) <= 3000 for p in pieces)
    assert sum(p.count(url_link) for p in pieces) == 1
    assert " ".join(pieces).split() == text.split()  # nothing lost, only cut at spaces
    assert split_text("x" * 7000, 3000) == ["x" * 3000, "x" * 3000, "x" * 1000]
    assert split_text("") == [""]


def test_long_answer_is_split_into_sections_within_limits() -> None:
    long_text = ("A sentence about the VPN that goes on [1]. " * 400).strip()
    blocks = render_answer(_answer(answer=long_text), audit_id="id").blocks
    sections = [b for b in blocks if b["type"] == "section"]
    assert len(sections) > 5
    assert all(len(b["text"]["text"]) <= MAX_SECTION_CHARS for b in sections)
    assert len(blocks) <= MAX_BLOCKS


def test_huge_answer_is_cut_to_fifty_blocks_keeping_sources_and_buttons() -> None:
    huge = "word " * 100_000
    blocks = render_answer(_answer(answer=huge), audit_id="id").blocks
    assert len(blocks) == MAX_BLOCKS
    assert blocks[-1]["type"] == "actions"
    assert any(TRUNCATED in t for t in _texts(blocks))
    assert "*Sources*" in _all_text(blocks)
    assert all(len(t) <= MAX_SECTION_CHARS for t in _texts(blocks))


def test_many_sources_are_capped_and_counted() -> None:
    many = [
        Citation(n, f"docs:{n}.md", "doc", f"Doc {n}", f"https://d.example/{n}", "")
        for n in range(1, 61)
    ]
    blocks = render_answer(_answer(citations=many)).blocks
    text = _all_text(blocks)
    assert "[20] <https://d.example/20|Doc 20>" in text and "Doc 21" not in text
    assert "… and 40 more" in text
    assert all(len(t) <= MAX_SECTION_CHARS for t in _texts(blocks))


def test_long_sql_is_cut_inside_its_code_block() -> None:
    sql = "SELECT " + ", ".join(f"column_{n}" for n in range(1000)) + " FROM t"
    blocks = render_answer(_answer(sql=sql)).blocks
    code = next(t for t in _texts(blocks) if t.startswith("*SQL*"))
    assert len(code) <= MAX_SECTION_CHARS and code.count("```") == 2
    assert code.endswith("```\n" + TRUNCATED)


def test_fit_never_drops_the_tail() -> None:
    body = [section(str(n)) for n in range(60)]
    tail = [section("sources"), section("badge")]
    fitted = fit(body, tail)
    assert len(fitted) == MAX_BLOCKS and fitted[-2:] == tail
    assert fitted[-3]["text"]["text"] == TRUNCATED
    assert fit(body[:3], tail) == [*body[:3], *tail]


def test_section_guards_the_limit_and_empty_text() -> None:
    assert len(section("y" * 5000)["text"]["text"]) == MAX_SECTION_CHARS
    assert section("")["text"]["text"] == " "  # Slack rejects an empty text


def test_notice_and_feedback_modal() -> None:
    notice = render_notice("Model <down> & out")
    assert notice.blocks[0]["text"]["text"] == ":warning: Model &lt;down&gt; &amp; out"
    view = feedback_reason_view("abc")
    assert view["private_metadata"] == "abc" and view["blocks"][0]["optional"] is True


def test_a_proposed_write_gets_confirm_and_cancel_and_no_trust_badge() -> None:
    from datetime import UTC, datetime

    action = PendingAction("tok-123", "create_ticket", {"title": "<b>x</b>"}, datetime.now(UTC))
    proposal = Answer(
        "open a ticket", f"I can run {action.summary}.", "tool", [], pending_action=action
    )
    message = render_answer(proposal, audit_id="a1")
    buttons = next(b for b in message.blocks if b.get("block_id") == ACTION_BLOCK)
    assert [(e["action_id"], e["value"], e["style"]) for e in buttons["elements"]] == [
        (ACTION_CONFIRM, "tok-123", "primary"),
        (ACTION_CANCEL, "tok-123", "danger"),
    ]
    shown = json.dumps(message.blocks)
    assert "Needs your confirmation" in shown and "Verified" not in shown
    assert "&lt;b&gt;" in shown and "<b>" not in shown  # arguments are escaped
    assert ACTION_BLOCK not in json.dumps(render_answer(_answer(), audit_id="a1").blocks)
    settled = settled_blocks(message.blocks, "Confirmed by <@U1>")
    assert ACTION_BLOCK not in json.dumps(settled) and settled[-1]["type"] == "context"
    assert any(b.get("block_id") == "copilot_feedback" for b in settled)  # the rest stays


def test_an_outcome_names_who_decided_and_links_its_result() -> None:
    result = Citation(1, "tool:create_ticket", "tool", "create_ticket(title=x)", "", '{"id": 7}')
    ran = Answer("confirm x", 'Done: I ran x. It returned {"id": 7} [1].', "tool", [result])
    message = render_outcome(ran, verb="confirmed", user_id="U1")
    shown = json.dumps(message.blocks)
    assert message.blocks[0]["text"]["text"].startswith(":white_check_mark: Done: I ran x.")
    assert "*Sources*" in shown and "Confirmed by <@U1>" in shown
    failed = Answer("confirm x", "x did not succeed: HTTP 500", "tool", [], refused=True)
    assert (
        render_outcome(failed, verb="confirmed", user_id="U<1>")
        .blocks[0]["text"]["text"]
        .startswith(":warning:")
    )
    forged = json.dumps(render_outcome(failed, verb="confirmed", user_id="U<1>").blocks)
    assert "<@U&lt;1&gt;>" in forged


def test_a_short_answer_leads_in_bold_and_escaped() -> None:
    blocks = render_answer(_answer(short_answer="March 3 <!here>")).blocks
    texts = _texts(blocks)
    assert texts[0] == "*March 3 &lt;!here&gt;*"
    assert texts[1].startswith("The move is on March 3")
    assert _texts(render_answer(_answer()).blocks)[0].startswith("The move is on March 3")
