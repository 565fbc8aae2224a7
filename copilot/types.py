"""Records that flow between the parts. No project imports here: everything depends on this.

``Access`` deliberately names its flag ``is_public`` so that ``Access.public()`` can be the
explicit constructor the architecture asks for (a dataclass cannot have both as ``public``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, Literal

EvidenceKind = Literal["doc", "slack", "table", "sql", "tool"]
Route = Literal["retrieval", "sql", "tool"]


@dataclass(frozen=True)
class Member:
    """One person as access checks see them: an email and the groups they belong to."""

    email: str
    groups: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Principal:
    """Who an answer is for: one user, or an audience (every member of a channel).

    An audience may see a source only if *every* member may; an empty principal sees only
    public sources. That keeps an answer posted in a channel from leaking to anyone there.
    """

    name: str
    members: tuple[Member, ...] = ()

    @classmethod
    def user(cls, email: str, groups: frozenset[str] = frozenset()) -> Principal:
        return cls(name=email, members=(Member(email, groups),))

    @classmethod
    def anonymous(cls) -> Principal:
        return cls(name="anonymous")


@dataclass(frozen=True)
class Access:
    """Who may see a source. The default is nobody; ``Access.public()`` is explicit."""

    is_public: bool = False
    users: frozenset[str] = frozenset()
    groups: frozenset[str] = frozenset()

    @classmethod
    def public(cls) -> Access:
        return cls(is_public=True)

    @classmethod
    def nobody(cls) -> Access:
        return cls()

    def allows_member(self, member: Member) -> bool:
        return self.is_public or member.email in self.users or bool(self.groups & member.groups)

    def allows(self, principal: Principal) -> bool:
        if self.is_public:
            return True
        if not principal.members:
            return False
        return all(self.allows_member(m) for m in principal.members)

    def to_json(self) -> str:
        return json.dumps(
            {"public": self.is_public, "users": sorted(self.users), "groups": sorted(self.groups)},
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, raw: str | None) -> Access:
        """Parse stored access; anything unreadable means nobody (fail closed)."""
        return _parsed_access(raw)

    @classmethod
    def _parse(cls, raw: str | None) -> Access:
        try:
            data = json.loads(raw or "")
            return cls(
                is_public=data.get("public") is True,
                users=frozenset(str(u) for u in data.get("users", [])),
                groups=frozenset(str(g) for g in data.get("groups", [])),
            )
        except (ValueError, TypeError, AttributeError):
            return cls.nobody()


@lru_cache(maxsize=4096)
def _parsed_access(raw: str | None) -> Access:
    """Memoised: a search reads ~100 chunk rows and most share a few access lists; parsing
    was a quarter of the catalog's time (Access is frozen, so sharing one is safe)."""
    return Access._parse(raw)


@dataclass(frozen=True)
class Section:
    """A piece of a document with its own deep link (a heading anchor, a PDF page, a message).

    ``group`` tells the chunker which neighbouring sections it may merge: Slack messages of
    one thread share a group, while document sections under different headings do not.
    """

    text: str
    url: str
    heading: str = ""
    group: str = ""


def _hash_content(title: str, sections: tuple[Section, ...], access: Access) -> str:
    digest = hashlib.sha256()
    digest.update(title.encode())
    for s in sections:
        for part in (s.heading, s.url, s.text):
            digest.update(b"\x00" + part.encode())
    digest.update(b"\x01" + access.to_json().encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class Document:
    """One source record: a Slack thread, a file, or a database table's schema card.

    ``content_hash`` covers text, links and access, so a permission change re-indexes too.
    """

    id: str
    source: str
    kind: EvidenceKind
    title: str
    url: str
    sections: tuple[Section, ...]
    updated_at: datetime
    access: Access
    metadata: Mapping[str, Any] = field(default_factory=dict)
    content_hash: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if self.updated_at.tzinfo is None:
            object.__setattr__(self, "updated_at", self.updated_at.replace(tzinfo=UTC))
        if not self.content_hash:
            digest = _hash_content(self.title, self.sections, self.access)
            object.__setattr__(self, "content_hash", digest)

    @property
    def text(self) -> str:
        return "\n\n".join(s.text for s in self.sections)


@dataclass(frozen=True)
class Chunk:
    """A retrievable piece of a document, carrying the document's access."""

    id: str
    doc_id: str
    kind: EvidenceKind
    title: str
    text: str
    url: str
    access: Access
    heading: str = ""


@dataclass(frozen=True)
class Evidence:
    """Something a chain showed the model: a chunk, a SQL result or a tool result."""

    source_id: str
    kind: EvidenceKind
    title: str
    url: str
    text: str
    access: Access
    score: float = 0.0
    chunk_id: str = ""
    relevance: float = 0.0


@dataclass(frozen=True)
class Citation:
    n: int
    source_id: str
    kind: EvidenceKind
    title: str
    url: str
    snippet: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "source_id": self.source_id,
            "kind": self.kind,
            "title": self.title,
            "url": self.url,
            "snippet": self.snippet,
        }


@dataclass(frozen=True)
class ResultTable:
    """The rows an SQL answer was computed from, for surfaces that show them as a table (the
    SQL citation's snippet is flattened text, cut to a few hundred characters)."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    truncated: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: values JSON cannot hold (dates, decimals, bytes) become their text."""
        return {
            "columns": list(self.columns),
            "rows": [[_json_value(v) for v in row] for row in self.rows],
            "truncated": self.truncated,
        }


def _json_value(value: Any) -> Any:
    return value if value is None or isinstance(value, str | int | float | bool) else str(value)


@dataclass(frozen=True)
class PendingAction:
    """A write the copilot proposes and will run only once its asker confirms it.

    A proposal states no facts (nothing has happened yet), so the verifier lets it through
    unjudged; ``id`` is the unguessable key a surface's Confirm and Cancel buttons send back.
    """

    id: str
    tool: str
    arguments: Mapping[str, Any]
    expires_at: datetime

    @property
    def summary(self) -> str:
        """``create_ticket(priority="high", title="VPN down")``: what exactly would run."""
        shown = ", ".join(
            f"{k}={json.dumps(v, ensure_ascii=False, default=str)}"
            for k, v in sorted(self.arguments.items())
        )
        return f"{self.tool}({shown})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "tool": self.tool,
            "arguments": dict(self.arguments),
            "summary": self.summary,
            "expires_at": self.expires_at.isoformat(),
        }


@dataclass(frozen=True)
class Draft:
    """What a chain produced before checking: text with ``[n]`` markers into ``evidence``."""

    text: str
    evidence: tuple[Evidence, ...]
    route: Route
    sql: str | None = None
    refused: bool = False
    sql_result: ResultTable | None = None
    # A write waiting for the asker's confirmation; the text then only asks for it.
    pending_action: PendingAction | None = None


@dataclass
class Answer:
    """The finished answer every surface renders; ``to_dict`` is the CLI's JSON contract."""

    question: str
    answer: str
    route: Route
    citations: list[Citation]
    sql: str | None = None
    verified: bool = False
    refused: bool = False
    verdicts: list[dict[str, Any]] = field(default_factory=list)
    timings_ms: dict[str, int] = field(default_factory=dict)
    id: str | None = None
    route_reason: str = ""
    # When the verifier refuses: the best sources to read, which back no claim (not citations).
    sources: list[Citation] = field(default_factory=list)
    # The rows behind an SQL answer (``sql``'s result), for surfaces that show a table.
    sql_result: ResultTable | None = None
    # A write proposed to the asker: surfaces show Confirm and Cancel for it.
    pending_action: PendingAction | None = None
    # The id on every log line written while answering (copilot/logs.py), to find them.
    request_id: str | None = None
    # The answer in a few words, copied from the verified text (copilot/short_answer.py).
    short_answer: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {} if self.id is None else {"id": self.id}
        data.update(
            question=self.question,
            answer=self.answer,
            short_answer=self.short_answer,
            route=self.route,
            route_reason=self.route_reason,
            citations=[c.to_dict() for c in self.citations],
            sql=self.sql,
            sql_result=None if self.sql_result is None else self.sql_result.to_dict(),
            verified=self.verified,
            refused=self.refused,
            verdicts=self.verdicts,
            sources=[c.to_dict() for c in self.sources],
            timings_ms=self.timings_ms,
            pending_action=None if self.pending_action is None else self.pending_action.to_dict(),
            request_id=self.request_id,
        )
        return data
