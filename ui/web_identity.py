"""Who is asking on the Streamlit page: a trusted proxy header when deployed, a picker locally.

Streamlit has no login of its own that knows the workspace's users directory, and access to
every source hangs on the asker's email. So there are exactly two modes, chosen by a setting:

- **Deployed** (``COPILOT_UI_TRUSTED_USER_HEADER`` set, e.g. ``X-Forwarded-Email``): an
  authenticating proxy (oauth2-proxy, an identity-aware load balancer) signs the user in and
  sets the header; the page believes it, so the page must be reachable *only* through that
  proxy (docs/deployment.md). A request without the header, or naming someone missing from
  the directory, is refused: failing open here would show private sources to anyone.
- **Local** (unset): a picker from the users directory, for a developer's own machine.

Pure functions: the page passes ``st.context.headers`` in; tests pass a dict.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from copilot.config import Settings
from copilot.directory import UserDirectory
from copilot.errors import CopilotError
from copilot.types import Principal

ANONYMOUS_LABEL = "anonymous (public sources only)"


class IdentityError(CopilotError):
    """The page cannot tell who is asking, so it answers nobody."""


@dataclass(frozen=True)
class Identity:
    """The asker: ``email`` None means anonymous (public sources only)."""

    email: str | None
    name: str
    groups: frozenset[str]
    via: Literal["header", "picker"]

    def principal(self) -> Principal:
        if self.email is None:
            return Principal.anonymous()
        return Principal.user(self.email, self.groups)


def trusted_header(settings: Settings) -> str | None:
    """The configured header, or None for local mode (an empty value means unset, as a
    copied ``.env.example`` leaves it)."""
    return (settings.ui_trusted_user_header or "").strip() or None


def from_header(header: str, headers: Mapping[str, str], directory: UserDirectory) -> Identity:
    """The user the proxy signed in; refuses when the header is missing or names a stranger."""
    lowered = {k.lower(): v for k, v in headers.items()}
    email = lowered.get(header.lower(), "").strip()
    if not email:
        raise IdentityError(
            f"This page answers only requests that come through the company's sign-in proxy, "
            f"which names the user in the {header} header, and this request has none. Open the "
            "copilot through its usual address; if you did, ask the operator to check the proxy."
        )
    user = directory.get(email)
    if user is None:
        raise IdentityError(
            f"{email} is signed in but is not in the copilot's users directory, so it cannot "
            "tell which sources you may see; ask an administrator to add you."
        )
    return Identity(user.email, user.name, user.groups, "header")


def picker_options(directory: UserDirectory) -> list[str | None]:
    """None (anonymous) first, then every directory user by email."""
    return [None, *sorted(u.email for u in directory)]


def picker_label(directory: UserDirectory, email: str | None) -> str:
    if email is None:
        return ANONYMOUS_LABEL
    user = directory.get(email)
    return f"{user.name} <{user.email}>" if user else email


def from_picker(email: str | None, directory: UserDirectory) -> Identity:
    if email is None:
        return Identity(None, "anonymous", frozenset(), "picker")
    user = directory.get(email)
    if user is None:  # the directory changed under a running session
        raise IdentityError(f"{email} is no longer in the users directory; pick another user")
    return Identity(user.email, user.name, user.groups, "picker")


def is_admin(identity: Identity, settings: Settings) -> bool:
    """Members of ``ui_admin_group`` only; an empty group name means nobody (fail closed)."""
    group = settings.ui_admin_group.strip()
    return bool(group) and identity.email is not None and group in identity.groups
