"""The users directory: who exists, their Slack ids and groups, as the workspace lists them.

Access checks are only as good as this list, so an unknown user is an error, not a guest.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from copilot.errors import ConfigError, UnknownUserError
from copilot.types import Principal


@dataclass(frozen=True)
class DirectoryUser:
    email: str
    name: str
    slack_id: str = ""
    title: str = ""
    groups: frozenset[str] = frozenset()


class UserDirectory:
    def __init__(self, users: list[DirectoryUser]) -> None:
        self._by_email = {u.email.lower(): u for u in users}
        self._by_slack = {u.slack_id: u for u in users if u.slack_id}

    @classmethod
    def empty(cls) -> UserDirectory:
        return cls([])

    @classmethod
    def from_yaml(cls, path: Path) -> UserDirectory:
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            entries = raw["users"]
            users = [
                DirectoryUser(
                    email=str(e["email"]).lower(),
                    name=str(e.get("name", e["email"])),
                    slack_id=str(e.get("slack_id", "")),
                    title=str(e.get("title", "")),
                    groups=frozenset(str(g) for g in e.get("groups", [])),
                )
                for e in entries
            ]
        except FileNotFoundError as exc:
            raise ConfigError(f"users directory {path} does not exist") from exc
        except (yaml.YAMLError, KeyError, TypeError) as exc:
            raise ConfigError(
                f"users directory {path} is malformed ({exc!r}): expected 'users:' with a list "
                "of entries that each have at least 'email'"
            ) from exc
        return cls(users)

    def __iter__(self) -> Iterator[DirectoryUser]:
        return iter(self._by_email.values())

    def __len__(self) -> int:
        return len(self._by_email)

    def get(self, email: str) -> DirectoryUser | None:
        return self._by_email.get(email.lower())

    def by_slack_id(self, slack_id: str) -> DirectoryUser | None:
        return self._by_slack.get(slack_id)

    def principal(self, email: str | None) -> Principal:
        """The principal for ``email``; none means anonymous (public sources only)."""
        if not email:
            return Principal.anonymous()
        user = self.get(email)
        if user is None:
            raise UnknownUserError(
                f"user {email!r} is not in the users directory; add them to the workspace's "
                "users file or pass a listed email"
            )
        return Principal.user(user.email, user.groups)
