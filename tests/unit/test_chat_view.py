"""The Streamlit page's pure parts: answer Markdown, badges, sources, SQL tables, identity,
the admin view's rows and the launcher's safety checks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from copilot.audit import AuditEntry
from copilot.cli import main
from copilot.config import DatabaseSource, Settings, SlackApiSource
from copilot.directory import DirectoryUser, UserDirectory
from copilot.errors import ConfigError
from copilot.types import Answer, Citation, PendingAction, ResultTable
from tests.fakes.tiny_workspace import make_tiny_workspace
from ui import admin_view, chat_view, web_identity
from ui.streamlit_launch import check_exposure, streamlit_command

SLACK = Citation(1, "slack:C1:1.2", "slack", "#general: wifi", "https://t.slack.com/a/p1", "x")
LOCAL = Citation(2, "docs:it/vpn.md", "doc", "VPN", "file:///srv/docs/it/vpn.md#certs", "y")
DIRECTORY = UserDirectory(
    [
        DirectoryUser("ann@x.example", "Ann Lee", groups=frozenset({"eng"})),
        DirectoryUser("root@x.example", "Ro Ot", groups=frozenset({"admins"})),
    ]
)


def _answer(text: str, citations: list[Citation], **kw: object) -> Answer:
    return Answer("q?", text, "retrieval", citations, **kw)  # type: ignore[arg-type]


def _settings(**kw: object) -> Settings:
    return Settings(_env_file=None, **kw)  # type: ignore[call-arg, arg-type]


def test_markers_link_to_web_urls_and_local_paths_stay_plain() -> None:
    md = chat_view.answer_markdown(
        _answer("Wifi is open [1]. Certs last 90 days [2].", [SLACK, LOCAL])
    )
    assert md == ("Wifi is open [\\[1\\]](https://t.slack.com/a/p1). Certs last 90 days \\[2\\].")


def test_a_short_answer_heads_the_answer_in_bold() -> None:
    md = chat_view.answer_markdown(_answer("It is $60 [3].", [SLACK], short_answer="$60 *a day*"))
    assert md == "**\\$60 \\*a day\\***\n\nIt is \\$60 \\[3\\]."


def test_unknown_marker_is_not_linked() -> None:
    assert chat_view.answer_markdown(_answer("See [3].", [SLACK])) == "See \\[3\\]."


def test_model_text_cannot_inject_markdown_latex_or_links() -> None:
    text = "Costs $5 and $6, *not* [a](javascript:x) <b>:red[x]</b> [1]"
    md = chat_view.answer_markdown(_answer(text, [SLACK]))
    assert "\\$5 and \\$6" in md and "\\*not\\*" in md and "\\<b\\>" in md
    assert "](javascript:x)" not in md.replace("\\]", "")  # the bracket is escaped
    assert "\\:red\\[x\\]" in md
    assert md.endswith("[\\[1\\]](https://t.slack.com/a/p1)")


def test_url_with_spaces_and_parentheses_stays_one_link() -> None:
    odd = Citation(1, "d", "doc", "Odd", "https://wiki.example/a page (v2)", "")
    md = chat_view.answer_markdown(_answer("Yes [1].", [odd]))
    assert md == "Yes [\\[1\\]](https://wiki.example/a%20page%20%28v2%29)."


def test_stream_chunks_rebuild_the_text_and_never_split_a_link() -> None:
    md = chat_view.answer_markdown(_answer("Wifi is open [1], ask IT.", [SLACK]))
    chunks = list(chat_view.stream_chunks(md))
    assert "".join(chunks) == md
    assert any(c.startswith("[\\[1\\]](https://t.slack.com/a/p1)") for c in chunks)


def test_badges_tell_verified_unverified_and_refused_apart() -> None:
    assert chat_view.verified_badge(_answer("a", [], verified=True)).label == "verified"
    assert chat_view.verified_badge(_answer("a", [])).label == "not verified"
    refused = _answer("I don't know.", [], verified=True, refused=True)
    assert chat_view.verified_badge(refused).label == "no answer"
    sql = Answer("q", "3 [1].", "sql", [SLACK])
    assert chat_view.route_badge(sql).label == "route: SQL"


def test_sources_panel_numbers_citations_and_unnumbers_refusal_sources() -> None:
    items = chat_view.source_items(_answer("a [1][2]", [SLACK, LOCAL]))
    assert [i.n for i in items] == [1, 2]
    assert items[0].markdown() == "**\\[1\\]** 💬 [\\#general\\: wifi](https://t.slack.com/a/p1)"
    assert items[1].markdown() == "**\\[2\\]** 📄 VPN — `file:///srv/docs/it/vpn.md#certs`"
    refused = _answer("I couldn't verify.", [], refused=True, sources=[LOCAL])
    assert [i.n for i in chat_view.source_items(refused)] == [None]
    assert chat_view.sources_heading(refused) == "Sources worth reading (1)"
    assert chat_view.sources_heading(_answer("no", [])) == ""


def test_result_view_keeps_duplicate_columns_and_json_safe_values() -> None:
    table = ResultTable(("team", "n", "n"), (("core", Decimal("2.5"), 3),), truncated=True)
    answer = Answer("q", "x [1]", "sql", [SLACK], sql="SELECT 1", sql_result=table)
    view = chat_view.result_view(answer)
    assert view is not None and view.truncated
    assert view.records() == [{"team": "core", "n": "2.5", "n (2)": 3}]
    assert answer.to_dict()["sql_result"]["rows"] == [["core", "2.5", 3]]
    assert chat_view.result_view(_answer("x", [])) is None


def test_history_is_kept_per_user() -> None:
    assert chat_view.history_key("ann@x.example") != chat_view.history_key(None)


def test_header_identity_is_read_case_insensitively() -> None:
    who = web_identity.from_header(
        "X-Forwarded-Email", {"x-forwarded-email": " ANN@x.example "}, DIRECTORY
    )
    assert who.email == "ann@x.example" and who.groups == {"eng"} and who.via == "header"
    assert who.principal().members[0].email == "ann@x.example"


@pytest.mark.parametrize("headers", [{}, {"X-Forwarded-Email": ""}, {"X-Other": "a@x.example"}])
def test_missing_header_is_refused(headers: dict[str, str]) -> None:
    with pytest.raises(web_identity.IdentityError, match="X-Forwarded-Email"):
        web_identity.from_header("X-Forwarded-Email", headers, DIRECTORY)


def test_signed_in_stranger_is_refused() -> None:
    with pytest.raises(web_identity.IdentityError, match="not in the copilot's users directory"):
        web_identity.from_header("X-Forwarded-Email", {"X-Forwarded-Email": "eve@x"}, DIRECTORY)


def test_empty_header_setting_means_local_mode() -> None:
    assert web_identity.trusted_header(_settings(ui_trusted_user_header=" ")) is None
    assert web_identity.trusted_header(_settings(ui_trusted_user_header="X-Email")) == "X-Email"


def test_picker_lists_anonymous_first_then_users() -> None:
    assert web_identity.picker_options(DIRECTORY) == [None, "ann@x.example", "root@x.example"]
    assert web_identity.picker_label(DIRECTORY, None) == web_identity.ANONYMOUS_LABEL
    assert web_identity.picker_label(DIRECTORY, "ann@x.example") == "Ann Lee <ann@x.example>"
    assert web_identity.from_picker(None, DIRECTORY).principal().members == ()


def test_admin_only_for_the_admin_group_and_nobody_when_it_is_empty() -> None:
    root = web_identity.from_picker("root@x.example", DIRECTORY)
    ann = web_identity.from_picker("ann@x.example", DIRECTORY)
    anonymous = web_identity.from_picker(None, DIRECTORY)
    settings = _settings()
    assert web_identity.is_admin(root, settings)
    assert not web_identity.is_admin(ann, settings) and not web_identity.is_admin(
        anonymous, settings
    )
    assert not web_identity.is_admin(root, _settings(ui_admin_group=""))


def test_admin_source_rows_hide_database_passwords(tmp_path: Path) -> None:
    sources = [
        DatabaseSource(type="database", name="db", url="postgresql://u:s3cret@h/db"),
        SlackApiSource(type="slack_api", name="live"),
    ]
    rows = admin_view.source_rows(sources)
    assert rows[0]["location"] == "postgresql://u:***@h/db"
    assert "s3cret" not in str(rows)
    assert rows[1] == {
        "name": "live",
        "type": "slack_api",
        "location": "https://slack.com/api/ (token from $SLACK_BOT_TOKEN)",
    }


def test_refresh_summary_reports_failures_and_problems() -> None:
    assert admin_view.refresh_summary(None) is None
    summary = admin_view.refresh_summary(
        {
            "status": "partial",
            "finished_at": "2026-01-02T03:04:05+00:00",
            "report": {"added": 2, "failed": {"wiki": "timeout"}, "problems": {"docs": ["a.pdf"]}},
        }
    )
    assert summary is not None
    assert summary.headline().startswith("partial at 2026-01-02T03:04:05+00:00: 2 added")
    assert summary.failed == {"wiki": "timeout"} and summary.problems == ["docs: a.pdf"]


def test_audit_rows_newest_first_and_limited() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    entries = [
        AuditEntry(str(i), now + timedelta(minutes=i), None, None, "cli", f"q{i}", "sql")
        for i in range(5)
    ]
    rows = admin_view.audit_rows(entries, limit=2)
    assert [r["question"] for r in rows] == ["q4", "q3"]
    assert rows[0]["asker"] == "anonymous"


def test_launcher_refuses_the_picker_beyond_loopback() -> None:
    check_exposure(_settings(), "127.0.0.1")
    check_exposure(_settings(), "localhost")
    with pytest.raises(ConfigError, match="COPILOT_UI_TRUSTED_USER_HEADER"):
        check_exposure(_settings(), "0.0.0.0")
    check_exposure(_settings(ui_trusted_user_header="X-Forwarded-Email"), "0.0.0.0")


def test_launcher_turns_telemetry_off_and_passes_the_workspace(tmp_path: Path) -> None:
    command = streamlit_command(_settings(ui_port=9000), tmp_path)
    assert command[1:4] == ["-m", "streamlit", "run"]
    assert command[command.index("--browser.gatherUsageStats") + 1] == "false"
    assert command[command.index("--server.port") + 1] == "9000"
    assert command[-2:] == ["--workspace", str(tmp_path.resolve())]


def test_copilot_ui_refuses_the_picker_on_the_network(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("COPILOT_UI_TRUSTED_USER_HEADER", raising=False)
    workspace = make_tiny_workspace(tmp_path)
    assert main(["ui", "--workspace", str(workspace), "--address", "0.0.0.0"]) == 2
    assert "COPILOT_UI_TRUSTED_USER_HEADER" in capsys.readouterr().err


def test_done_label_says_whether_the_answer_was_checked() -> None:
    timed = {"total": 2500}
    verified = _answer("a", [], verified=True, timings_ms=timed)
    assert chat_view.done_label(verified) == "Answered and verified in 2.5 s"
    assert chat_view.done_label(_answer("a", [], timings_ms=timed)).startswith("Answered (not")
    refused = _answer("no", [], refused=True, timings_ms=timed)
    assert chat_view.done_label(refused) == "No answer found in 2.5 s"


def test_a_proposed_write_is_neither_verified_nor_refused() -> None:
    expires = datetime(2026, 1, 14, 15, 45, tzinfo=UTC)
    action = PendingAction("tok", "create_ticket", {"title": "a*b"}, expires)
    answer = _answer("I can run it.", [], pending_action=action, timings_ms={"total": 1200})
    badge = chat_view.verified_badge(answer)
    assert (badge.label, badge.color) == ("needs your confirmation", "violet")
    assert chat_view.done_label(answer) == "Proposed an action to confirm in 1.2 s"
    assert chat_view.action_caption(answer) == (
        "Nothing has changed yet. This request expires at 15\\:45 UTC."
    )
    assert chat_view.action_caption(_answer("x", [])) == ""
