"""Confirming a proposed write from Slack, through the real doors: signed Events API and
interactivity requests dispatched into the real Bolt app, whose Web API client talks HTTP to
a local fake of Slack, over the real copilot of a tiny workspace with a ticket tool that POSTs
to a local service (which records every write), the model scripted through its HTTP API."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from pydantic import SecretStr

from copilot.audit import AuditLog
from copilot.config import Settings
from copilot.copilot import Workspace
from copilot.llm import OpenAICompatibleChat
from indexes.catalog import Catalog
from indexes.embeddings import SentenceTransformerEmbedder
from tests.fakes.openai_server import FakeOpenAIServer
from tests.fakes.slack_api_server import FakeSlackServer
from tests.fakes.slack_requests import SECRET, TOKEN, callback, signed, slack_workspace
from tests.fakes.status_server import StatusServer
from tests.fakes.tiny_workspace import make_tiny_workspace
from tests.fakes.write_tool import (
    TICKET_ARGS,
    TICKET_QUESTION,
    TICKET_SUMMARY,
    add_ticket_tool,
    ticket_model,
)
from ui.slack_app import SlackBot
from ui.slack_blocks import ACTION_BLOCK, ACTION_CANCEL, ACTION_CONFIRM
from ui.slack_guards import EventClaims


@pytest.fixture(scope="module")
def tickets() -> Iterator[StatusServer]:
    with StatusServer() as server:
        yield server


@pytest.fixture(scope="module")
def workspace(
    tmp_path_factory: pytest.TempPathFactory,
    embedder: SentenceTransformerEmbedder,
    tickets: StatusServer,
) -> Workspace:
    root = add_ticket_tool(make_tiny_workspace(tmp_path_factory.mktemp("ws")), tickets.base_url)
    ws = Workspace(Settings.load(root))
    ws.embedder = embedder
    ws.ingest()
    return ws


@pytest.fixture
def slack() -> Iterator[FakeSlackServer]:
    with FakeSlackServer(slack_workspace(), token=TOKEN) as server:
        yield server


class Bot:
    """The bot around the workspace's real copilot, and what it did."""

    def __init__(self, bot: SlackBot, slack: FakeSlackServer) -> None:
        self.bot = bot
        self.slack = slack
        self.seq = 0

    def dm(self, user: str, channel: str, text: str) -> tuple[dict[str, Any], str]:
        """Ask in a DM; the bot's posted answer and the question's ts."""
        self.seq += 1
        ts = f"{1767800000 + self.seq}.000000"
        event = {
            "type": "message",
            "channel_type": "im",
            "user": user,
            "text": text,
            "ts": ts,
            "channel": channel,
        }
        body = callback(event, f"EvA{self.seq}")
        assert self.bot.app.dispatch(signed(json.dumps(body), "application/json")).status == 200
        assert self.bot.drain(120)
        return self.slack.posted()[-1], ts

    def click(
        self, action_id: str, user: str, channel: str, answer: dict[str, Any], thread_ts: str
    ) -> None:
        """A button click as Slack sends it (the message, with its blocks, included)."""
        message_ts = self.slack.workspace.channel(channel).messages[-1]["ts"]  # type: ignore[union-attr]
        value = _button_value(answer, action_id)
        payload = {
            "type": "block_actions",
            "team": {"id": "T1"},
            "user": {"id": user},
            "api_app_id": "A1",
            "token": "legacy",
            "trigger_id": "trigger-1",
            "channel": {"id": channel},
            "container": {
                "type": "message",
                "message_ts": message_ts,
                "channel_id": channel,
                "thread_ts": thread_ts,
            },
            "message": {"ts": message_ts, "text": answer["text"], "blocks": answer["blocks"]},
            "actions": [
                {"action_id": action_id, "block_id": ACTION_BLOCK, "value": value, "type": "button"}
            ],
        }
        raw = urlencode({"payload": json.dumps(payload)})
        response = self.bot.app.dispatch(signed(raw, "application/x-www-form-urlencoded"))
        assert response.status == 200
        assert self.bot.drain(60)


@pytest.fixture
def bot(
    workspace: Workspace,
    slack: FakeSlackServer,
    fake_llm: FakeOpenAIServer,
    tickets: StatusServer,
    tmp_path: Path,
) -> Bot:
    tickets.requests.clear()
    tickets.writes.clear()
    fake_llm.replies = [ticket_model] * 50
    copilot = workspace.copilot(OpenAICompatibleChat(workspace.settings, fake_llm.base_url))
    settings = workspace.settings.model_copy(
        update={
            "slack_bot_token": SecretStr(TOKEN),
            "slack_signing_secret": SecretStr(SECRET),
            "slack_api_url": slack.api_url,
            "slack_rate_burst": 100,
        }
    )
    catalog = Catalog(f"sqlite:///{tmp_path}/bot.sqlite")
    slack_bot = SlackBot(
        copilot,
        workspace.directory,
        AuditLog.from_catalog(catalog),
        settings,
        claims=EventClaims(catalog.engine),
    )
    return Bot(slack_bot, slack)


def _button_value(message: dict[str, Any], action_id: str) -> str:
    for block in message["blocks"]:
        for element in block.get("elements", []):
            if element.get("action_id") == action_id:
                return str(element["value"])
    raise AssertionError(f"no {action_id} button")


def _shown(message: dict[str, Any]) -> str:
    return json.dumps(message["blocks"]) + message["text"]


def test_confirm_button_runs_the_tool_once_and_reports_in_the_thread(
    bot: Bot, tickets: StatusServer, workspace: Workspace
) -> None:
    proposal, question_ts = bot.dm("U1", "D1", TICKET_QUESTION)
    assert proposal["text"].startswith(f"I can run {TICKET_SUMMARY}. This changes data.")
    assert "Needs your confirmation" in _shown(proposal)
    action_id = _button_value(proposal, ACTION_CONFIRM)
    assert _button_value(proposal, ACTION_CANCEL) == action_id
    assert tickets.requests == []  # proposing ran nothing

    bot.click(ACTION_CONFIRM, "U1", "D1", proposal, question_ts)
    assert tickets.writes == [TICKET_ARGS]
    outcome = bot.slack.posted()[-1]
    assert outcome["channel"] == "D1" and outcome["thread_ts"] == question_ts
    assert outcome["text"].startswith("Done: I ran create_ticket(")
    assert "Confirmed by <@U1>" in _shown(outcome) and "*Sources*" in _shown(outcome)
    (update,) = bot.slack.posted("chat.update")
    assert ACTION_BLOCK not in json.dumps(update["blocks"])  # the buttons are gone
    assert "Confirmed by <@U1>" in json.dumps(update["blocks"])

    bot.click(ACTION_CONFIRM, "U1", "D1", proposal, question_ts)  # a double click
    assert tickets.writes == [TICKET_ARGS]  # the tool did not run again
    assert bot.slack.posted()[-1]["text"] == outcome["text"]  # the first run's result

    bot.click(ACTION_CONFIRM, "U2", "D1", proposal, question_ts)  # Bob clicks
    assert "proposed to someone else" in bot.slack.posted("chat.postEphemeral")[-1]["text"]
    assert tickets.writes == [TICKET_ARGS]
    confirms = [
        e for e in AuditLog.from_catalog(workspace.catalog).entries() if action_id in e.question
    ]
    assert [(e.surface, e.asker, e.refused) for e in confirms] == [
        ("slack", "ann@tiny.example", False),
        ("slack", "ann@tiny.example", False),
        ("slack", "bob@tiny.example", True),
    ]


def test_cancel_button_means_it_never_runs(bot: Bot, tickets: StatusServer) -> None:
    proposal, question_ts = bot.dm("U1", "D1", TICKET_QUESTION)
    bot.click(ACTION_CANCEL, "U1", "D1", proposal, question_ts)
    outcome = bot.slack.posted()[-1]
    assert outcome["text"].startswith("Cancelled: create_ticket(")
    assert "Cancelled by <@U1>" in _shown(outcome)
    bot.click(ACTION_CONFIRM, "U1", "D1", proposal, question_ts)  # a stale Confirm button
    assert "was cancelled" in bot.slack.posted("chat.postEphemeral")[-1]["text"]
    assert tickets.requests == []


def test_a_user_who_may_not_use_the_tool_gets_no_buttons(bot: Bot, tickets: StatusServer) -> None:
    answer, _ = bot.dm("U2", "D2", TICKET_QUESTION)  # Bob is not in eng
    assert ACTION_CONFIRM not in json.dumps(answer["blocks"])
    assert tickets.requests == []
