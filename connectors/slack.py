"""Slack workspace export (a folder or its ZIP): one thread = one document.

Each message becomes a section with its own permalink, so a citation lands on the message.
Public channels are public; a private channel's thread is visible to its members only (by the
emails in ``users.json`` or the users directory); DMs are skipped unless configured. Joins,
leaves, bot posts and other system subtypes are filtered out.
"""

from __future__ import annotations

import html
import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from connectors.base import BaseConnector
from copilot.config import SlackExportSource
from copilot.directory import UserDirectory
from copilot.errors import ConnectorError
from copilot.types import Access, Document, Section

# Subtypes that carry a person's words; everything else (joins, bots, topic changes) is noise.
_HUMAN_SUBTYPES = frozenset({None, "thread_broadcast", "file_share", "me_message"})
_MENTION = re.compile(r"<@([A-Z0-9]+)(?:\|[^>]*)?>")
_CHANNEL_REF = re.compile(r"<#[A-Z0-9]+\|([^>]*)>")
_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]*))?>")


@dataclass(frozen=True)
class _Channel:
    id: str
    name: str
    private: bool
    members: tuple[str, ...]


@dataclass
class _Thread:
    channel: _Channel
    thread_ts: str
    messages: list[dict[str, Any]] = field(default_factory=list)


def _ts_to_datetime(ts: str) -> datetime:
    return datetime.fromtimestamp(float(ts), tz=UTC)


class _ExportFiles:
    """Read an export from a folder or a ZIP through one small interface."""

    def __init__(self, path: Path) -> None:
        if not path.exists():
            raise ConnectorError("slack_export", f"{path} does not exist")
        self._zip = zipfile.ZipFile(path) if path.is_file() else None
        self._root = path
        self._all = self._names()
        self._set = set(self._all)
        self._prefix = self._find_prefix()

    def _names(self) -> list[str]:
        if self._zip is not None:
            return self._zip.namelist()
        return [p.relative_to(self._root).as_posix() for p in self._root.rglob("*") if p.is_file()]

    def _find_prefix(self) -> str:
        names = self._all
        if "channels.json" in names:
            return ""
        for name in names:
            if name.endswith("/channels.json") and name.count("/") == 1:
                return name.rsplit("/", 1)[0] + "/"
        raise ConnectorError(
            "slack_export", f"{self._root} has no channels.json: is it a Slack workspace export?"
        )

    def exists(self, name: str) -> bool:
        return (self._prefix + name) in self._set

    def read_json(self, name: str) -> Any:
        full = self._prefix + name
        raw = self._zip.read(full) if self._zip else (self._root / full).read_bytes()
        return json.loads(raw.decode("utf-8"))

    def day_files(self, channel: str) -> list[str]:
        folder = f"{self._prefix}{channel}/"
        names = [n for n in self._all if n.startswith(folder) and n.endswith(".json")]
        return sorted(n[len(self._prefix) :] for n in names if "/" not in n[len(folder) :])


class SlackExportConnector(BaseConnector):
    def __init__(self, config: SlackExportSource, path: Path, directory: UserDirectory) -> None:
        super().__init__(config.name)
        self._config = config
        self._path = path
        self._directory = directory
        self._base_url = config.workspace_url.rstrip("/")

    def load(self, since: datetime | None = None) -> Iterator[Document]:
        files = _ExportFiles(self._path)
        users = self._users(files)
        for channel in self._channels(files):
            for thread in self._threads(files, channel):
                doc = self._document(thread, users)
                if doc is not None and (since is None or doc.updated_at > since):
                    yield doc

    def _users(self, files: _ExportFiles) -> dict[str, dict[str, Any]]:
        if not files.exists("users.json"):
            self.report_problem("users.json", "missing; authors will show as ids")
            return {}
        return {u["id"]: u for u in files.read_json("users.json") if isinstance(u, dict)}

    def _channels(self, files: _ExportFiles) -> list[_Channel]:
        listings = [("channels.json", False), ("groups.json", True)]
        if self._config.include_dms:
            listings += [("dms.json", True), ("mpims.json", True)]
        channels: list[_Channel] = []
        for listing, private in listings:
            if not files.exists(listing):
                continue
            for entry in files.read_json(listing):
                channels.append(
                    _Channel(
                        id=str(entry["id"]),
                        name=str(entry.get("name") or entry["id"]),
                        private=private,
                        members=tuple(entry.get("members") or ()),
                    )
                )
        return channels

    def _threads(self, files: _ExportFiles, channel: _Channel) -> list[_Thread]:
        threads: dict[str, _Thread] = {}
        for day_file in files.day_files(channel.name):
            try:
                messages = files.read_json(day_file)
                if not isinstance(messages, list):
                    raise ValueError("expected a JSON list of messages")
            except (ValueError, UnicodeDecodeError) as exc:
                self.report_problem(day_file, f"unreadable day file ({exc})")
                continue
            for message in messages:
                if not _is_human(message):
                    continue
                key = str(message.get("thread_ts") or message["ts"])
                threads.setdefault(key, _Thread(channel, key)).messages.append(message)
        return list(threads.values())

    def _document(self, thread: _Thread, users: dict[str, dict[str, Any]]) -> Document | None:
        messages = sorted(thread.messages, key=lambda m: float(m["ts"]))
        if not messages:
            return None
        channel = thread.channel
        doc_id = f"slack:{channel.id}:{thread.thread_ts}"
        sections = tuple(
            Section(
                text=f"{self._author(m, users)}: {self._clean(m.get('text', ''), users)}",
                url=self._permalink(channel.id, str(m["ts"]), thread.thread_ts),
                group=doc_id,
            )
            for m in messages
        )
        first_line = self._clean(messages[0].get("text", ""), users).split("\n")[0]
        return Document(
            id=doc_id,
            source=self.name,
            kind="slack",
            title=f"#{channel.name}: {_shorten(first_line, 80)}",
            url=self._permalink(channel.id, thread.thread_ts, thread.thread_ts),
            sections=sections,
            updated_at=max(_message_time(m) for m in messages),
            access=self._access(channel, users),
            metadata={"channel": channel.name, "messages": len(messages)},
        )

    def _access(self, channel: _Channel, users: dict[str, dict[str, Any]]) -> Access:
        if not channel.private:
            return Access.public()
        emails = {e for e in (self._email(member, users) for member in channel.members) if e}
        return Access(users=frozenset(emails))

    def _email(self, slack_id: str, users: dict[str, dict[str, Any]]) -> str | None:
        known = self._directory.by_slack_id(slack_id)
        if known is not None:
            return known.email
        email = (users.get(slack_id, {}).get("profile") or {}).get("email")
        return str(email).lower() if email else None

    def _author(self, message: dict[str, Any], users: dict[str, dict[str, Any]]) -> str:
        return _display_name(str(message.get("user", "")), users) or "unknown"

    def _clean(self, text: str, users: dict[str, dict[str, Any]]) -> str:
        text = _MENTION.sub(lambda m: "@" + (_display_name(m.group(1), users) or m.group(1)), text)
        text = _CHANNEL_REF.sub(r"#\1", text)
        text = _LINK.sub(
            lambda m: f"{m.group(2)} ({m.group(1)})" if m.group(2) else m.group(1), text
        )
        return html.unescape(text).strip()

    def _permalink(self, channel_id: str, ts: str, thread_ts: str) -> str:
        link = f"{self._base_url}/archives/{channel_id}/p{ts.replace('.', '')}"
        return link if ts == thread_ts else f"{link}?thread_ts={thread_ts}&cid={channel_id}"


def _is_human(message: Any) -> bool:
    return (
        isinstance(message, dict)
        and message.get("type", "message") == "message"
        and message.get("subtype") in _HUMAN_SUBTYPES
        and "ts" in message
        and not message.get("bot_id")
    )


def _message_time(message: dict[str, Any]) -> datetime:
    edited = (message.get("edited") or {}).get("ts")
    return _ts_to_datetime(str(max(float(message["ts"]), float(edited or 0))))


def _display_name(slack_id: str, users: dict[str, dict[str, Any]]) -> str:
    user = users.get(slack_id) or {}
    profile = user.get("profile") or {}
    return str(profile.get("real_name") or user.get("real_name") or user.get("name") or "")


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
