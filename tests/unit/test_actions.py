"""Proposed writes end to end on real parts: the tool chain through the real chat client (the
model scripted over HTTP), the action store on a real SQLite catalog, the registry running a
real HTTP tool against a local service that records every write, the verifier, the audit
log, and the command line."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, select, text

from copilot.actions import (
    ActionClosedError,
    ActionExpiredError,
    ActionNotFoundError,
    ActionNotYoursError,
    Actions,
    ActionStore,
)
from copilot.audit import AuditLog
from copilot.chains.base import ChainContext
from copilot.chains.tools import NO_RESULT, ToolChain
from copilot.cli import main
from copilot.config import HttpToolConfig, Settings, ToolArg, ToolsConfig
from copilot.copilot import Copilot
from copilot.directory import UserDirectory
from copilot.errors import CopilotError
from copilot.llm import OpenAICompatibleChat
from copilot.router import RouteDecision
from copilot.tools import ToolRegistry, build_registry
from copilot.tools.registry import PreparedCall
from copilot.types import Draft, Principal
from copilot.verifier import Verifier
from indexes.catalog import SCHEMA_VERSION, Catalog, pending_actions_table
from indexes.embeddings import SentenceTransformerEmbedder
from tests.conftest import ACME
from tests.fakes.openai_server import FakeOpenAIServer, tool_call
from tests.fakes.status_server import StatusServer
from tests.fakes.tiny_workspace import make_tiny_workspace
from tests.fakes.write_tool import (
    TICKET_ARGS,
    TICKET_QUESTION,
    TICKET_SUMMARY,
    add_ticket_tool,
    ticket_model,
)

NOW = datetime(2026, 1, 14, 15, 30, tzinfo=UTC)
DIRECTORY = UserDirectory.from_yaml(ACME / "users.yaml")
PRIYA = DIRECTORY.principal("priya.raman@acme.example")  # sre
TOM = DIRECTORY.principal("tom.becker@acme.example")  # sre too, but not the one asked


class FixedRouter:
    def route(self, question: str, principal: Principal | None = None) -> RouteDecision:
        return RouteDecision("tool", "scripted", ("tool",))


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def status() -> Iterator[StatusServer]:
    with StatusServer() as server:
        yield server


@pytest.fixture
def catalog(tmp_path: Path) -> Catalog:
    return Catalog(f"sqlite:///{tmp_path}/c.sqlite")


@pytest.fixture
def clock() -> Clock:
    return Clock()


def _registry(status: StatusServer, allow_writes: bool = True) -> ToolRegistry:
    ticket = HttpToolConfig(
        name="create_ticket",
        description="Open a new ticket in the IT tracker",
        method="POST",
        url=status.base_url + "/api/tickets",
        args={"title": ToolArg(description="a short title"), "priority": ToolArg()},
        access_groups=["sre"],
    )
    config = ToolsConfig(http=[ticket], allow_writes=allow_writes)
    return build_registry(config, ACME, DIRECTORY, lambda: NOW)


def _actions(
    catalog: Catalog, registry: ToolRegistry, clock: Clock, poll_s: float = 0.05
) -> Actions:
    return Actions(
        ActionStore(catalog.engine),
        registry,
        ttl=timedelta(minutes=15),
        audit=AuditLog.from_catalog(catalog),
        clock=clock,
        poll_s=poll_s,
    )


def _propose(actions: Actions, registry: ToolRegistry, principal: Principal = PRIYA) -> str:
    prepared = registry.prepare("create_ticket", TICKET_ARGS, principal)
    assert isinstance(prepared, PreparedCall)
    return actions.propose(prepared, principal).id


def _rows(catalog: Catalog) -> list[Any]:
    with catalog.engine.connect() as conn:
        return list(conn.execute(select(pending_actions_table)))


def _chain(
    registry: ToolRegistry,
    actions: Actions | None,
    server: FakeOpenAIServer,
    settings: Settings,
    embedder: SentenceTransformerEmbedder,
) -> ToolChain:
    chat = OpenAICompatibleChat(settings, server.base_url)
    return ToolChain(registry, chat, embedder, proposals=actions)


# -- proposing ------------------------------------------------------------------------------


def test_a_write_is_proposed_not_run_and_passes_the_verifier_unjudged(
    status: StatusServer,
    catalog: Catalog,
    clock: Clock,
    fake_llm: FakeOpenAIServer,
    settings: Settings,
    embedder: SentenceTransformerEmbedder,
) -> None:
    registry = _registry(status)
    actions = _actions(catalog, registry, clock)
    chain = _chain(registry, actions, fake_llm, settings, embedder)
    verifier = Verifier(OpenAICompatibleChat(settings, fake_llm.base_url), embedder)
    copilot = Copilot(FixedRouter(), {"tool": chain}, verifier, actions)
    fake_llm.replies = [tool_call("create_ticket", {**TICKET_ARGS, "extra": "ignored"})]

    answer = copilot.answer(TICKET_QUESTION, PRIYA)

    assert status.requests == []  # nothing ran
    assert len(fake_llm.requests) == 1  # the tool round only: no judge was asked
    action = answer.pending_action
    assert action is not None and action.tool == "create_ticket"
    assert dict(action.arguments) == TICKET_ARGS  # validated: unknown arguments are dropped
    assert action.summary == TICKET_SUMMARY
    assert answer.answer.startswith(f"I can run {TICKET_SUMMARY}. This changes data. Confirm")
    assert "expires at 15:45 UTC" in answer.answer
    assert not answer.refused and not answer.verified and answer.citations == []
    assert answer.to_dict()["pending_action"] == {
        "id": action.id,
        "tool": "create_ticket",
        "arguments": TICKET_ARGS,
        "summary": TICKET_SUMMARY,
        "expires_at": "2026-01-14T15:45:00+00:00",
    }
    (row,) = _rows(catalog)
    assert (row.id, row.tool, row.owner, row.status) == (
        action.id,
        "create_ticket",
        "priya.raman@acme.example",
        "pending",
    )
    assert json.loads(row.arguments) == TICKET_ARGS and row.result is None
    assert len(action.id) >= 32  # secrets.token_urlsafe(24): unguessable


def test_the_verifier_passes_a_proposal_as_is(
    status: StatusServer,
    catalog: Catalog,
    clock: Clock,
    fake_llm: FakeOpenAIServer,
    settings: Settings,
    embedder: SentenceTransformerEmbedder,
) -> None:
    """A proposal cites nothing, so judging it would refuse it: it must pass unjudged."""
    registry = _registry(status)
    fake_llm.replies = [tool_call("create_ticket", TICKET_ARGS)]
    chain = _chain(registry, _actions(catalog, registry, clock), fake_llm, settings, embedder)
    draft = chain.run(TICKET_QUESTION, ChainContext(PRIYA))
    verifier = Verifier(OpenAICompatibleChat(settings, fake_llm.base_url), embedder, "strict")
    checked = verifier.check(TICKET_QUESTION, draft, PRIYA, regenerate=lambda _: draft)
    assert checked.draft == draft and checked.verdicts == () and not checked.regenerated
    assert len(fake_llm.requests) == 1
    # The same text without the proposal is an uncited claim, which the verifier refuses.
    plain = verifier.check(TICKET_QUESTION, Draft(draft.text, (), "tool"), PRIYA)
    assert plain.draft.refused


def test_writes_not_allowed_refuse_without_creating_an_action(
    status: StatusServer,
    catalog: Catalog,
    clock: Clock,
    fake_llm: FakeOpenAIServer,
    settings: Settings,
    embedder: SentenceTransformerEmbedder,
) -> None:
    registry = _registry(status, allow_writes=False)
    fake_llm.replies = [tool_call("create_ticket", TICKET_ARGS), "I don't know."]
    chain = _chain(registry, _actions(catalog, registry, clock), fake_llm, settings, embedder)
    draft = chain.run(TICKET_QUESTION, ChainContext(PRIYA))
    assert draft.refused and draft.text == NO_RESULT and draft.pending_action is None
    tool_turn = next(m for m in fake_llm.requests[1]["messages"] if m["role"] == "tool")
    assert "does not allow writes" in tool_turn["content"]
    assert _rows(catalog) == [] and status.requests == []


def test_invalid_arguments_and_audiences_get_no_proposal(
    status: StatusServer,
    catalog: Catalog,
    clock: Clock,
    fake_llm: FakeOpenAIServer,
    settings: Settings,
    embedder: SentenceTransformerEmbedder,
) -> None:
    registry = _registry(status)
    chain = _chain(registry, _actions(catalog, registry, clock), fake_llm, settings, embedder)
    fake_llm.replies = [tool_call("create_ticket", {"title": "VPN down"}), "I don't know."]
    chain.run(TICKET_QUESTION, ChainContext(PRIYA))
    turn = next(m for m in fake_llm.requests[1]["messages"] if m["role"] == "tool")
    assert "invalid arguments for create_ticket: priority" in turn["content"]
    # A channel's audience: every member may use the tool, but one person must answer for it.
    audience = Principal("channel:G1", PRIYA.members + TOM.members)
    fake_llm.replies = [tool_call("create_ticket", TICKET_ARGS), "I don't know."]
    draft = chain.run(TICKET_QUESTION, ChainContext(audience))
    turn = next(m for m in fake_llm.requests[3]["messages"] if m["role"] == "tool")
    assert "one person only" in turn["content"] and "direct message" in turn["content"]
    assert draft.pending_action is None and _rows(catalog) == [] and status.requests == []


# -- confirming -----------------------------------------------------------------------------


def test_confirm_runs_the_tool_exactly_once_and_audits_each_attempt(
    status: StatusServer, catalog: Catalog, clock: Clock
) -> None:
    registry = _registry(status)
    actions = _actions(catalog, registry, clock)
    action_id = _propose(actions, registry)
    first = actions.confirm(action_id, PRIYA, surface="cli")
    assert status.writes == [TICKET_ARGS]
    assert first.answer.startswith(f"Done: I ran {TICKET_SUMMARY}. It returned {{")
    assert '"created": true' in first.answer and first.answer.endswith("[1].")
    (cited,) = first.citations
    assert (cited.source_id, cited.kind, cited.title) == (
        "tool:create_ticket",
        "tool",
        "create_ticket(priority=high, title=VPN down)",
    )
    assert '"created": true' in cited.snippet and not first.refused
    again = actions.confirm(action_id, PRIYA, surface="slack")  # a retry, a double click
    assert status.writes == [TICKET_ARGS]  # not run twice
    assert again.answer == first.answer and again.citations == first.citations
    (row,) = _rows(catalog)
    assert row.status == "done" and json.loads(row.result)["ok"] is True
    entries = AuditLog.from_catalog(catalog).entries()
    assert [(e.surface, e.asker, e.route, e.refused) for e in entries] == [
        ("cli", "priya.raman@acme.example", "tool", False),
        ("slack", "priya.raman@acme.example", "tool", False),
    ]
    assert entries[0].question == f"confirm {TICKET_SUMMARY} (action {action_id})"
    assert entries[0].source_ids == ["tool:create_ticket"]


def test_concurrent_confirmations_run_the_tool_once(
    status: StatusServer, catalog: Catalog, clock: Clock
) -> None:
    registry = _registry(status)
    actions = _actions(catalog, registry, clock)
    action_id = _propose(actions, registry)
    start = threading.Barrier(4)
    answers: list[str] = []

    def confirm() -> None:
        start.wait()
        answers.append(actions.confirm(action_id, PRIYA, surface="slack").answer)

    threads = [threading.Thread(target=confirm) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert status.writes == [TICKET_ARGS]
    assert len(answers) == 4 and len(set(answers)) == 1 and answers[0].startswith("Done")


def test_only_the_person_asked_may_confirm_or_cancel(
    status: StatusServer, catalog: Catalog, clock: Clock
) -> None:
    registry = _registry(status)
    actions = _actions(catalog, registry, clock)
    action_id = _propose(actions, registry)
    channel = Principal("channel:G1", PRIYA.members + TOM.members)
    for someone_else in (TOM, channel, Principal.anonymous()):
        with pytest.raises(ActionNotYoursError, match="proposed to someone else"):
            actions.confirm(action_id, someone_else, surface="slack")
        with pytest.raises(ActionNotYoursError):
            actions.cancel(action_id, someone_else, surface="slack")
    assert status.requests == [] and _rows(catalog)[0].status == "pending"
    refused = AuditLog.from_catalog(catalog).entries()
    assert len(refused) == 6 and all(e.refused and e.error for e in refused)
    assert refused[0].asker == "tom.becker@acme.example"
    assert actions.confirm(action_id, PRIYA, surface="cli").answer.startswith("Done")
    assert status.writes == [TICKET_ARGS]


def test_an_expired_action_cannot_run(status: StatusServer, catalog: Catalog, clock: Clock) -> None:
    registry = _registry(status)
    actions = _actions(catalog, registry, clock)
    action_id = _propose(actions, registry)
    clock.now = NOW + timedelta(minutes=15, seconds=1)
    with pytest.raises(ActionExpiredError, match="expired at 15:45 UTC") as caught:
        actions.confirm(action_id, PRIYA, surface="cli")
    assert "ask again" in str(caught.value) and isinstance(caught.value, CopilotError)
    assert status.requests == [] and _rows(catalog)[0].status == "expired"
    with pytest.raises(ActionExpiredError):  # and stays so
        actions.confirm(action_id, PRIYA, surface="cli")
    cancelled = actions.cancel(action_id, PRIYA, surface="cli")
    assert "had already expired; it never ran" in cancelled.answer


def test_cancel_is_final_and_can_be_repeated(
    status: StatusServer, catalog: Catalog, clock: Clock
) -> None:
    registry = _registry(status)
    actions = _actions(catalog, registry, clock)
    action_id = _propose(actions, registry)
    first = actions.cancel(action_id, PRIYA, surface="streamlit")
    assert first.answer == f"Cancelled: {TICKET_SUMMARY} did not run and will not."
    assert actions.cancel(action_id, PRIYA, surface="streamlit").answer == first.answer
    with pytest.raises(ActionClosedError, match="was cancelled"):
        actions.confirm(action_id, PRIYA, surface="streamlit")
    assert status.requests == [] and _rows(catalog)[0].status == "cancelled"
    ran = _propose(actions, registry)
    actions.confirm(ran, PRIYA, surface="cli")
    with pytest.raises(ActionClosedError, match="cannot be cancelled"):
        actions.cancel(ran, PRIYA, surface="cli")
    with pytest.raises(ActionNotFoundError, match="no pending action 'nope'"):
        actions.confirm("nope", PRIYA, surface="cli")


def test_access_and_allow_writes_are_checked_again_when_it_runs(
    status: StatusServer, catalog: Catalog, clock: Clock
) -> None:
    """Proposed while writes were allowed; confirmed after an operator turned them off."""
    action_id = _propose(_actions(catalog, _registry(status), clock), _registry(status))
    later = _actions(catalog, _registry(status, allow_writes=False), clock)
    answer = later.confirm(action_id, PRIYA, surface="cli")
    assert answer.refused and "does not allow writes" in answer.answer
    assert answer.citations == [] and status.requests == []
    (row,) = _rows(catalog)
    assert row.status == "done" and json.loads(row.result)["ok"] is False
    (entry,) = AuditLog.from_catalog(catalog).entries()
    assert entry.refused and entry.error is not None and "does not allow writes" in entry.error


@pytest.mark.parametrize("backend", ["postgres", "mariadb"])
def test_claims_and_expiry_on_server_databases(
    backend: str, request: pytest.FixtureRequest, status: StatusServer, clock: Clock
) -> None:
    """The claim and the expiry are SQL comparisons: check them where SQLite is not the engine."""
    catalog = Catalog(request.getfixturevalue(f"{backend}_url"))
    registry = _registry(status)
    actions = _actions(catalog, registry, clock)
    action_id = _propose(actions, registry)
    first = actions.confirm(action_id, PRIYA, surface="cli")
    assert actions.confirm(action_id, PRIYA, surface="cli").answer == first.answer
    assert status.writes == [TICKET_ARGS]
    late = _propose(actions, registry)
    clock.now = NOW + timedelta(minutes=15)  # expiry is exclusive: at the minute, too late
    with pytest.raises(ActionExpiredError):
        actions.confirm(late, PRIYA, surface="cli")
    assert sorted(r.status for r in _rows(catalog)) == ["done", "expired"]
    catalog.engine.dispose()


def test_a_v3_catalog_migrates_to_v4(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/c.sqlite"
    with Catalog(url).engine.begin() as conn:  # a catalog as the v3 copilot left it
        conn.execute(text("DROP TABLE pending_actions"))
        conn.execute(text("UPDATE copilot_meta SET value = '3' WHERE key = 'schema'"))
    migrated = Catalog(url)
    assert "pending_actions" in inspect(migrated.engine).get_table_names()
    with migrated.engine.connect() as conn:
        schema = conn.execute(text("SELECT value FROM copilot_meta WHERE key = 'schema'"))
        assert schema.scalar() == str(SCHEMA_VERSION) == "4"


# -- the command line -----------------------------------------------------------------------


def test_cli_ask_prints_the_pending_action_and_confirm_runs_it(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    status: StatusServer,
    fake_llm: FakeOpenAIServer,
) -> None:
    monkeypatch.setenv("COPILOT_LLM_BASE_URL", fake_llm.base_url)
    workspace = add_ticket_tool(make_tiny_workspace(tmp_path / "ws"), status.base_url)
    assert main(["ingest", "--workspace", str(workspace)]) == 0
    fake_llm.replies = [ticket_model] * 10
    ann = ["--workspace", str(workspace), "--user", "ann@tiny.example"]
    capsys.readouterr()
    assert main(["ask", *ann, TICKET_QUESTION]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"I can run {TICKET_SUMMARY}. This changes data.")
    match = re.search(r"Pending action (\S+) \(expires ", out)
    assert match is not None and status.requests == []
    action_id = match.group(1)
    assert f"confirm: copilot confirm {action_id} --workspace" in out and "--cancel" in out

    bob = ["--workspace", str(workspace), "--user", "bob@tiny.example"]
    assert main(["confirm", action_id, *bob]) == 1
    assert "proposed to someone else" in capsys.readouterr().err
    assert main(["confirm", action_id, *ann]) == 0
    assert capsys.readouterr().out.startswith(f"Done: I ran {TICKET_SUMMARY}.")
    assert main(["confirm", action_id, *ann, "--json"]) == 0  # a repeat: the same result
    repeated = json.loads(capsys.readouterr().out)
    assert repeated["answer"].startswith("Done") and repeated["citations"][0]["kind"] == "tool"
    assert status.writes == [TICKET_ARGS]
    assert main(["confirm", action_id, *ann, "--cancel"]) == 1
    err = capsys.readouterr().err
    assert "cannot be cancelled" in err and "Traceback" not in err
    questions = [e.question for e in AuditLog.from_catalog(_catalog(workspace)).entries()]
    assert questions[0] == TICKET_QUESTION
    assert [q.split(" ")[0] for q in questions[1:]] == ["confirm", "confirm", "confirm", "cancel"]


def _catalog(workspace: Path) -> Catalog:
    return Catalog(Settings.load(workspace).resolved_catalog_url)
