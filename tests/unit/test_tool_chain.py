"""The tool chain through the real chat client, talking HTTP to a scripted model, with the
real embedder choosing which tool to force and real tools answering."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from copilot.chains.base import ChainContext
from copilot.chains.tools import NO_RESULT, NO_TOOLS, ToolChain
from copilot.config import HttpToolConfig, Settings, ToolArg, ToolsConfig
from copilot.directory import UserDirectory
from copilot.llm import OpenAICompatibleChat
from copilot.tools import ToolRegistry, build_registry
from copilot.types import Principal
from indexes.embeddings import SentenceTransformerEmbedder
from tests.conftest import ACME
from tests.fakes.openai_server import FakeOpenAIServer, tool_call
from tests.fakes.status_server import StatusServer

NOW = datetime(2026, 1, 14, 15, 30, tzinfo=UTC)
DIRECTORY = UserDirectory.from_yaml(ACME / "users.yaml")
PRIYA = DIRECTORY.principal("priya.raman@acme.example")


@pytest.fixture
def status() -> Iterator[StatusServer]:
    with StatusServer() as server:
        yield server


@pytest.fixture
def registry(status: StatusServer) -> ToolRegistry:
    payroll = HttpToolConfig(
        name="payroll",
        description="Look up an employee's salary record",
        url=status.base_url + "/api/tickets/{id}",
        args={"id": ToolArg(description="employee id")},
        access_groups=["finance"],
    )
    config = ToolsConfig(
        enabled=["oncall", "date_calc"],
        access_groups={"oncall": ["*"], "date_calc": ["*"]},
        oncall_schedule=Path("oncall.yaml"),
        http=[payroll],
    )
    return build_registry(config, ACME, DIRECTORY, lambda: NOW)


def _chain(
    registry: ToolRegistry,
    server: FakeOpenAIServer,
    settings: Settings,
    embedder: SentenceTransformerEmbedder,
    max_steps: int = 3,
) -> ToolChain:
    chat = OpenAICompatibleChat(settings, server.base_url)
    return ToolChain(registry, chat, embedder, max_steps=max_steps)


def _offered(request: dict[str, Any]) -> set[str]:
    return {t["function"]["name"] for t in request.get("tools", [])}


def test_forced_tool_result_and_cited_answer(
    registry: ToolRegistry,
    fake_llm: FakeOpenAIServer,
    settings: Settings,
    embedder: SentenceTransformerEmbedder,
) -> None:
    fake_llm.replies = [
        tool_call("oncall", {"team": "sre", "at": "2026-01-12T09:00:00"}),
        "Tom Becker is on call for SRE [1].",
    ]
    context = ChainContext(PRIYA)
    draft = _chain(registry, fake_llm, settings, embedder).run(
        "Who is on call for the SRE team right now?", context
    )
    first, second = fake_llm.requests
    assert first["tool_choice"] == {"type": "function", "function": {"name": "oncall"}}
    assert _offered(first) == {"oncall", "date_calc"}  # payroll is finance-only
    tool_turn = [m for m in second["messages"] if m["role"] == "tool"]
    assert tool_turn[0]["tool_call_id"] == "call_1"
    assert "tom.becker@acme.example" in tool_turn[0]["content"]
    assert tool_turn[0]["content"].startswith("[1] ")
    assert "tool_choice" not in second  # only the first round is forced
    assert draft.text == "Tom Becker is on call for SRE [1]." and not draft.refused
    assert draft.route == "tool"
    [evidence] = draft.evidence
    assert (evidence.source_id, evidence.kind) == ("tool:oncall", "tool")
    assert "Tom Becker" in evidence.text
    assert evidence.access.users == {"priya.raman@acme.example"} and not evidence.access.is_public
    assert set(context.timings_ms) >= {"tool", "generate"}


def test_the_best_matching_tool_is_forced(
    registry: ToolRegistry,
    fake_llm: FakeOpenAIServer,
    settings: Settings,
    embedder: SentenceTransformerEmbedder,
) -> None:
    fake_llm.replies = [
        tool_call("date_calc", {"date": "2026-01-09", "add_business_days": 1}),
        "It is Monday 2026-01-12 [1].",
    ]
    draft = _chain(registry, fake_llm, settings, embedder).run(
        "What date is one business day after 2026-01-09?", ChainContext(PRIYA)
    )
    assert fake_llm.requests[0]["tool_choice"]["function"]["name"] == "date_calc"
    assert '"weekday": "Monday"' in draft.evidence[0].text


def test_hidden_tool_is_not_offered_nor_executed(
    registry: ToolRegistry,
    status: StatusServer,
    fake_llm: FakeOpenAIServer,
    settings: Settings,
    embedder: SentenceTransformerEmbedder,
) -> None:
    fake_llm.replies = [tool_call("payroll", {"id": "INC-7"}), "I don't know."]
    draft = _chain(registry, fake_llm, settings, embedder).run(
        "What is Priya's salary?", ChainContext(PRIYA)
    )
    assert "payroll" not in _offered(fake_llm.requests[0])
    tool_turn = next(m for m in fake_llm.requests[1]["messages"] if m["role"] == "tool")
    assert '"ok": false' in tool_turn["content"] and "not available" in tool_turn["content"]
    assert status.requests == []  # the payroll API was never called
    assert draft.refused and draft.text == NO_RESULT and draft.evidence == ()


def test_step_bound_then_a_tool_less_answer(
    registry: ToolRegistry,
    fake_llm: FakeOpenAIServer,
    settings: Settings,
    embedder: SentenceTransformerEmbedder,
) -> None:
    fake_llm.replies = [
        tool_call("oncall", {"team": "payments"}),
        tool_call("date_calc", {"add_days": 7}, call_id="call_2"),
        "Raj Patel is on call [1]; next week starts 2026-01-21 [2].",
    ]
    draft = _chain(registry, fake_llm, settings, embedder, max_steps=2).run(
        "Who is on call for payments, and what is the date in a week?", ChainContext(PRIYA)
    )
    assert len(fake_llm.requests) == 3  # two tool rounds, then the answer
    final = fake_llm.requests[2]
    assert "tools" not in final and "tool_choice" not in final
    prompt = final["messages"][-1]["content"]
    assert prompt.startswith("Tool results:\n[1] (oncall(team=payments))") and "[2]" in prompt
    assert [e.source_id for e in draft.evidence] == ["tool:oncall", "tool:date_calc"]
    assert draft.text.endswith("[2].")


def test_no_visible_tool_refuses_without_calling_the_model(
    registry: ToolRegistry,
    fake_llm: FakeOpenAIServer,
    settings: Settings,
    embedder: SentenceTransformerEmbedder,
) -> None:
    chain = _chain(registry, fake_llm, settings, embedder)
    draft = chain.run("Who is on call?", ChainContext(Principal.anonymous()))
    assert draft.refused and draft.text == NO_TOOLS and fake_llm.requests == []
