"""The live Slack Web API: the export connector's one-thread-one-document view, read over HTTP.

It reads what a bot token can see (``users.list``, ``conversations.list``/``members``/
``history``/``replies``) and builds each thread with the export connector's own helpers, so a
thread gives the very same ``Document`` (id, title, permalinks, access) whichever way it was read.

Incremental loads (``since``) still page through each channel's whole history: a late reply to
an old thread changes only the parent's ``latest_reply``, and a history call bounded by
``oldest`` would never return that parent. Only threads whose latest activity is newer than
``since`` are then fetched with ``conversations.replies``, which is where the cost lies. Slack
does not surface an *edit* of an old reply on the parent, so such an edit shows on a full load.

Failures that concern the whole source (a bad token, rate limits that outlast the retries, an
unreachable server) raise ``ConnectorError``; a channel the bot cannot read is reported in
``problems`` and skipped. The token is handed to ``WebClient`` only and never put in a message.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from connectors.base import BaseConnector
from connectors.slack import SlackChannel, Users, channel_access, is_human, thread_document
from copilot.config import SlackApiSource
from copilot.directory import UserDirectory
from copilot.errors import ConnectorError
from copilot.types import Document

# Codes that no other channel would answer differently: the whole source has failed.
_SOURCE_FATAL = frozenset(
    {
        "invalid_auth",
        "not_authed",
        "account_inactive",
        "token_revoked",
        "token_expired",
        "ratelimited",
    }
)
_SCOPES = (
    "channels:read, channels:history, groups:read, groups:history, im:read, im:history, "
    "mpim:read, mpim:history, users:read, users:read.email"
)

Params = dict[str, str | int]


class _SlackFailure(Exception):
    """An ``ok: false`` answer about one channel or thread; the caller decides its reach."""


class SlackApiConnector(BaseConnector):
    def __init__(self, config: SlackApiSource, token: str, directory: UserDirectory) -> None:
        super().__init__(config.name)
        self._config = config
        self._directory = directory
        self._base_url = config.workspace_url.rstrip("/")
        retry = RateLimitErrorRetryHandler(max_retry_count=config.max_retries)
        self._client = WebClient(token=token, base_url=config.api_url, retry_handlers=[retry])

    def load(self, since: datetime | None = None) -> Iterator[Document]:
        users = self._users()
        for channel in self._channels():
            yield from self._channel_documents(channel, users, since)

    def list_ids(self) -> Iterator[str]:
        """Every thread id, from history alone: no replies are fetched, so it stays cheap."""
        for channel in self._channels():
            try:
                roots = self._roots(channel)
            except _SlackFailure as failure:
                self.report_problem(_where(channel), str(failure))
                continue
            for root in roots:
                if is_human(root) or _has_replies(root):
                    yield f"slack:{channel.id}:{root['ts']}"

    # -- workspace-wide listings ------------------------------------------------------------

    def _users(self) -> Users:
        """Names and profile emails by Slack id, for authors, mentions and member emails."""
        members = self._source_pages("users.list", "members", {})
        return {str(u["id"]): u for u in members if isinstance(u, dict) and "id" in u}

    def _channels(self) -> list[SlackChannel]:
        """The conversations this source covers: by type as configured, then by name filter."""
        types = ["public_channel"]
        if self._config.include_private:
            types.append("private_channel")
        if self._config.include_dms:
            types += ["im", "mpim"]
        params: Params = {"types": ",".join(types), "exclude_archived": "true"}
        entries = self._source_pages("conversations.list", "channels", params)
        channels = [_to_channel(e) for e in entries if isinstance(e, dict) and "id" in e]
        return [c for c in channels if self._config.channels.allows(c.name)]

    def _source_pages(self, method: str, key: str, params: Params) -> list[dict[str, Any]]:
        """A listing the whole source depends on, so any failure of it fails the source."""
        try:
            return list(self._pages(method, key, params))
        except _SlackFailure as failure:
            raise ConnectorError(self.name, str(failure)) from None

    # -- one channel ------------------------------------------------------------------------

    def _channel_documents(
        self, channel: SlackChannel, users: Users, since: datetime | None
    ) -> Iterator[Document]:
        """A channel's threads; a channel the bot cannot read is reported, not fatal."""
        try:
            if channel.private:
                channel = replace(channel, members=self._members(channel))
            roots = self._roots(channel)
        except _SlackFailure as failure:
            self.report_problem(_where(channel), str(failure))
            return
        access = channel_access(channel, users, self._directory)
        for root in roots:
            if since is not None and _last_activity(root) <= since:
                continue
            messages = self._thread_messages(channel, root)
            thread_ts = str(root["ts"])
            doc = thread_document(
                self.name, self._base_url, channel, thread_ts, messages, users, access
            )
            if doc is not None and (since is None or doc.updated_at > since):
                yield doc

    def _members(self, channel: SlackChannel) -> tuple[str, ...]:
        """Member ids of a private conversation: they, and only they, may see its threads."""
        params: Params = {"channel": channel.id}
        return tuple(str(m) for m in self._pages("conversations.members", "members", params))

    def _roots(self, channel: SlackChannel) -> list[dict[str, Any]]:
        """Thread parents and lone messages of the whole history (see the module docstring)."""
        params: Params = {"channel": channel.id}
        return list(_thread_roots(self._pages("conversations.history", "messages", params)))

    def _thread_messages(self, channel: SlackChannel, root: dict[str, Any]) -> list[dict[str, Any]]:
        """All messages of a thread (parent first); a vanished thread is reported and skipped."""
        if not _has_replies(root):
            return [root]
        params: Params = {"channel": channel.id, "ts": str(root["ts"])}
        try:
            replies = list(self._pages("conversations.replies", "messages", params))
        except _SlackFailure as failure:
            self.report_problem(f"{_where(channel)} thread {root['ts']}", str(failure))
            return []
        # Slack may repeat the parent at the top of every page; keep each message once.
        return list(
            {str(m["ts"]): m for m in replies if isinstance(m, dict) and "ts" in m}.values()
        )

    # -- HTTP -------------------------------------------------------------------------------

    def _pages(self, method: str, key: str, params: Params) -> Iterator[Any]:
        """Every item of a cursor-paginated method; an empty ``next_cursor`` ends the listing."""
        cursor = ""
        while True:
            page_params: Params = {**params, "limit": self._config.page_size}
            if cursor:
                page_params["cursor"] = cursor
            page = self._call(method, page_params)
            yield from page.get(key) or []
            cursor = str((page.get("response_metadata") or {}).get("next_cursor") or "")
            if not cursor:
                return

    def _call(self, method: str, params: Params) -> dict[str, Any]:
        """One API call; 429s are waited out by the client's retry handler before we see them."""
        try:
            response = self._client.api_call(method, http_verb="GET", params=params)
        except SlackApiError as exc:
            code = str(exc.response.get("error") or f"HTTP {exc.response.status_code}")
            reason = f"{method} failed with {code}: {self._hint(code, exc.response.get('needed'))}"
            if code in _SOURCE_FATAL:
                raise ConnectorError(self.name, reason) from None
            raise _SlackFailure(reason) from None
        except (SlackClientError, OSError) as exc:
            raise ConnectorError(
                self.name,
                f"cannot reach the Slack API at {self._config.api_url} "
                f"({exc.__class__.__name__}: {exc}); check api_url and the network",
            ) from None
        return response.data if isinstance(response.data, dict) else {}

    def _hint(self, code: str, needed: object) -> str:
        """What the operator should do about an error code; names the variable, not the token."""
        env = self._config.token_env
        hints = {
            "invalid_auth": f"Slack rejected the token in ${env}; set it to the app's bot token",
            "not_authed": f"no token reached Slack; set ${env} to the app's bot token",
            "account_inactive": f"the token in ${env} belongs to a deactivated user or app",
            "token_revoked": f"the token in ${env} was revoked; reinstall the app and update it",
            "token_expired": f"the token in ${env} expired; refresh it and update ${env}",
            "ratelimited": f"Slack kept rate-limiting after {self._config.max_retries} retries; "
            "raise max_retries or refresh less often",
            "not_in_channel": "invite the bot to the channel (/invite) or exclude it in channels",
            "channel_not_found": "the bot cannot see this channel; exclude it in channels",
            "missing_scope": f"add the scope {needed or '(see Slack app settings)'} to the Slack "
            f"app and reinstall it (the connector uses {_SCOPES})",
            "thread_not_found": "the thread was deleted while being read; a refresh drops it",
        }
        return hints.get(code, "see https://api.slack.com/methods for this error code")


def _to_channel(entry: dict[str, Any]) -> SlackChannel:
    """A ``conversations.list`` entry; DMs have no name, so (as in exports) their id stands in."""
    private = bool(entry.get("is_private") or entry.get("is_im") or entry.get("is_mpim"))
    return SlackChannel(
        id=str(entry["id"]), name=str(entry.get("name") or entry["id"]), private=private, members=()
    )


def _thread_roots(history: Iterable[Any]) -> Iterator[dict[str, Any]]:
    """Parents and lone messages; a reply broadcast to the channel comes with its own thread."""
    for message in history:
        if not isinstance(message, dict) or "ts" not in message:
            continue
        thread_ts = message.get("thread_ts")
        if thread_ts and thread_ts != message["ts"]:
            continue
        yield message


def _has_replies(message: dict[str, Any]) -> bool:
    """Whether a parent (even a deleted one, now a tombstone) has replies worth fetching."""
    return int(message.get("reply_count") or 0) > 0 or bool(message.get("latest_reply"))


def _last_activity(message: dict[str, Any]) -> datetime:
    """The newest of a parent's own time, its latest reply and its last edit."""
    stamps = (
        message.get("ts"),
        message.get("latest_reply"),
        (message.get("edited") or {}).get("ts"),
    )
    return datetime.fromtimestamp(max(float(s) for s in stamps if s), tz=UTC)


def _where(channel: SlackChannel) -> str:
    return f"#{channel.name} ({channel.id})"
