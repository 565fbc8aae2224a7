"""A local HTTP server that speaks the Slack Web API, for the live Slack connector's tests.

It goes in through the real door: ``slack_sdk.WebClient`` talks HTTP to it as it would to
slack.com. It answers ``users.list`` and ``conversations.list``/``members``/``history``/
``replies`` with Slack's shapes: opaque cursors in ``response_metadata.next_cursor`` that honour
``limit``, ``oldest``/``latest`` bounds, ``reply_count``/``latest_reply`` computed on parents,
tombstones for deleted parents that still have replies, and ``invalid_auth`` for a wrong bearer
token. Tests mutate the in-memory ``FakeWorkspace`` between runs, can make the next requests
answer HTTP 429 with ``Retry-After``, and assert on the recorded requests.

For the bot it also answers ``auth.test`` (as the bot user ``UBOT``), ``users.info``,
``conversations.info``, ``chat.postMessage`` (the message joins its channel, so a later
``conversations.replies`` sees the bot's answer), ``chat.update``, ``chat.postEphemeral``,
``reactions.add``/``remove`` and ``views.open``; ``fail_methods`` makes a method answer
``ok: false``.
"""

from __future__ import annotations

import base64
import copy
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

Message = dict[str, Any]
Answer = tuple[int, dict[str, Any]]


@dataclass
class FakeChannel:
    """One conversation; ``kind`` is a ``conversations.list`` type (public_channel, im ...)."""

    id: str
    name: str
    kind: str = "public_channel"
    members: list[str] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    archived: bool = False
    history_error: str | None = None  # e.g. "not_in_channel": history answers ok=false

    def entry(self) -> dict[str, Any]:
        """The channel as ``conversations.list`` shows it (DMs carry ``user``, not a name)."""
        entry: dict[str, Any] = {
            "id": self.id,
            "is_channel": self.kind == "public_channel",
            "is_group": self.kind == "private_channel",
            "is_im": self.kind == "im",
            "is_mpim": self.kind == "mpim",
            "is_private": self.kind != "public_channel",
            "is_archived": self.archived,
        }
        if self.kind == "im":
            entry["user"] = next(iter(self.members), "")
        else:
            entry["name"] = self.name
        return entry

    def find(self, ts: str) -> Message | None:
        return next((m for m in self.messages if m["ts"] == ts), None)

    def replies_to(self, ts: str) -> list[Message]:
        return [m for m in self.messages if m.get("thread_ts") == ts and m["ts"] != ts]

    def top_level(self) -> list[Message]:
        """Parents, lone messages and broadcast replies, newest first, with reply metadata."""
        shown = [
            m
            for m in self.messages
            if m.get("thread_ts") in (None, m["ts"]) or m.get("subtype") == "thread_broadcast"
        ]
        ordered = sorted(shown, key=lambda m: float(m["ts"]), reverse=True)
        return [self.with_reply_metadata(m) for m in ordered]

    def with_reply_metadata(self, message: Message) -> Message:
        out = copy.deepcopy(message)
        replies = self.replies_to(message["ts"])
        if replies and message.get("thread_ts") in (None, message["ts"]):
            out["thread_ts"] = message["ts"]
            out["reply_count"] = len(replies)
            out["reply_users"] = sorted({str(r.get("user", "")) for r in replies})
            out["latest_reply"] = max((r["ts"] for r in replies), key=float)
        return out


@dataclass
class FakeWorkspace:
    """The data the fake server serves; tests edit it between connector runs."""

    users: list[dict[str, Any]] = field(default_factory=list)
    channels: list[FakeChannel] = field(default_factory=list)

    def channel(self, channel_id: str) -> FakeChannel | None:
        return next((c for c in self.channels if c.id == channel_id), None)

    def add_message(self, channel_id: str, message: Message) -> None:
        self._require(channel_id).messages.append(copy.deepcopy(message))

    def edit_message(self, channel_id: str, ts: str, text: str, edited_ts: str) -> None:
        message = self._require(channel_id).find(ts)
        assert message is not None, f"no message {ts} in {channel_id}"
        message["text"] = text
        message["edited"] = {"user": message.get("user", ""), "ts": edited_ts}

    def delete_message(self, channel_id: str, ts: str) -> None:
        """As Slack does: a parent with replies turns into a tombstone, anything else vanishes."""
        channel = self._require(channel_id)
        message = channel.find(ts)
        assert message is not None, f"no message {ts} in {channel_id}"
        if channel.replies_to(ts):
            message.clear()
            message.update(
                type="message",
                subtype="tombstone",
                hidden=True,
                user="USLACKBOT",
                text="This message was deleted.",
                ts=ts,
                thread_ts=ts,
            )
        else:
            channel.messages.remove(message)

    def delete_thread(self, channel_id: str, ts: str) -> None:
        channel = self._require(channel_id)
        channel.messages = [
            m for m in channel.messages if m["ts"] != ts and m.get("thread_ts") != ts
        ]

    def _require(self, channel_id: str) -> FakeChannel:
        channel = self.channel(channel_id)
        assert channel is not None, f"no channel {channel_id}"
        return channel


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    params: dict[str, str]
    status: int


class FakeSlackServer:
    """Serve ``workspace`` on 127.0.0.1; ``api_url`` is what ``SlackApiSource.api_url`` takes."""

    def __init__(self, workspace: FakeWorkspace, token: str = "xoxb-test-token") -> None:
        self.workspace = workspace
        self.token = token
        self.requests: list[RecordedRequest] = []
        self.rate_limited_left = 0
        self.fail_methods: dict[str, str] = {}  # method -> error code it answers with
        self.bot_user_id = "UBOT"
        self.bot_id = "BBOT"
        self._next_ts = 1_700_000_000
        self._lock = threading.Lock()
        self._methods: dict[str, Callable[[dict[str, str]], Answer]] = {
            "users.list": self._users_list,
            "conversations.list": self._conversations_list,
            "conversations.members": self._conversations_members,
            "conversations.history": self._conversations_history,
            "conversations.replies": self._conversations_replies,
            "conversations.info": self._conversations_info,
            "users.info": self._users_info,
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.update": self._chat_update,
            "reactions.add": self._ok,
            "reactions.remove": self._ok,
            "views.open": self._ok,
        }
        self._http = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        # A short poll interval keeps shutdown (once per test) from costing half a second.
        self._thread = threading.Thread(
            target=self._http.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self._http.server_address[1]}/api/"

    def rate_limit_next(self, count: int) -> None:
        """Answer the next ``count`` requests with HTTP 429 and ``Retry-After: 1``."""
        with self._lock:
            self.rate_limited_left = count

    def calls(self, method: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method == method]

    def posted(self, method: str = "chat.postMessage") -> list[dict[str, Any]]:
        """What the bot posted, with ``blocks`` (and ``view``) parsed back from JSON."""
        found = []
        for request in self.calls(method):
            message: dict[str, Any] = dict(request.params)
            for key in ("blocks", "view"):
                if key in message:
                    message[key] = json.loads(message[key])
            found.append(message)
        return found

    def __enter__(self) -> FakeSlackServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._http.shutdown()
        self._http.server_close()

    # -- dispatch ---------------------------------------------------------------------------

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                self._answer(dict(parse_qsl(urlsplit(self.path).query)))

            def do_POST(self) -> None:
                params = dict(parse_qsl(urlsplit(self.path).query))
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if "json" in (self.headers.get("Content-Type") or ""):
                    body = json.loads(raw or b"{}")
                    params.update(
                        {k: v if isinstance(v, str) else json.dumps(v) for k, v in body.items()}
                    )
                else:
                    params.update(parse_qsl(raw.decode()))
                self._answer(params)

            def _answer(self, params: dict[str, str]) -> None:
                method = urlsplit(self.path).path.rsplit("/", 1)[-1]
                bearer = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
                status, payload, headers = server._respond(method, bearer, params)
                data = json.dumps(payload).encode()
                self.send_response(status)
                for name, value in {**headers, "Content-Type": "application/json"}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler

    def _respond(
        self, method: str, bearer: str, params: dict[str, str]
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        with self._lock:
            if self.rate_limited_left > 0:
                self.rate_limited_left -= 1
                self.requests.append(RecordedRequest(method, params, 429))
                return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "1"}
            if (bearer or params.get("token")) != self.token:
                status, payload = 200, {"ok": False, "error": "invalid_auth"}
            elif method not in self._methods:
                status, payload = 404, {"ok": False, "error": "unknown_method"}
            elif method in self.fail_methods:
                status, payload = _error(self.fail_methods[method])
            else:
                status, payload = self._methods[method](params)
            self.requests.append(RecordedRequest(method, params, status))
            return status, payload, {}

    # -- methods ----------------------------------------------------------------------------

    def _users_list(self, params: dict[str, str]) -> Answer:
        return _page(params, "members", self.workspace.users)

    def _conversations_list(self, params: dict[str, str]) -> Answer:
        types = set((params.get("types") or "public_channel").split(","))
        exclude_archived = params.get("exclude_archived") in ("true", "1")
        found = [
            c.entry()
            for c in self.workspace.channels
            if c.kind in types and not (exclude_archived and c.archived)
        ]
        return _page(params, "channels", found)

    def _conversations_members(self, params: dict[str, str]) -> Answer:
        channel = self.workspace.channel(params.get("channel", ""))
        if channel is None:
            return _error("channel_not_found")
        return _page(params, "members", list(channel.members))

    def _conversations_history(self, params: dict[str, str]) -> Answer:
        channel = self.workspace.channel(params.get("channel", ""))
        if channel is None:
            return _error("channel_not_found")
        if channel.history_error:
            return _error(channel.history_error)
        return _page(params, "messages", _in_bounds(channel.top_level(), params))

    def _conversations_replies(self, params: dict[str, str]) -> Answer:
        channel = self.workspace.channel(params.get("channel", ""))
        if channel is None:
            return _error("channel_not_found")
        parent = channel.find(params.get("ts", ""))
        if parent is None:
            return _error("thread_not_found")
        replies = sorted(channel.replies_to(parent["ts"]), key=lambda m: float(m["ts"]))
        thread = [channel.with_reply_metadata(parent), *copy.deepcopy(replies)]
        return _page(params, "messages", _in_bounds(thread, params))

    def _conversations_info(self, params: dict[str, str]) -> Answer:
        channel = self.workspace.channel(params.get("channel", ""))
        if channel is None:
            return _error("channel_not_found")
        return 200, {"ok": True, "channel": channel.entry()}

    def _users_info(self, params: dict[str, str]) -> Answer:
        user = next((u for u in self.workspace.users if u["id"] == params.get("user")), None)
        if user is None:
            return _error("user_not_found")
        return 200, {"ok": True, "user": user}

    def _auth_test(self, params: dict[str, str]) -> Answer:
        return 200, {
            "ok": True,
            "url": "https://fake.slack.com/",
            "team": "Fake",
            "team_id": "T1",
            "user": "copilot",
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
        }

    def _chat_post_message(self, params: dict[str, str]) -> Answer:
        channel = self.workspace.channel(params.get("channel", ""))
        if channel is None:
            return _error("channel_not_found")
        latest = max((float(m["ts"]) for m in channel.messages), default=0.0)
        self._next_ts = max(self._next_ts + 1, int(latest))
        message: Message = {
            "type": "message",
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "text": params.get("text", ""),
            "ts": f"{max(self._next_ts, latest + 0.0001):.6f}",  # just after what it answers
        }
        if params.get("thread_ts"):
            message["thread_ts"] = params["thread_ts"]
        channel.messages.append(message)
        return 200, {"ok": True, "channel": channel.id, "ts": message["ts"], "message": message}

    def _chat_update(self, params: dict[str, str]) -> Answer:
        channel = self.workspace.channel(params.get("channel", ""))
        if channel is None:
            return _error("channel_not_found")
        message = next((m for m in channel.messages if m["ts"] == params.get("ts")), None)
        if message is None:
            return _error("message_not_found")
        message["text"] = params.get("text", message.get("text", ""))
        return 200, {
            "ok": True,
            "channel": channel.id,
            "ts": message["ts"],
            "text": message["text"],
        }

    def _chat_post_ephemeral(self, params: dict[str, str]) -> Answer:
        self._next_ts += 1
        return 200, {"ok": True, "message_ts": f"{self._next_ts}.000100"}

    def _ok(self, params: dict[str, str]) -> Answer:
        return 200, {"ok": True}


def _in_bounds(messages: list[Message], params: dict[str, str]) -> list[Message]:
    """Slack's ``oldest``/``latest`` window, exclusive unless ``inclusive`` is set."""
    inclusive = params.get("inclusive") in ("true", "1")
    oldest = float(params.get("oldest") or 0)
    latest = float(params["latest"]) if params.get("latest") else float("inf")

    def inside(ts: float) -> bool:
        if inclusive:
            return oldest <= ts <= latest
        return oldest < ts < latest

    return [m for m in messages if inside(float(m["ts"]))]


def _page(params: dict[str, str], key: str, items: list[Any]) -> Answer:
    """One page of ``items`` from the cursor on, at most ``limit`` long, with the next cursor."""
    try:
        start = _decode_cursor(params.get("cursor", ""))
        limit = int(params.get("limit") or 100)
    except ValueError:
        return _error("invalid_cursor")
    end = start + max(1, min(limit, 1000))
    next_cursor = _encode_cursor(end) if end < len(items) else ""
    payload: dict[str, Any] = {
        "ok": True,
        key: items[start:end],
        "has_more": bool(next_cursor),
        "response_metadata": {"next_cursor": next_cursor},
    }
    return 200, payload


def _encode_cursor(offset: int) -> str:
    return base64.b64encode(f"offset:{offset}".encode()).decode()


def _decode_cursor(cursor: str) -> int:
    if not cursor:
        return 0
    text = base64.b64decode(cursor.encode(), validate=True).decode()
    if not text.startswith("offset:"):
        raise ValueError(cursor)
    return int(text.removeprefix("offset:"))


def _error(code: str) -> Answer:
    return 200, {"ok": False, "error": code}
