"""The Streamlit chat page through ``streamlit.testing``'s AppTest: the real page script over
the real retrieval stack and verifier on the tiny workspace, with the chat model scripted
through its real HTTP interface (answering only from evidence it is shown)."""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from copilot.audit import AuditEntry, AuditLog
from copilot.config import Settings
from copilot.copilot import Workspace
from indexes.catalog import Catalog
from indexes.embeddings import SentenceTransformerEmbedder
from tests.fakes.faithful_model import faithful_reply
from tests.fakes.openai_server import FakeOpenAIServer
from tests.fakes.status_server import StatusServer
from tests.fakes.tiny_workspace import make_tiny_workspace
from tests.fakes.write_tool import TICKET_ARGS, TICKET_QUESTION, add_ticket_tool, ticket_model

APP = Path(__file__).resolve().parents[2] / "ui" / "streamlit_app.py"
WIFI = "What is the guest wifi password?"
MOVE = "When is the office move to Pier 39 planned?"
GENERAL_LINK = "https://tiny.slack.com/archives/C1/p1767600000000100"  # public #general
MOVING_LINK = "https://tiny.slack.com/archives/G1/"  # the private #moving: Bob only
TIMEOUT = 300  # two shared cores, a model helper running beside: slow, never asserted on


@pytest.fixture(scope="module")
def workspace_dir(
    tmp_path_factory: pytest.TempPathFactory, embedder: SentenceTransformerEmbedder
) -> Path:
    root = make_tiny_workspace(tmp_path_factory.mktemp("ui"))
    workspace = Workspace(Settings.load(root))
    workspace.embedder = embedder
    workspace.ingest()
    return root


@pytest.fixture(scope="module")
def model() -> Iterator[FakeOpenAIServer]:
    """One scripted server for the module, so the page's cached workspace is built once."""
    with FakeOpenAIServer([faithful_reply] * 1000) as server:
        yield server


@pytest.fixture
def page(workspace_dir: Path, model: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setattr(sys, "argv", ["streamlit_app.py", "--workspace", str(workspace_dir)])
    monkeypatch.setenv("COPILOT_LLM_BASE_URL", model.base_url)
    monkeypatch.setenv("COPILOT_UI_STREAM_DELAY_S", "0")
    monkeypatch.delenv("COPILOT_UI_TRUSTED_USER_HEADER", raising=False)
    monkeypatch.delenv("COPILOT_UI_ADMIN_GROUP", raising=False)
    model.status = 200
    return AppTest.from_file(str(APP), default_timeout=TIMEOUT)


def _audit(workspace_dir: Path) -> list[AuditEntry]:
    settings = Settings.load(workspace_dir)
    return AuditLog.from_catalog(Catalog(settings.resolved_catalog_url)).entries()


def _pick(page: AppTest, email: str | None) -> AppTest:
    return page.sidebar.selectbox(key="asker").set_value(email).run()


def _ask(page: AppTest, question: str) -> AppTest:
    page.chat_input[0].set_value(question).run()
    assert not page.exception, page.exception
    return page


def _shown(page: AppTest) -> str:
    """Everything the page shows as text: markdown (answers, badges, sources), captions
    (snippets), code, errors, labels of expanders and status boxes."""
    texts = [m.value for m in page.markdown] + [c.value for c in page.caption]
    texts += [c.value for c in page.code] + [e.value for e in page.error]
    texts += [e.label for e in page.expander] + [s.label for s in page.status]
    return "\n".join(texts)


def _prompts_since(model: FakeOpenAIServer, start: int) -> str:
    return json.dumps(model.requests[start:])


def test_answer_has_linked_citation_badges_sources_and_an_audit_row(
    page: AppTest, workspace_dir: Path
) -> None:
    page.run()
    before = len(_audit(workspace_dir))
    _ask(page, WIFI)

    answer = next(m.value for m in page.markdown if "acme-guest-2026" in m.value)
    assert f"[\\[1\\]]({GENERAL_LINK})" in answer  # the marker is a link to the thread
    badges = [m.value for m in page.markdown if "-badge[" in m.value]
    assert badges == [":blue-badge[🧭 route: documents & Slack]", ":green-badge[✅ verified]"]
    (sources,) = page.expander
    assert sources.label == "Sources (1)"
    assert any(GENERAL_LINK in m.value and "general" in m.value for m in sources.markdown)
    assert any("acme-guest-2026" in c.value for c in sources.caption)  # the snippet
    assert page.status[0].label.startswith("Answered and verified in")  # progress ended

    entries = _audit(workspace_dir)
    assert len(entries) == before + 1
    assert entries[-1].surface == "streamlit" and entries[-1].question == WIFI
    assert entries[-1].source_ids == ["slack:C1:1767600000.000100"]


def test_history_stays_for_the_session(page: AppTest) -> None:
    page.run()
    _ask(page, WIFI)
    _ask(page, "How long are VPN client certificates valid?")
    shown = _shown(page)
    assert WIFI in shown and "acme-guest-2026" in shown  # the first answer is still there
    assert "90 days" in shown
    assert len(page.chat_message) == 4  # two questions, two answers


def test_private_channel_source_only_for_its_member(page: AppTest, model: FakeOpenAIServer) -> None:
    page.run()
    _pick(page, "bob@tiny.example")
    _ask(page, MOVE)
    assert "March 3" in _shown(page) and MOVING_LINK in _shown(page)

    _pick(page, "ann@tiny.example")  # not in #moving
    assert "March 3" not in _shown(page)  # Bob's history is not shown to Ann
    start = len(model.requests)
    _ask(page, MOVE)
    shown = _shown(page)
    assert "March 3" not in shown and MOVING_LINK not in shown and "Pier 39 is" not in shown
    assert "Pier 39 is planned" not in _prompts_since(model, start)  # never shown to the model
    assert "#moving" not in _prompts_since(model, start)  # the private channel's title


def test_trusted_header_mode_refuses_a_request_without_the_header(
    page: AppTest, model: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COPILOT_UI_TRUSTED_USER_HEADER", "X-Forwarded-Email")
    start = len(model.requests)
    page.run()
    assert not page.exception
    (error,) = page.error
    assert "X-Forwarded-Email" in error.value and "sign-in proxy" in error.value
    assert not page.chat_input  # nothing to ask with
    assert not page.sidebar.selectbox  # and no picker to become someone else
    assert len(model.requests) == start


def test_feedback_and_reason_are_stored_in_the_audit_log(
    page: AppTest, workspace_dir: Path
) -> None:
    page.run()
    _ask(page, WIFI)
    entry_id = _audit(workspace_dir)[-1].id
    page.button(key=f"feedback-down-{entry_id}").click().run()
    assert _audit(workspace_dir)[-1].feedback == "down"

    page.text_input(key=f"reason-{entry_id}").input("the password changed last week")
    page.button(key=f"send-reason-{entry_id}").click().run()
    entry = _audit(workspace_dir)[-1]
    assert entry.feedback == "down" and entry.feedback_reason == "the password changed last week"
    assert any("feedback is recorded" in c.value for c in page.caption)

    page.button(key=f"feedback-up-{entry_id}").click().run()
    assert _audit(workspace_dir)[-1].feedback == "up"


def test_model_failure_is_a_message_and_an_audit_row_not_a_traceback(
    page: AppTest, model: FakeOpenAIServer, workspace_dir: Path
) -> None:
    page.run()
    model.status = 500
    _ask(page, WIFI)
    (error,) = page.error
    entry = _audit(workspace_dir)[-1]
    assert entry.error and entry.question == WIFI
    assert f"audit reference {entry.id}" in error.value
    assert page.status[0].label == "Could not answer"


def _admin_content(page: AppTest) -> bool:
    return any(t.value == "Admin" for t in page.title) or bool(page.metric)


def test_admin_view_is_hidden_from_non_admins(
    page: AppTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COPILOT_UI_ADMIN_GROUP", "hr")
    page.run()
    assert not page.sidebar.radio  # anonymous: no choice of view
    _pick(page, "ann@tiny.example")  # eng, not hr
    assert not page.sidebar.radio
    page.session_state["view"] = "Admin"  # a stale or forged choice changes nothing
    page.run()
    assert not _admin_content(page) and page.chat_input


def test_admin_view_shows_sources_refresh_counts_and_audit(
    page: AppTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COPILOT_UI_ADMIN_GROUP", "hr")
    page.run()
    _ask(page, WIFI)  # so the audit has a recent row
    _pick(page, "bob@tiny.example")
    page.sidebar.radio(key="view").set_value("Admin").run()
    assert not page.exception
    assert _admin_content(page)
    sources = page.dataframe[0].value
    assert list(sources["name"]) == ["slack", "docs"]
    metrics = {m.label: m.value for m in page.metric}
    assert int(metrics["Documents"]) == 4 and int(metrics["Chunks"]) > 0
    assert any("4 added" in m.value for m in page.markdown)  # the first ingest's report
    audit = page.dataframe[1].value
    assert WIFI in list(audit["question"]) and "streamlit" in list(audit["surface"])


def test_default_admin_group_admits_nobody_in_the_tiny_directory(page: AppTest) -> None:
    page.run()
    for email in ("ann@tiny.example", "bob@tiny.example"):
        _pick(page, email)
        assert not page.sidebar.radio and not _admin_content(page)


TEAMS_SQL = "SELECT name, headcount FROM teams ORDER BY headcount DESC"


def _sql_model(request: dict[str, object]) -> str:
    """Writes the query when shown the schema, and summarises the result it is given."""
    prompt = json.dumps(request["messages"])
    if "Schema:" in prompt:
        return TEAMS_SQL
    if "using only the query result" in prompt:
        return "Payments has 12 people and Edge has 5 [1]."
    if "route" in json.dumps(request.get("response_format") or {}):
        return json.dumps({"route": "sql", "second": None, "reason": "a count"})
    return faithful_reply(request)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def sql_workspace_dir(
    tmp_path_factory: pytest.TempPathFactory, embedder: SentenceTransformerEmbedder
) -> Path:
    root = make_tiny_workspace(tmp_path_factory.mktemp("ui_sql"))
    with sqlite3.connect(root / "hr.db") as db:
        db.execute("CREATE TABLE teams (name TEXT PRIMARY KEY, headcount INTEGER)")
        db.executemany("INSERT INTO teams VALUES (?, ?)", [("Payments", 12), ("Edge", 5)])
    with (root / "copilot.yaml").open("a") as config:
        config.write(
            '  - {type: database, name: hrdb, url: "sqlite:///{workspace}/hr.db", '
            "access: {default: {public: true}}}\n"
            'router: {examples: {sql: ["How many people are in each team?"]}}\n'
        )
    workspace = Workspace(Settings.load(root))
    workspace.embedder = embedder
    workspace.ingest()
    return root


def test_sql_answer_shows_its_query_and_result_table(
    page: AppTest,
    sql_workspace_dir: Path,
    model: FakeOpenAIServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "argv", ["streamlit_app.py", "--workspace", str(sql_workspace_dir)])
    monkeypatch.setattr(model, "replies", [_sql_model] * 100)
    page.run()
    _pick(page, "ann@tiny.example")
    _ask(page, "How many people are in each team?")
    assert not page.error, page.error
    assert any("Payments has 12 people" in m.value for m in page.markdown), _shown(page)
    assert any(m.value == ":blue-badge[🧭 route: SQL]" for m in page.markdown)
    assert [c.value for c in page.code] == [f"{TEAMS_SQL} LIMIT 100"]  # as the guard ran it
    table = page.dataframe[0].value
    assert list(table.columns) == ["name", "headcount"]
    assert table.values.tolist() == [["Payments", 12], ["Edge", 5]]


@pytest.fixture(scope="module")
def tickets() -> Iterator[StatusServer]:
    """The ticket API the write tool POSTs to; it records every write."""
    with StatusServer() as server:
        yield server


@pytest.fixture(scope="module")
def ticket_workspace_dir(
    tmp_path_factory: pytest.TempPathFactory,
    embedder: SentenceTransformerEmbedder,
    tickets: StatusServer,
) -> Path:
    root = make_tiny_workspace(tmp_path_factory.mktemp("ui_tickets"))
    add_ticket_tool(root, tickets.base_url)
    workspace = Workspace(Settings.load(root))
    workspace.embedder = embedder
    workspace.ingest()
    return root


def _buttons(page: AppTest, label: str) -> list[object]:
    return [b for b in page.button if b.label == label]


def test_confirm_button_runs_the_proposed_write_once(
    page: AppTest,
    ticket_workspace_dir: Path,
    model: FakeOpenAIServer,
    tickets: StatusServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "argv", ["streamlit_app.py", "--workspace", str(ticket_workspace_dir)])
    monkeypatch.setattr(model, "replies", [ticket_model] * 100)
    page.run()
    _pick(page, "ann@tiny.example")
    _ask(page, TICKET_QUESTION)
    assert tickets.requests == []  # proposed, not run
    assert any(m.value.startswith("I can run create") for m in page.markdown), _shown(page)
    assert any(m.value == ":violet-badge[✋ needs your confirmation]" for m in page.markdown)
    assert any("Nothing has changed yet" in c.value for c in page.caption)
    (confirm,) = _buttons(page, "Confirm")
    assert len(_buttons(page, "Cancel")) == 1

    confirm.click().run()  # type: ignore[attr-defined]
    assert not page.exception, page.exception
    assert tickets.writes == [TICKET_ARGS]
    (done,) = page.success
    assert done.value.startswith("Done\\: I ran create\\_ticket(")  # as escaped for Markdown
    assert not _buttons(page, "Confirm")  # settled: nothing left to click twice
    entry = _audit(ticket_workspace_dir)[-1]
    assert (entry.surface, entry.asker, entry.route) == ("streamlit", "ann@tiny.example", "tool")
    assert entry.question.startswith("confirm create_ticket(") and not entry.refused
