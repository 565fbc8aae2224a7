"""The catalog: every SQL statement about index metadata lives here (SQLAlchemy Core).

SQLite file by default, PostgreSQL by URL. It holds documents, chunks (whose integer keys are
the FAISS ids), per-source checkpoints and the active index version. A refresh commits all its
row changes and the switch to the new index version in one transaction, so readers see either
the old state or the new one, never a mix.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects import mysql
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from copilot.errors import ConfigError
from copilot.types import Access, Chunk, Document

SCHEMA_VERSION = 4

metadata = MetaData()

meta_table = Table(
    "copilot_meta", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)  # fmt: skip

documents_table = Table(
    "documents", metadata,
    Column("id", String(512), primary_key=True),
    Column("source", String(128), nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("title", Text, nullable=False),
    Column("url", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("access", Text, nullable=False),
    Column("metadata", Text, nullable=False),
    Column("indexed_at", DateTime(timezone=True), nullable=False),
)  # fmt: skip

chunks_table = Table(
    "chunks", metadata,
    Column("key", Integer, primary_key=True, autoincrement=False),
    Column("id", String(600), nullable=False, unique=True),
    Column("doc_id", String(512), nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("title", Text, nullable=False),
    Column("heading", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("url", Text, nullable=False),
    Column("access", Text, nullable=False),
)  # fmt: skip

checkpoints_table = Table(
    "checkpoints", metadata,
    Column("source", String(128), primary_key=True),
    Column("last_success_at", DateTime(timezone=True)),
    Column("last_attempt_at", DateTime(timezone=True), nullable=False),
    Column("status", String(16), nullable=False),
    Column("error", Text),
)  # fmt: skip


refresh_runs_table = Table(
    "refresh_runs", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=False),
    Column("status", String(16), nullable=False),
    Column("report", Text, nullable=False),
)  # fmt: skip

# Microseconds on MariaDB/MySQL too (their DATETIME keeps whole seconds), so the audit log's
# order is the order questions came in.
_PRECISE_TIME = DateTime(timezone=True).with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")

# One row per question asked on any surface (v3); copilot/audit.py reads and writes it.
audit_table = Table(
    "audit_log", metadata,
    Column("id", String(32), primary_key=True),
    Column("asked_at", _PRECISE_TIME, nullable=False, index=True),
    Column("asker", String(320)),
    Column("audience", String(512)),
    Column("surface", String(16), nullable=False),
    Column("question", Text, nullable=False),
    Column("route", String(16)),
    Column("source_ids", Text, nullable=False),
    Column("verdicts", Text, nullable=False),
    Column("refused", Boolean, nullable=False),
    Column("verified", Boolean, nullable=False),
    Column("latency_ms", Integer, nullable=False),
    Column("error", Text),
    Column("feedback", String(8)),
    Column("feedback_reason", Text),
    Column("feedback_at", _PRECISE_TIME),
)  # fmt: skip

# Slack messages the bot has claimed (v3), so a retried delivery is never answered twice,
# even by another bot process; ui/slack_guards.py reads and writes it.
slack_events_table = Table(
    "slack_events", metadata,
    Column("key", String(128), primary_key=True),
    Column("seen_at", DateTime(timezone=True), nullable=False, index=True),
)  # fmt: skip

# Writes proposed to a user and waiting for (or past) their confirmation (v4); one row per
# proposal, kept after it ends as the record of what ran. copilot/actions.py reads and writes
# it: its atomic ``status`` change is what makes a confirmation run the tool at most once,
# even when Slack retries a click or a second process gets it.
pending_actions_table = Table(
    "pending_actions", metadata,
    Column("id", String(64), primary_key=True),
    Column("tool", String(128), nullable=False),
    Column("arguments", Text, nullable=False),
    Column("owner", String(320), nullable=False),
    Column("created_at", _PRECISE_TIME, nullable=False),
    Column("expires_at", _PRECISE_TIME, nullable=False, index=True),
    Column("status", String(16), nullable=False),
    Column("result", Text),
    Column("finished_at", _PRECISE_TIME),
)  # fmt: skip


@dataclass(frozen=True)
class DocumentState:
    updated_at: datetime
    content_hash: str


@dataclass(frozen=True)
class StoredChunk:
    key: int
    chunk: Chunk


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _now() -> datetime:
    return datetime.now(UTC)


class Catalog:
    def __init__(self, url: str) -> None:
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        try:
            self.engine: Engine = create_engine(url, future=True)
            metadata.create_all(self.engine)
            self._migrate()
        except SQLAlchemyError as exc:
            raise ConfigError(f"cannot open the catalog at {redact_url(url)}: {exc}") from exc

    def _migrate(self) -> None:
        """Bring an older catalog to ``SCHEMA_VERSION``, one step at a time.

        New tables come from ``create_all``; a step that changes an existing table goes in
        ``_STEPS`` under the version it produces (v2 only added ``refresh_runs``, v3 only
        ``audit_log`` and ``slack_events``, v4 only ``pending_actions``).
        """
        with self.engine.begin() as conn:
            found = conn.scalar(select(meta_table.c.value).where(meta_table.c.key == "schema"))
            current = SCHEMA_VERSION if found is None else int(found)
            if current > SCHEMA_VERSION:
                raise ConfigError(
                    f"the catalog has schema {found}, newer than this copilot "
                    f"({SCHEMA_VERSION}): upgrade the copilot"
                )
            for version in range(current + 1, SCHEMA_VERSION + 1):
                for statement in _STEPS.get(version, ()):
                    conn.exec_driver_sql(statement)
            conn.execute(delete(meta_table).where(meta_table.c.key == "schema"))
            conn.execute(insert(meta_table).values(key="schema", value=str(SCHEMA_VERSION)))

    def _get_meta(self, key: str) -> str | None:
        with self.engine.connect() as conn:
            return conn.scalar(select(meta_table.c.value).where(meta_table.c.key == key))

    def active_version(self) -> int | None:
        value = self._get_meta("active_version")
        return None if value is None else int(value)

    def reserve_keys(self, count: int) -> range:
        """Reserve ``count`` fresh chunk keys; a crash later leaves only a harmless gap."""
        with self.engine.begin() as conn:
            found = conn.scalar(
                select(meta_table.c.value).where(meta_table.c.key == "next_key").with_for_update()
            )
            start = int(found) if found is not None else 1
            if found is None:
                conn.execute(insert(meta_table).values(key="next_key", value=str(start + count)))
            else:
                conn.execute(
                    update(meta_table)
                    .where(meta_table.c.key == "next_key")
                    .values(value=str(start + count))
                )
        return range(start, start + count)

    def document_states(self, source: str) -> dict[str, DocumentState]:
        query = select(
            documents_table.c.id, documents_table.c.updated_at, documents_table.c.content_hash
        ).where(documents_table.c.source == source)
        with self.engine.connect() as conn:
            return {
                r.id: DocumentState(_utc(r.updated_at), r.content_hash) for r in conn.execute(query)
            }

    def chunk_keys_for(self, doc_ids: Iterable[str]) -> list[int]:
        ids = list(doc_ids)
        keys: list[int] = []
        with self.engine.connect() as conn:
            for start in range(0, len(ids), 500):
                query = select(chunks_table.c.key).where(
                    chunks_table.c.doc_id.in_(ids[start : start + 500])
                )
                keys.extend(conn.scalars(query))
        return keys

    def chunks(self, keys: Sequence[int]) -> dict[int, StoredChunk]:
        found: dict[int, StoredChunk] = {}
        with self.engine.connect() as conn:
            for start in range(0, len(keys), 500):
                query = select(chunks_table).where(
                    chunks_table.c.key.in_(keys[start : start + 500])
                )
                for row in conn.execute(query):
                    found[row.key] = StoredChunk(row.key, _chunk_from_row(row))
        return found

    def all_chunks(self) -> list[StoredChunk]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(chunks_table).order_by(chunks_table.c.key))
            return [StoredChunk(r.key, _chunk_from_row(r)) for r in rows]

    def table_access(self) -> dict[str, tuple[str, Access]]:
        """Schema-card document id -> (table name, access), for the SQL chain's allow-list."""
        query = select(
            documents_table.c.id, documents_table.c.metadata, documents_table.c.access
        ).where(documents_table.c.kind == "table")
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        found: dict[str, tuple[str, Access]] = {}
        for row in rows:
            table = json.loads(row.metadata).get("table")
            if table:
                found[row.id] = (str(table), Access.from_json(row.access))
        return found

    def counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            return {
                "documents": int(
                    conn.scalar(select(func.count()).select_from(documents_table)) or 0
                ),
                "chunks": int(conn.scalar(select(func.count()).select_from(chunks_table)) or 0),
            }

    def commit_version(
        self,
        version: int,
        upserts: Sequence[tuple[Document, Sequence[StoredChunk]]],
        deleted_doc_ids: Sequence[str],
    ) -> None:
        """Apply a refresh's row changes and switch to ``version``, all in one transaction."""
        gone = [d.id for d, _ in upserts] + list(deleted_doc_ids)
        now = _now()
        with self.engine.begin() as conn:
            for start in range(0, len(gone), 500):
                batch = gone[start : start + 500]
                conn.execute(delete(chunks_table).where(chunks_table.c.doc_id.in_(batch)))
                conn.execute(delete(documents_table).where(documents_table.c.id.in_(batch)))
            if upserts:
                conn.execute(insert(documents_table), [_document_row(d, now) for d, _ in upserts])
                rows = [_chunk_row(c) for _, chunks in upserts for c in chunks]
                if rows:
                    conn.execute(insert(chunks_table), rows)
            self._set_meta(conn, "active_version", str(version))

    @staticmethod
    def _set_meta(conn: object, key: str, value: str) -> None:
        connection = conn  # keeps the signature free of SQLAlchemy's Connection generics
        connection.execute(delete(meta_table).where(meta_table.c.key == key))  # type: ignore[attr-defined]
        connection.execute(insert(meta_table).values(key=key, value=value))  # type: ignore[attr-defined]

    def checkpoint(self, source: str) -> datetime | None:
        """When the last successful run of ``source`` started (its gate-1 cut-off)."""
        query = select(checkpoints_table.c.last_success_at).where(
            checkpoints_table.c.source == source
        )
        with self.engine.connect() as conn:
            found = conn.scalar(query)
        return None if found is None else _utc(found)

    def record_run(self, started_at: datetime, status: str, report: dict[str, object]) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                insert(refresh_runs_table).values(
                    started_at=started_at,
                    finished_at=_now(),
                    status=status,
                    report=json.dumps(report, sort_keys=True, default=str),
                )
            )

    def last_run(self) -> dict[str, object] | None:
        query = select(refresh_runs_table).order_by(refresh_runs_table.c.id.desc()).limit(1)
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None:
            return None
        return {
            "started_at": _utc(row.started_at).isoformat(),
            "finished_at": _utc(row.finished_at).isoformat(),
            "status": row.status,
            "report": json.loads(row.report),
        }

    def record_checkpoint(
        self, source: str, ok: bool, error: str | None = None, at: datetime | None = None
    ) -> None:
        """Store a source's outcome; on success ``at`` (the run's start) is its new cut-off."""
        now = at or _now()
        with self.engine.begin() as conn:
            previous = conn.execute(
                select(checkpoints_table).where(checkpoints_table.c.source == source)
            ).first()
            values = {
                "last_attempt_at": now,
                "status": "ok" if ok else "failed",
                "error": error,
                "last_success_at": now if ok else (previous.last_success_at if previous else None),
            }
            if previous is None:
                conn.execute(insert(checkpoints_table).values(source=source, **values))
            else:
                conn.execute(
                    update(checkpoints_table)
                    .where(checkpoints_table.c.source == source)
                    .values(**values)
                )


# Statements that move an existing catalog to the version they are keyed by.
_STEPS: dict[int, tuple[str, ...]] = {2: (), 3: (), 4: ()}


def _document_row(doc: Document, now: datetime) -> dict[str, object]:
    return {
        "id": doc.id,
        "source": doc.source,
        "kind": doc.kind,
        "title": doc.title,
        "url": doc.url,
        "updated_at": _utc(doc.updated_at),  # SQLite drops offsets: store the UTC instant
        "content_hash": doc.content_hash,
        "access": doc.access.to_json(),
        "metadata": json.dumps(dict(doc.metadata), default=str, sort_keys=True),
        "indexed_at": now,
    }


def _chunk_row(stored: StoredChunk) -> dict[str, object]:
    c = stored.chunk
    return {
        "key": stored.key,
        "id": c.id,
        "doc_id": c.doc_id,
        "kind": c.kind,
        "title": c.title,
        "heading": c.heading,
        "text": c.text,
        "url": c.url,
        "access": c.access.to_json(),
    }


def _chunk_from_row(row: object) -> Chunk:
    r = row  # a SQLAlchemy Row; attributes are the columns
    return Chunk(
        id=r.id,  # type: ignore[attr-defined]
        doc_id=r.doc_id,  # type: ignore[attr-defined]
        kind=r.kind,  # type: ignore[attr-defined]
        title=r.title,  # type: ignore[attr-defined]
        text=r.text,  # type: ignore[attr-defined]
        url=r.url,  # type: ignore[attr-defined]
        access=Access.from_json(r.access),  # type: ignore[attr-defined]
        heading=r.heading,  # type: ignore[attr-defined]
    )


def redact_url(url: str) -> str:
    """Drop a password from a database URL before it reaches a message or a log."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<unparsable URL>"
