"""One mention answered end to end: a signed Slack request into the Bolt app, the real copilot
(embedded llama.cpp model, real embeddings, verifier as configured) on the tiny workspace, and
the answer posted to a local fake of the Slack Web API."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import SecretStr

from copilot.audit import AuditLog
from copilot.config import Settings
from copilot.copilot import Workspace
from copilot.llm import open_chat_model
from indexes.embeddings import SentenceTransformerEmbedder
from tests.fakes.slack_api_server import FakeSlackServer
from tests.fakes.slack_requests import SECRET, TOKEN, callback, signed, slack_workspace
from tests.fakes.tiny_workspace import make_tiny_workspace
from ui.slack_app import SlackBot
from ui.slack_blocks import FEEDBACK_UP
from ui.slack_guards import EventClaims

pytestmark = pytest.mark.integration


def test_a_mention_is_answered_in_its_thread_by_the_real_model(
    tmp_path: Path, embedder: SentenceTransformerEmbedder
) -> None:
    workspace = Workspace(Settings.load(make_tiny_workspace(tmp_path / "ws")))
    workspace.embedder = embedder
    workspace.ingest()
    with (
        FakeSlackServer(slack_workspace(), token=TOKEN) as slack,
        open_chat_model(workspace.settings, tmp_path) as chat,
    ):
        settings = workspace.settings.model_copy(
            update={
                "slack_bot_token": SecretStr(TOKEN),
                "slack_signing_secret": SecretStr(SECRET),
                "slack_api_url": slack.api_url,
            }
        )
        audit = AuditLog.from_catalog(workspace.catalog)
        bot = SlackBot(
            workspace.copilot(chat),
            workspace.directory,
            audit,
            settings,
            claims=EventClaims(workspace.catalog.engine),
        )
        event = {
            "type": "app_mention",
            "user": "U1",
            "text": "<@UBOT> How often are VPN client certificates renewed?",
            "ts": "1767700001.000100",
            "channel": "C1",
        }
        raw = json.dumps(callback(event, "EvE2E"))
        assert bot.app.dispatch(signed(raw, "application/json")).status == 200
        assert bot.drain(600)
    (posted,) = slack.posted()
    blocks = json.dumps(posted["blocks"])
    assert posted["thread_ts"] == event["ts"] and posted["text"].strip()
    assert "Sorry" not in posted["text"], posted["text"]
    (entry,) = audit.entries()
    assert entry.error is None and entry.surface == "slack" and FEEDBACK_UP in blocks
    assert entry.id in blocks and entry.asker == "ann@tiny.example"
    if not entry.refused:  # an answer cites the VPN page, shown in the sources list
        assert entry.source_ids == ["docs:it/vpn.md"] and "vpn.md" in blocks
