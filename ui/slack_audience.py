"""Who will read an answer in Slack, as a ``Principal`` that access checks understand.

A DM is read by the asker alone, so it gets the asker's own access. An answer posted in a
conversation is read by everyone who can open it, so the principal holds *every* reader and
``Access.allows`` then means "every reader may see this source":

- a private channel or group DM: its members (``conversations.members``, every page);
- a public channel: anyone in the workspace, members or not, so only public sources.

Everything fails closed. A member who is not in the users directory is kept as a member with
no grants (so only public sources pass), and a conversation whose readers cannot be listed
gets the anonymous principal. Each narrowing comes with a note the bot shows under the answer,
so a thin answer is explained rather than mysterious.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from copilot.directory import UserDirectory
from copilot.types import Member, Principal

log = logging.getLogger(__name__)

ANYONE = Member("anyone-in-the-workspace")
MAX_MEMBER_PAGES = 100


@dataclass(frozen=True)
class Audience:
    """The principal an answer is for, a label for the audit log and an optional note."""

    principal: Principal
    label: str
    note: str | None = None


@dataclass(frozen=True)
class SlackUser:
    id: str
    email: str | None
    is_bot: bool = False


class AudienceResolver:
    """Builds audiences from the Web API and the users directory (emails are cached; channel
    membership never is, since a member who just joined must count at once)."""

    def __init__(self, client: WebClient, directory: UserDirectory, page_size: int = 200) -> None:
        self._client = client
        self._directory = directory
        self._page_size = page_size
        self._users: dict[str, SlackUser] = {}
        self._lock = threading.Lock()

    def for_user(self, user_id: str) -> Audience:
        """A DM: the asker's own access, or public sources only if they are not listed."""
        member = self._member(user_id)
        if member is None:
            note = "You are not in the users directory, so I used public sources only."
            return Audience(Principal.anonymous(), f"slack:{user_id}", note)
        return Audience(Principal(member.email, (member,)), member.email)

    def for_channel(self, channel_id: str, asker_id: str, bot_user_id: str | None) -> Audience:
        """Everyone who can read ``channel_id``; see the module docstring for the rules."""
        try:
            info = self._conversation(channel_id)
            if info.get("is_im"):
                return self.for_user(asker_id)
            name = _display_name(info, channel_id)
            if not (info.get("is_private") or info.get("is_mpim")):
                note = f"{name} is public, so I used only sources everyone may see."
                return Audience(Principal(f"channel:{channel_id}", (ANYONE,)), name, note)
            member_ids = self._member_ids(channel_id)
        except (SlackApiError, SlackClientError, KeyError, TypeError) as exc:
            log.warning("cannot list the readers of %s: %s", channel_id, _reason(exc))
            note = (
                "I could not check who can read this conversation, so I used public sources only."
            )
            return Audience(Principal.anonymous(), f"channel:{channel_id}", note)
        return self._members_audience(channel_id, name, member_ids, bot_user_id)

    def _members_audience(
        self, channel_id: str, name: str, member_ids: list[str], bot_user_id: str | None
    ) -> Audience:
        members: list[Member] = []
        unknown = 0
        for user_id in member_ids:
            if user_id == bot_user_id or self._is_bot(user_id):
                continue
            member = self._member(user_id)
            if member is None:
                unknown += 1
                member = Member(f"slack:{user_id}")  # no grants: public sources only
            members.append(member)
        label = f"{name} ({len(members)} members)"
        note = f"Written for everyone in {name}: only sources all its members may see."
        if unknown:
            note = (
                f"{unknown} member(s) of {name} are not in the users directory, "
                "so I used public sources only."
            )
        return Audience(Principal(f"channel:{channel_id}", tuple(members)), label, note)

    # -- Web API ----------------------------------------------------------------------------

    def _conversation(self, channel_id: str) -> dict[str, Any]:
        response = self._client.conversations_info(channel=channel_id)
        channel = response["channel"]
        if not isinstance(channel, dict):
            raise TypeError("conversations.info returned no channel")
        return channel

    def _member_ids(self, channel_id: str) -> list[str]:
        """All member ids, page by page (Slack caps a page; big channels have many)."""
        ids: list[str] = []
        cursor = ""
        for _ in range(MAX_MEMBER_PAGES):
            response = self._client.conversations_members(
                channel=channel_id, limit=self._page_size, cursor=cursor or None
            )
            ids.extend(str(m) for m in response["members"])
            cursor = str((response.get("response_metadata") or {}).get("next_cursor") or "")
            if not cursor:
                return ids
        raise TypeError(f"more than {MAX_MEMBER_PAGES} pages of members")

    def _slack_user(self, user_id: str) -> SlackUser | None:
        """``users.info`` once per user (its email maps them to the directory)."""
        with self._lock:
            cached = self._users.get(user_id)
        if cached is not None:
            return cached
        try:
            user = self._client.users_info(user=user_id)["user"]
        except (SlackApiError, SlackClientError, KeyError, TypeError) as exc:
            log.warning("users.info %s failed: %s", user_id, _reason(exc))
            return None
        profile = user.get("profile") or {}
        found = SlackUser(
            id=user_id,
            email=profile.get("email"),
            is_bot=bool(user.get("is_bot")) or user_id == "USLACKBOT",
        )
        with self._lock:
            self._users[user_id] = found
        return found

    def _is_bot(self, user_id: str) -> bool:
        if self._directory.by_slack_id(user_id) is not None:
            return False
        user = self._slack_user(user_id)
        return bool(user and user.is_bot)

    def _member(self, user_id: str) -> Member | None:
        """The directory's entry for a Slack user: by Slack id, else by their profile email."""
        listed = self._directory.by_slack_id(user_id)
        if listed is None:
            user = self._slack_user(user_id)
            listed = self._directory.get(user.email) if user and user.email else None
        if listed is None:
            return None
        return Member(listed.email, listed.groups)


def _display_name(info: dict[str, Any], channel_id: str) -> str:
    if info.get("is_mpim"):
        return "this group DM"
    return f"#{info.get('name') or channel_id}"


def _reason(exc: Exception) -> str:
    """A Slack error code when there is one; never a token or a request body."""
    if isinstance(exc, SlackApiError):
        return str(exc.response.get("error", "error"))
    return exc.__class__.__name__
