"""Slack workspace export (a folder or its ZIP): one thread = one document.

Each message becomes a section with its own permalink, so a citation lands on the message.
Public channels are public; a private channel's thread is visible to its members only (by the
emails in ``users.json`` or the users directory); DMs are skipped unless configured. Joins,
leaves, bot posts and other system subtypes are filtered out.

The module-level helpers (``is_human``, ``thread_document``, ``channel_access`` ...) are shared
with the live Web API connector (``connectors.slack_api``), so a thread read either way becomes
the very same ``Document`` and a workspace can switch sources without re-indexing noise.
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


# A user record as ``users.json`` and the ``users.list`` API both give it, keyed by Slack id.
Users = dict[str, dict[str, Any]]


@dataclass(frozen=True)
class SlackChannel:
    """A conversation as both connectors see it; ``members`` matter only when ``private``."""

    id: str
    name: str
    private: bool
    members: tuple[str, ...]


@dataclass
class _Thread:
    channel: SlackChannel
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
                if since is not None and max(map(message_time, thread.messages)) <= since:
                    continue  # gate 1 before the costly part: building the document
                doc = self._document(thread, users)
                if doc is not None:
                    yield doc

    def list_ids(self) -> Iterator[str]:
        """Thread ids without building documents: a no-change refresh should cost little."""
        files = _ExportFiles(self._path)
        for channel in self._channels(files):
            for thread in self._threads(files, channel):
                yield f"slack:{channel.id}:{thread.thread_ts}"

    def _users(self, files: _ExportFiles) -> Users:
        if not files.exists("users.json"):
            self.report_problem("users.json", "missing; authors will show as ids")
            return {}
        return {u["id"]: u for u in files.read_json("users.json") if isinstance(u, dict)}

    def _channels(self, files: _ExportFiles) -> list[SlackChannel]:
        listings = [("channels.json", False), ("groups.json", True)]
        if self._config.include_dms:
            listings += [("dms.json", True), ("mpims.json", True)]
        channels: list[SlackChannel] = []
        for listing, private in listings:
            if not files.exists(listing):
                continue
            for entry in files.read_json(listing):
                channels.append(
                    SlackChannel(
                        id=str(entry["id"]),
                        name=str(entry.get("name") or entry["id"]),
                        private=private,
                        members=tuple(entry.get("members") or ()),
                    )
                )
        return [c for c in channels if self._config.channels.allows(c.name)]

    def _threads(self, files: _ExportFiles, channel: SlackChannel) -> list[_Thread]:
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
                if not is_human(message):
                    continue
                key = str(message.get("thread_ts") or message["ts"])
                threads.setdefault(key, _Thread(channel, key)).messages.append(message)
        return list(threads.values())

    def _document(self, thread: _Thread, users: Users) -> Document | None:
        access = channel_access(thread.channel, users, self._directory)
        return thread_document(
            self.name,
            self._base_url,
            thread.channel,
            thread.thread_ts,
            thread.messages,
            users,
            access,
        )


def thread_document(
    source: str,
    base_url: str,
    channel: SlackChannel,
    thread_ts: str,
    messages: list[dict[str, Any]],
    users: Users,
    access: Access,
) -> Document | None:
    """One thread as one document; both Slack connectors build it here so they agree exactly.

    Messages that are not a person's words are dropped; a thread left with none is no document.
    """
    kept = sorted((m for m in messages if is_human(m)), key=lambda m: float(m["ts"]))
    if not kept:
        return None
    doc_id = f"slack:{channel.id}:{thread_ts}"
    sections = tuple(
        Section(
            text=f"{_author(m, users)}: {clean_text(m.get('text', ''), users)}",
            url=permalink(base_url, channel.id, str(m["ts"]), thread_ts),
            group=doc_id,
        )
        for m in kept
    )
    first_line = clean_text(kept[0].get("text", ""), users).split("\n")[0]
    return Document(
        id=doc_id,
        source=source,
        kind="slack",
        title=f"#{channel.name}: {_shorten(first_line, 80)}",
        url=permalink(base_url, channel.id, thread_ts, thread_ts),
        sections=sections,
        updated_at=max(message_time(m) for m in kept),
        access=access,
        metadata={"channel": channel.name, "messages": len(kept)},
    )


def channel_access(channel: SlackChannel, users: Users, directory: UserDirectory) -> Access:
    """Public channels are public; anything else only for its members, by email (fail closed)."""
    if not channel.private:
        return Access.public()
    emails = {e for e in (slack_email(member, users, directory) for member in channel.members) if e}
    return Access(users=frozenset(emails))


def slack_email(slack_id: str, users: Users, directory: UserDirectory) -> str | None:
    """The directory wins over Slack's profile, so access matches the emails users log in with."""
    known = directory.by_slack_id(slack_id)
    if known is not None:
        return known.email
    email = (users.get(slack_id, {}).get("profile") or {}).get("email")
    return str(email).lower() if email else None


def _author(message: dict[str, Any], users: Users) -> str:
    return _display_name(str(message.get("user", "")), users) or "unknown"


def clean_text(text: str, users: Users) -> str:
    """Slack's markup (``<@U1>``, ``<#C1|name>``, ``<url|label>``) as a reader would see it."""
    text = _MENTION.sub(lambda m: "@" + (_display_name(m.group(1), users) or m.group(1)), text)
    text = _CHANNEL_REF.sub(r"#\1", text)
    text = _LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})" if m.group(2) else m.group(1), text)
    return html.unescape(text).strip()


def permalink(base_url: str, channel_id: str, ts: str, thread_ts: str) -> str:
    """Slack's own permalink shape, so a citation opens the very message in the Slack app."""
    link = f"{base_url}/archives/{channel_id}/p{ts.replace('.', '')}"
    return link if ts == thread_ts else f"{link}?thread_ts={thread_ts}&cid={channel_id}"


def is_human(message: Any) -> bool:
    """A person's message: not a join, leave, bot post, tombstone or other system subtype."""
    return (
        isinstance(message, dict)
        and message.get("type", "message") == "message"
        and message.get("subtype") in _HUMAN_SUBTYPES
        and "ts" in message
        and not message.get("bot_id")
    )


def message_time(message: dict[str, Any]) -> datetime:
    """When a message last changed: an edit counts, so an edited thread is re-indexed."""
    edited = (message.get("edited") or {}).get("ts")
    return _ts_to_datetime(str(max(float(message["ts"]), float(edited or 0))))


def _display_name(slack_id: str, users: Users) -> str:
    user = users.get(slack_id) or {}
    profile = user.get("profile") or {}
    return str(profile.get("real_name") or user.get("real_name") or user.get("name") or "")


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
