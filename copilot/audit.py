"""The audit log: one row per question asked on any surface, in the catalog database.

Operators need to answer "who asked what, what did it cite, was it right, how long did it
take, did they like it", so each row holds the asker (or the channel audience an answer was
posted to), the surface, the route, the cited source ids, the verifier's verdicts, the
outcome, the latency and, later, the asker's feedback. Failures are rows too (with ``error``):
a question that broke is exactly what an operator looks for. The table lives in the catalog
(``indexes/catalog.py``, schema v3) so it shares its engine, its URL and its migrations.
"""

from __future__ import annotations

import csv
import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, TextIO

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from copilot.errors import CopilotError
from copilot.types import Answer
from indexes.catalog import Catalog, audit_table

Surface = Literal["slack", "cli", "streamlit", "ui", "eval"]
Feedback = Literal["up", "down"]
ExportFormat = Literal["jsonl", "csv"]
EXPORT_FIELDS = (
    "id",
    "asked_at",
    "asker",
    "audience",
    "surface",
    "question",
    "route",
    "source_ids",
    "verdicts",
    "refused",
    "verified",
    "latency_ms",
    "error",
    "feedback",
    "feedback_reason",
    "feedback_at",
)


class AuditError(CopilotError):
    """The audit log could not be written or read, or feedback named no known question."""


@dataclass(frozen=True)
class AuditEntry:
    """One question as the audit log keeps it; ``asker`` is an email or a Slack id."""

    id: str
    asked_at: datetime
    asker: str | None
    audience: str | None
    surface: str
    question: str
    route: str | None
    source_ids: list[str] = field(default_factory=list)
    verdicts: list[dict[str, Any]] = field(default_factory=list)
    refused: bool = False
    verified: bool = False
    latency_ms: int = 0
    error: str | None = None
    feedback: str | None = None
    feedback_reason: str | None = None
    feedback_at: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["asked_at"] = self.asked_at.isoformat()
        data["feedback_at"] = self.feedback_at.isoformat() if self.feedback_at else None
        return data


def new_id() -> str:
    return uuid.uuid4().hex


def _now() -> datetime:
    return datetime.now(UTC)


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class AuditLog:
    """Writes and reads the ``audit_log`` table; every database failure is an ``AuditError``."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @classmethod
    def from_catalog(cls, catalog: Catalog) -> AuditLog:
        return cls(catalog.engine)

    def record_answer(
        self,
        answer: Answer,
        *,
        surface: Surface,
        asker: str | None,
        audience: str | None = None,
        latency_ms: int | None = None,
        entry_id: str | None = None,
    ) -> str:
        """Store an answered (or refused) question; returns the entry's id, by default the
        answer's ``request_id``: the schema has no free-form field for it, and one id for
        both leads from an audit row straight to that question's log lines."""
        entry = AuditEntry(
            id=entry_id or answer.request_id or new_id(),
            asked_at=_now(),
            asker=asker,
            audience=audience,
            surface=surface,
            question=answer.question,
            route=answer.route,
            source_ids=[c.source_id for c in answer.citations],
            verdicts=list(answer.verdicts),
            refused=answer.refused,
            verified=answer.verified,
            latency_ms=answer.timings_ms.get("total", 0) if latency_ms is None else latency_ms,
        )
        self.record(entry)
        return entry.id

    def record_failure(
        self,
        question: str,
        error: str,
        *,
        surface: Surface,
        asker: str | None,
        audience: str | None = None,
        latency_ms: int = 0,
        entry_id: str | None = None,
    ) -> str:
        """Store a question that could not be answered, with the reason shown to the asker
        (``entry_id``: the question's request id, which its log lines carry)."""
        entry = AuditEntry(
            id=entry_id or new_id(),
            asked_at=_now(),
            asker=asker,
            audience=audience,
            surface=surface,
            question=question,
            route=None,
            refused=True,
            latency_ms=latency_ms,
            error=error,
        )
        self.record(entry)
        return entry.id

    def record(self, entry: AuditEntry) -> None:
        row = {
            **asdict(entry),
            "asked_at": _utc(entry.asked_at),
            "source_ids": json.dumps(entry.source_ids),
            "verdicts": json.dumps(entry.verdicts, default=str),
        }
        self._write(insert(audit_table).values(**row))

    def set_feedback(self, entry_id: str, feedback: Feedback, reason: str | None = None) -> None:
        """Store 👍/👎 (a later click replaces an earlier one); a reason may come afterwards."""
        values: dict[str, Any] = {"feedback": feedback, "feedback_at": _now()}
        if reason is not None:
            values["feedback_reason"] = reason.strip() or None
        self._update(entry_id, values)

    def set_feedback_reason(self, entry_id: str, reason: str) -> None:
        self._update(entry_id, {"feedback_reason": reason.strip() or None})

    def get(self, entry_id: str) -> AuditEntry | None:
        query = select(audit_table).where(audit_table.c.id == entry_id)
        rows = self._read(query)
        return rows[0] if rows else None

    def entries(self, since: datetime | None = None) -> list[AuditEntry]:
        """Entries asked at or after ``since`` (UTC), oldest first."""
        query = select(audit_table).order_by(audit_table.c.asked_at, audit_table.c.id)
        if since is not None:
            query = query.where(audit_table.c.asked_at >= _utc(since))
        return self._read(query)

    def _update(self, entry_id: str, values: dict[str, Any]) -> None:
        statement = update(audit_table).where(audit_table.c.id == entry_id).values(**values)
        if self._write(statement) == 0:
            raise AuditError(f"no audit entry {entry_id!r}: feedback for an unknown question")

    def _write(self, statement: Any) -> int:
        try:
            with self._engine.begin() as conn:
                return int(conn.execute(statement).rowcount or 0)
        except SQLAlchemyError as exc:
            raise AuditError(f"cannot write the audit log: {exc.__class__.__name__}") from exc

    def _read(self, query: Any) -> list[AuditEntry]:
        try:
            with self._engine.connect() as conn:
                return [_entry(row._mapping) for row in conn.execute(query)]
        except SQLAlchemyError as exc:
            raise AuditError(f"cannot read the audit log: {exc.__class__.__name__}") from exc


def _entry(row: Any) -> AuditEntry:
    asked_at = _utc(row["asked_at"])
    assert asked_at is not None  # the column is NOT NULL
    return AuditEntry(
        id=row["id"],
        asked_at=asked_at,
        asker=row["asker"],
        audience=row["audience"],
        surface=row["surface"],
        question=row["question"],
        route=row["route"],
        source_ids=_json_list(row["source_ids"]),
        verdicts=_json_list(row["verdicts"]),
        refused=bool(row["refused"]),
        verified=bool(row["verified"]),
        latency_ms=int(row["latency_ms"]),
        error=row["error"],
        feedback=row["feedback"],
        feedback_reason=row["feedback_reason"],
        feedback_at=_utc(row["feedback_at"]),
    )


def _json_list(raw: str | None) -> list[Any]:
    try:
        value = json.loads(raw or "[]")
    except ValueError:
        return []
    return value if isinstance(value, list) else []


def parse_since(text: str) -> datetime:
    """``2026-01-31`` or an ISO datetime; without a zone it means UTC."""
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise _usage(f"--since {text!r} is not a date: use YYYY-MM-DD or ISO 8601") from exc
    result = _utc(parsed)
    assert result is not None
    return result


def _usage(message: str) -> CopilotError:
    error = CopilotError(message)
    error.exit_code = 2
    return error


def export(entries: Iterable[AuditEntry], fmt: ExportFormat, out: TextIO) -> int:
    """Write ``entries`` as JSON lines or CSV (lists and verdicts as JSON); returns the count."""
    rows = [e.to_dict() for e in entries]
    if fmt == "jsonl":
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    else:
        _write_csv(rows, out)
    return len(rows)


def _write_csv(rows: Sequence[dict[str, Any]], out: TextIO) -> None:
    writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        flat = {k: json.dumps(v) if isinstance(v, list) else v for k, v in row.items()}
        writer.writerow(flat)
