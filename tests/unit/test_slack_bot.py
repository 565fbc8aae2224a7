"""The Slack bot through its real doors: signed requests dispatched into the Bolt app, whose
Web API client talks HTTP to a local fake of Slack, over the real retrieval stack on the tiny
workspace with the chat model scripted through its real HTTP interface."""

from __future__ import annotations

import json
import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from pydantic import SecretStr
from slack_bolt import BoltResponse

from copilot.audit import AuditLog
from copilot.config import Settings
from copilot.copilot import Copilot, Workspace
from copilot.errors import LLMError
from copilot.llm import OpenAICompatibleChat
from copilot.types import Answer, Citation, Principal
from indexes.catalog import Catalog
from indexes.embeddings import SentenceTransformerEmbedder
from tests.fakes.openai_server import FakeOpenAIServer
from tests.fakes.slack_api_server import FakeSlackServer
from tests.fakes.slack_requests import SECRET, TOKEN, callback, signed, slack_workspace
from tests.fakes.tiny_workspace import make_tiny_workspace
from ui.slack_app import (
    SlackBot,
    SlackBotError,
    asked_from_event,
    clean_text,
    failure_text,
    http_server,
    previous_question,
)
from ui.slack_audience import AudienceResolver
from ui.slack_blocks import FEEDBACK_DOWN, FEEDBACK_REASON_VIEW, FEEDBACK_UP
from ui.slack_guards import EventClaims, RateLimiter

MOVE_THREAD = "slack:G1:1767600000.000500"  # the private #moving channel: Bob only
MOVE_QUESTION = "When is the office move to Pier 39 planned?"


@pytest.fixture(scope="module")
def workspace(
    tmp_path_factory: pytest.TempPathFactory, embedder: SentenceTransformerEmbedder
) -> Workspace:
    ws = Workspace(Settings.load(make_tiny_workspace(tmp_path_factory.mktemp("ws"))))
    ws.embedder = embedder
    ws.ingest()
    return ws


@pytest.fixture
def slack() -> Iterator[FakeSlackServer]:
    with FakeSlackServer(slack_workspace(), token=TOKEN) as server:
        yield server


def _model_reply(request: dict[str, Any]) -> str:
    """The model answers from what it was shown, as a faithful model would."""
    prompt = json.dumps(request["messages"])
    if "Pier 39" in prompt:
        return "The office move to Pier 39 is planned for March 3 [1]."
    if "90 days" in prompt:
        return "VPN client certificates are renewed every 90 days [1]."
    return "I don't know."


@pytest.fixture
def model(fake_llm: FakeOpenAIServer) -> FakeOpenAIServer:
    fake_llm.replies = [_model_reply] * 50
    return fake_llm


def _copilot(workspace: Workspace, model: FakeOpenAIServer) -> Copilot:
    """Retrieval only, no verifier: these tests script the answering model's calls alone."""
    chat = OpenAICompatibleChat(workspace.settings, model.base_url)
    return Copilot(
        workspace.router(None, {"retrieval"}), {"retrieval": workspace.retrieval_chain(chat)}
    )


@dataclass
class Harness:
    bot: SlackBot
    slack: FakeSlackServer
    audit: AuditLog
    seq: list[int] = field(default_factory=lambda: [0])

    def dispatch(self, body: dict[str, Any], retry: int | None = None) -> BoltResponse:
        return self.bot.app.dispatch(signed(json.dumps(body), "application/json", retry))

    def mention(
        self, channel: str, user: str, text: str, thread_ts: str | None = None
    ) -> dict[str, Any]:
        return self.event("app_mention", channel, user, f"<@UBOT> {text}", thread_ts)

    def event(
        self,
        kind: str,
        channel: str,
        user: str,
        text: str,
        thread_ts: str | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        self.seq[0] += 1
        event = {
            "type": kind,
            "user": user,
            "text": text,
            "ts": f"{1767700000 + self.seq[0]}.000000",
            "channel": channel,
            **extra,
        }
        if thread_ts:
            event["thread_ts"] = thread_ts
        return callback(event, f"Ev{self.seq[0]}")

    def ask(self, body: dict[str, Any]) -> dict[str, Any]:
        """Dispatch, wait for the worker, return what the bot posted last."""
        assert self.dispatch(body).status == 200
        assert self.bot.drain(120)
        return self.slack.posted()[-1]


def _settings(workspace: Workspace, slack: FakeSlackServer, **changes: Any) -> Settings:
    return workspace.settings.model_copy(
        update={
            "slack_bot_token": SecretStr(TOKEN),
            "slack_signing_secret": SecretStr(SECRET),
            "slack_api_url": slack.api_url,
            "slack_rate_burst": 100,
            **changes,
        }
    )


def _harness(
    workspace: Workspace,
    slack: FakeSlackServer,
    copilot: Any,
    tmp_path: Path,
    **changes: Any,
) -> Harness:
    catalog = Catalog(f"sqlite:///{tmp_path}/bot.sqlite")
    audit = AuditLog.from_catalog(catalog)
    settings = _settings(workspace, slack, **changes)
    bot = SlackBot(
        copilot, workspace.directory, audit, settings, claims=EventClaims(catalog.engine)
    )
    return Harness(bot, slack, audit)


@pytest.fixture
def harness(
    workspace: Workspace, slack: FakeSlackServer, model: FakeOpenAIServer, tmp_path: Path
) -> Harness:
    return _harness(workspace, slack, _copilot(workspace, model), tmp_path)


class Recorder:
    """A Copilot-like object that records whom it was asked for and answers from a script."""

    def __init__(self, error: Exception | None = None) -> None:
        self.calls: list[tuple[str, Principal]] = []
        self.error = error

    def answer(self, question: str, principal: Principal, *, qid: str | None = None) -> Answer:
        self.calls.append((question, principal))
        if self.error is not None:
            raise self.error
        cited = Citation(1, "docs:it/vpn.md", "doc", "VPN", "https://d.example/vpn", "...")
        return Answer(question, "Every 90 days [1].", "retrieval", [cited])


def _text(message: dict[str, Any]) -> str:
    return json.dumps(message["blocks"]) + message["text"]


def _button_value(message: dict[str, Any], action_id: str) -> str:
    for block in message["blocks"]:
        for element in block.get("elements", []):
            if element.get("action_id") == action_id:
                return str(element["value"])
    raise AssertionError(f"no {action_id} button")


# -- access -------------------------------------------------------------------------------


def test_private_channel_source_never_posted_where_a_non_member_reads(
    harness: Harness, model: FakeOpenAIServer
) -> None:
    permalink = "p1767600000000500"
    # #move-planning is private but Ann is in it, and Ann may not see #moving: no citation.
    planning = harness.ask(harness.mention("G2", "U2", MOVE_QUESTION))
    assert MOVE_THREAD not in _text(planning) and permalink not in _text(planning)
    assert "Pier 39" not in _text(planning)
    # #general is public: anyone in the workspace may read the answer.
    general = harness.ask(harness.mention("C1", "U2", MOVE_QUESTION))
    assert permalink not in _text(general) and "Pier 39" not in _text(general)
    assert all("Pier 39" not in json.dumps(r["messages"]) for r in model.requests)
    # Bob's DM, and #moving itself (only Bob), may cite it.
    dm = harness.ask(harness.event("message", "D2", "U2", MOVE_QUESTION, channel_type="im"))
    assert permalink in _text(dm) and "March 3" in dm["text"]
    moving = harness.ask(harness.mention("G1", "U2", MOVE_QUESTION))
    assert permalink in _text(moving)
    assert [e.audience for e in harness.audit.entries()] == [
        "#move-planning (2 members)",
        "#general",
        None,
        "#moving (1 members)",
    ]


def test_answer_in_thread_with_eyes_while_working_and_an_audit_entry(harness: Harness) -> None:
    body = harness.mention("C1", "U1", "How often are VPN certificates renewed?")
    posted = harness.ask(body)
    ts = body["event"]["ts"]
    assert posted["channel"] == "C1" and posted["thread_ts"] == ts
    assert "90 days" in posted["text"] and "*Sources*" in _text(posted)
    assert [c.params["name"] for c in harness.slack.calls("reactions.add")] == ["eyes"]
    assert [c.params["timestamp"] for c in harness.slack.calls("reactions.remove")] == [ts]
    (entry,) = harness.audit.entries()
    assert entry.id == _button_value(posted, FEEDBACK_UP)
    assert (entry.surface, entry.asker, entry.route) == ("slack", "ann@tiny.example", "retrieval")
    assert entry.source_ids == ["docs:it/vpn.md"] and entry.latency_ms >= 0


def test_audience_is_every_human_member_and_fails_closed(
    workspace: Workspace, slack: FakeSlackServer, tmp_path: Path
) -> None:
    recorder = Recorder()
    harness = _harness(workspace, slack, recorder, tmp_path)
    # Members are read page by page (one per page here) and the bot itself is not a reader.
    harness.bot.resolver = AudienceResolver(harness.bot.client, workspace.directory, page_size=1)
    harness.ask(harness.mention("G2", "U1", "How often are VPN certificates renewed?"))
    principal = recorder.calls[-1][1]
    assert sorted(m.email for m in principal.members) == ["ann@tiny.example", "bob@tiny.example"]
    assert len(slack.calls("conversations.members")) == 3
    # A member outside the users directory leaves public sources only, and the bot says so.
    posted = harness.ask(harness.mention("G3", "U2", "How often are VPN certificates renewed?"))
    assert "slack:U9" in {m.email for m in recorder.calls[-1][1].members}
    assert "not in the users directory" in _text(posted)
    # Members that cannot be listed: anonymous, and said.
    slack.fail_methods["conversations.members"] = "missing_scope"
    posted = harness.ask(harness.mention("G2", "U1", "How often are VPN certificates renewed?"))
    assert recorder.calls[-1][1] == Principal.anonymous()
    assert "could not check who can read" in _text(posted)


def test_dm_uses_the_askers_own_access(
    workspace: Workspace, slack: FakeSlackServer, tmp_path: Path
) -> None:
    recorder = Recorder()
    harness = _harness(workspace, slack, recorder, tmp_path)
    harness.ask(harness.event("message", "D2", "U2", "hello there?", channel_type="im"))
    assert recorder.calls[-1][1] == Principal.user("bob@tiny.example", frozenset({"hr"}))


# -- Slack's delivery -----------------------------------------------------------------------


def test_retries_and_twin_events_produce_exactly_one_answer(
    workspace: Workspace, slack: FakeSlackServer, tmp_path: Path
) -> None:
    recorder = Recorder()
    harness = _harness(workspace, slack, recorder, tmp_path)
    body = harness.event(
        "message", "D1", "U1", "<@UBOT> How often are VPN certificates renewed?", channel_type="im"
    )
    twin = callback({**body["event"], "type": "app_mention"}, "EvTwin")
    responses = [harness.dispatch(body), harness.dispatch(twin)]
    responses += [harness.dispatch(body, retry=n) for n in (1, 2)]
    assert harness.bot.drain(60)
    assert [r.status for r in responses] == [200] * 4
    assert len(slack.posted()) == 1 and len(recorder.calls) == 1
    # Another bot process sharing the catalog drops it too.
    other = _harness(workspace, slack, recorder, tmp_path)
    assert other.dispatch(body, retry=3).status == 200 and other.bot.drain(60)
    assert len(slack.posted()) == 1 and len(recorder.calls) == 1


def test_a_bad_signature_is_refused_and_nothing_is_posted(harness: Harness) -> None:
    raw = json.dumps(harness.mention("C1", "U1", "anything?"))
    request = signed(raw, "application/json")
    request.headers["x-slack-signature"] = ["v0=" + "0" * 64]
    assert harness.bot.app.dispatch(request).status == 401
    assert harness.bot.drain(10) and harness.slack.posted() == []


def test_bot_posts_and_edits_are_not_questions(harness: Harness) -> None:
    harness.dispatch(harness.event("message", "D1", "U1", "edited", subtype="message_changed"))
    harness.dispatch(harness.event("message", "C1", "U1", "no mention", channel_type="channel"))
    harness.dispatch(harness.event("message", "D1", "U1", "hi", channel_type="im", bot_id="B9"))
    assert harness.bot.drain(10) and harness.slack.posted() == []


# -- never silent ---------------------------------------------------------------------------


def test_rate_limit_answers_with_a_message(
    workspace: Workspace, slack: FakeSlackServer, tmp_path: Path
) -> None:
    recorder = Recorder()
    harness = _harness(
        workspace, slack, recorder, tmp_path, slack_rate_burst=1, slack_rate_per_minute=1.0
    )
    first = harness.ask(harness.mention("C1", "U1", "How often are VPN certificates renewed?"))
    second = harness.ask(harness.mention("C1", "U1", "And error 809?"))
    other_user = harness.ask(harness.mention("C1", "U2", "And error 809?"))
    assert "90 days" in first["text"] and "90 days" in other_user["text"]
    assert "asking faster than I can answer" in second["text"]
    assert second["thread_ts"] == harness.slack.calls("chat.postMessage")[1].params["thread_ts"]
    assert len(recorder.calls) == 2
    assert [e.error for e in harness.audit.entries()] == [None, "rate limited", None]


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (LLMError("HTTP 500 from the model"), "language model is not answering"),
        (RuntimeError("boom"), "An admin can look up reference"),
    ],
)
def test_a_failure_posts_a_short_clear_message(
    workspace: Workspace,
    slack: FakeSlackServer,
    tmp_path: Path,
    error: Exception,
    expected: str,
) -> None:
    harness = _harness(workspace, slack, Recorder(error), tmp_path)
    posted = harness.ask(harness.mention("C1", "U1", "How often are VPN certificates renewed?"))
    assert expected in posted["text"] and "Traceback" not in posted["text"]
    assert "boom" not in posted["text"]  # internals stay in the logs and the audit log
    (entry,) = harness.audit.entries()
    assert entry.error is not None and error.__class__.__name__ in entry.error
    if isinstance(error, RuntimeError):
        assert entry.id in posted["text"]
    assert len(slack.calls("reactions.remove")) == 1  # 👀 goes away even after a failure


def test_an_empty_mention_gets_help(harness: Harness) -> None:
    posted = harness.ask(harness.mention("C1", "U1", "  "))
    assert "Ask me a question" in posted["text"]


# -- threads --------------------------------------------------------------------------------


def test_follow_up_in_a_thread_the_bot_answered_carries_the_previous_question(
    workspace: Workspace, slack: FakeSlackServer, tmp_path: Path
) -> None:
    recorder = Recorder()
    harness = _harness(workspace, slack, recorder, tmp_path)
    first = harness.mention("C1", "U1", "How often are VPN certificates renewed?")
    slack.workspace.add_message("C1", first["event"])
    harness.ask(first)
    root = first["event"]["ts"]
    follow = harness.mention("C1", "U1", "and for contractors?", thread_ts=root)
    slack.workspace.add_message("C1", follow["event"])
    harness.ask(follow)
    assert recorder.calls[-1][0] == "How often are VPN certificates renewed? and for contractors?"
    # A thread the bot never answered is not its conversation: the question stays as asked.
    other = harness.event("message", "C1", "U2", "Who moved my stapler?")
    slack.workspace.add_message("C1", other["event"])
    ask = harness.mention("C1", "U1", "any idea?", thread_ts=other["event"]["ts"])
    slack.workspace.add_message("C1", ask["event"])
    harness.ask(ask)
    assert recorder.calls[-1][0] == "any idea?"


def test_previous_question_and_clean_text() -> None:
    def is_bot(m: dict[str, Any]) -> bool:
        return m.get("user") == "UBOT"

    thread = [
        {"ts": "1.0", "user": "U1", "text": "first?"},
        {"ts": "2.0", "user": "UBOT", "text": "answer 1"},
        {"ts": "3.0", "user": "U2", "text": "second?"},
        {"ts": "4.0", "user": "UBOT", "text": "answer 2"},
        {"ts": "5.0", "user": "U1", "text": "unanswered"},
        {"ts": "6.0", "user": "U1", "text": "now"},
    ]
    assert previous_question(thread, "6.0", is_bot) == "second?"
    assert previous_question(thread, "3.5", is_bot) == "first?"
    assert previous_question(thread[:1], "6.0", is_bot) is None
    text = "<@UBOT> is <https://x.example|the doc> &amp; <#C1|general> ok &lt;3 <@U2>"
    assert clean_text(text, "UBOT") == "is the doc & general ok <3 @U2"


def test_asked_from_event_filters_non_questions() -> None:
    mention = {"type": "app_mention", "user": "U1", "text": "x", "ts": "1.1", "channel": "C1"}
    assert asked_from_event(mention) is not None
    assert asked_from_event({**mention, "type": "message", "channel_type": "channel"}) is None
    dm = asked_from_event({**mention, "type": "message", "channel_type": "im"})
    assert dm is not None and dm.is_dm and dm.reply_thread == "1.1"
    assert asked_from_event({**mention, "subtype": "bot_message"}) is None


# -- feedback -------------------------------------------------------------------------------


def _action(action_id: str, value: str, message_ts: str) -> dict[str, Any]:
    return {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": "U1"},
        "api_app_id": "A1",
        "token": "legacy",
        "trigger_id": "trigger-1",
        "channel": {"id": "C1"},
        "container": {"type": "message", "message_ts": message_ts, "thread_ts": message_ts},
        "actions": [{"action_id": action_id, "block_id": "copilot_feedback", "value": value}],
    }


def _form(payload: dict[str, Any]) -> str:
    return urlencode({"payload": json.dumps(payload)})


def test_feedback_buttons_and_reason_are_stored(harness: Harness) -> None:
    posted = harness.ask(harness.mention("C1", "U1", "How often are VPN certificates renewed?"))
    audit_id = _button_value(posted, FEEDBACK_DOWN)
    down = _form(_action(FEEDBACK_DOWN, audit_id, posted["thread_ts"]))
    assert harness.bot.app.dispatch(signed(down, "application/x-www-form-urlencoded")).status == 200
    assert harness.bot.drain(30)
    (modal,) = harness.slack.posted("views.open")
    assert modal["view"]["private_metadata"] == audit_id
    entry = harness.audit.get(audit_id)
    assert entry is not None and entry.feedback == "down"
    submission = {
        "type": "view_submission",
        "team": {"id": "T1"},
        "user": {"id": "U1"},
        "api_app_id": "A1",
        "token": "legacy",
        "view": {
            **modal["view"],
            "id": "V1",
            "state": {"values": {"reason": {"reason_input": {"value": "cites the wrong doc"}}}},
        },
    }
    response = harness.bot.app.dispatch(
        signed(_form(submission), "application/x-www-form-urlencoded")
    )
    assert response.status == 200 and submission["view"]["callback_id"] == FEEDBACK_REASON_VIEW
    assert harness.bot.drain(30)
    entry = harness.audit.get(audit_id)
    assert entry is not None and entry.feedback_reason == "cites the wrong doc"
    up = _form(_action(FEEDBACK_UP, audit_id, posted["thread_ts"]))
    harness.bot.app.dispatch(signed(up, "application/x-www-form-urlencoded"))
    assert harness.bot.drain(30)
    entry = harness.audit.get(audit_id)
    assert entry is not None and entry.feedback == "up"
    assert "Thanks" in harness.slack.posted("chat.postEphemeral")[-1]["text"]


def test_feedback_for_an_unknown_answer_says_so(harness: Harness) -> None:
    unknown = _form(_action(FEEDBACK_UP, "no-such-id", "1.1"))
    harness.bot.app.dispatch(signed(unknown, "application/x-www-form-urlencoded"))
    assert harness.bot.drain(30)
    assert "could not record" in harness.slack.posted("chat.postEphemeral")[-1]["text"]


# -- serving and guards ----------------------------------------------------------------------


def test_http_mode_serves_url_verification_and_events(harness: Harness) -> None:
    server = http_server(harness.bot.app, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/slack/events"
        challenge = json.dumps({"type": "url_verification", "challenge": "abc", "token": "t"})
        assert json.loads(_post(url, challenge)) == {"challenge": "abc"}
        _post(url, json.dumps(harness.mention("C1", "U1", "How often are VPN certs renewed?")))
        assert harness.bot.drain(120)
        assert "90 days" in harness.slack.posted()[-1]["text"]
    finally:
        server.shutdown()
        server.server_close()


def _post(url: str, raw: str) -> str:
    request = signed(raw, "application/json")
    headers = {k: v[0] for k, v in request.headers.items()}
    req = urllib.request.Request(url, data=raw.encode(), headers=headers, method="POST")
    with urllib.request.urlopen(req, timeout=30) as response:
        return str(response.read().decode())


def test_missing_tokens_are_clear_errors(workspace: Workspace, slack: FakeSlackServer) -> None:
    audit = AuditLog.from_catalog(workspace.catalog)
    with pytest.raises(SlackBotError, match="SLACK_BOT_TOKEN"):
        SlackBot(Recorder(), workspace.directory, audit, workspace.settings)
    no_secret = _settings(workspace, slack, slack_signing_secret=None)
    with pytest.raises(SlackBotError, match="SIGNING_SECRET"):
        SlackBot(Recorder(), workspace.directory, audit, no_secret)
    wrong = _settings(workspace, slack, slack_bot_token=SecretStr("xoxb-wrong"))
    with pytest.raises(SlackBotError, match="invalid_auth") as caught:
        SlackBot(Recorder(), workspace.directory, audit, wrong).check_token()
    assert "xoxb-wrong" not in str(caught.value)


def test_rate_limiter_refills_over_time() -> None:
    now = [0.0]
    limiter = RateLimiter(per_minute=6, burst=2, clock=lambda: now[0])
    assert limiter.take("a") == 0 and limiter.take("a") == 0
    assert limiter.take("a") == pytest.approx(10.0)
    assert limiter.take("b") == 0  # per user
    now[0] = 10.0
    assert limiter.take("a") == 0 and limiter.take("a") > 0
    unlimited = RateLimiter(per_minute=0, burst=1)
    assert all(unlimited.take("a") == 0 for _ in range(100))


def test_event_claims_are_shared_through_the_catalog(tmp_path: Path) -> None:
    catalog = Catalog(f"sqlite:///{tmp_path}/c.sqlite")
    one, two = EventClaims(catalog.engine), EventClaims(catalog.engine)
    assert one.claim("C1:1.1") and not one.claim("C1:1.1")
    assert not two.claim("C1:1.1") and two.claim("C1:2.2")
    memory_only = EventClaims()
    assert memory_only.claim("x") and not memory_only.claim("x")


def test_failure_text_is_short_and_actionable() -> None:
    from copilot.errors import IndexNotReadyError, LLMTimeoutError

    assert "try again in a minute" in failure_text(LLMTimeoutError("slow"), "r1")
    assert "copilot ingest" in failure_text(IndexNotReadyError("no index"), "r1")
    generic = failure_text(ValueError("secret path /etc/x"), "r1")
    assert "r1" in generic and "/etc/x" not in generic and len(generic) < 200


def test_cli_slack_without_tokens_fails_fast_and_clearly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from copilot.cli import main

    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(f"COPILOT_{name}", raising=False)
    monkeypatch.setenv("COPILOT_LLM_BASE_URL", "http://127.0.0.1:9/v1")  # never reached
    workspace = make_tiny_workspace(tmp_path / "ws")
    assert main(["slack", "--workspace", str(workspace)]) == 2
    err = capsys.readouterr().err
    assert "SLACK_BOT_TOKEN" in err and "Traceback" not in err
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-from-env")
    assert main(["slack", "--workspace", str(workspace)]) == 2
    assert "SIGNING_SECRET" in capsys.readouterr().err
