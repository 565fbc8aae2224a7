"""Requests as Slack sends them to a bot, signed with the app's signing secret, and the small
Slack workspace the bot tests run against (users and conversations of the tiny workspace)."""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Any

from slack_bolt.request import BoltRequest

from tests.fakes.slack_api_server import FakeChannel, FakeWorkspace

SECRET = "test-signing-secret"
TOKEN = "xoxb-test-token"


def signed(raw: str, content_type: str, retry: int | None = None) -> BoltRequest:
    """A request as Slack sends it: ``v0`` HMAC-SHA256 of ``v0:{timestamp}:{body}``."""
    timestamp = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), f"v0:{timestamp}:{raw}".encode(), hashlib.sha256)
    headers = {
        "content-type": content_type,
        "x-slack-request-timestamp": timestamp,
        "x-slack-signature": f"v0={digest.hexdigest()}",
    }
    if retry is not None:
        headers |= {"x-slack-retry-num": str(retry), "x-slack-retry-reason": "http_timeout"}
    return BoltRequest(body=raw, headers=headers)


def callback(event: dict[str, Any], event_id: str) -> dict[str, Any]:
    """An Events API envelope around ``event``."""
    return {
        "token": "legacy",
        "team_id": "T1",
        "api_app_id": "A1",
        "type": "event_callback",
        "event_id": event_id,
        "event_time": 1767700000,
        "event": event,
    }


def _user(uid: str, name: str, email: str | None, bot: bool = False) -> dict[str, Any]:
    return {"id": uid, "name": name, "is_bot": bot, "profile": {"email": email, "real_name": name}}


def slack_workspace() -> FakeWorkspace:
    """Ann (U1, eng) and Bob (U2, hr) as in the tiny users directory; Uma (U9) is not listed.
    #moving (G1) is the private channel of the tiny export: Bob only."""
    return FakeWorkspace(
        users=[
            _user("U1", "ann", "ann@tiny.example"),
            _user("U2", "bob", "bob@tiny.example"),
            _user("U9", "uma", "uma@elsewhere.example"),
            _user("UBOT", "copilot", None, bot=True),
        ],
        channels=[
            FakeChannel("C1", "general", members=["U1", "U2", "UBOT"]),
            FakeChannel("G1", "moving", "private_channel", members=["U2", "UBOT"]),
            FakeChannel("G2", "move-planning", "private_channel", members=["U1", "U2", "UBOT"]),
            FakeChannel("G3", "partners", "private_channel", members=["U2", "U9", "UBOT"]),
            FakeChannel("D1", "", "im", members=["U1"]),
            FakeChannel("D2", "", "im", members=["U2"]),
        ],
    )
