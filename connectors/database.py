"""A database through SQLAlchemy: one schema card per table or view, so questions can find
them.

A card lists columns with types and descriptions (database comments, overridden by the
workspace's descriptions file), keys, foreign keys, the row count and sample values. Broken
schema metadata (a foreign key to a column that does not exist) is reported, not fatal.
Views get cards too (analysts often query a curated view rather than the raw tables), and
the source's ``tables`` include/exclude patterns apply to tables and views alike, so
excluded objects are neither described nor sampled. Tested on SQLite, PostgreSQL and MariaDB
(through PyMySQL). A URL's password never reaches an error message or a problem: drivers
may echo connection details, so messages are scrubbed as well as the URL being masked.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Select, column, create_engine, func, inspect, select, table
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import SQLAlchemyError

from connectors.base import BaseConnector
from connectors.documents import access_from_spec
from copilot.config import DatabaseSource
from copilot.errors import ConnectorError
from copilot.types import Access, Document, Section


class DatabaseConnector(BaseConnector):
    def __init__(self, config: DatabaseSource, descriptions_file: Path | None) -> None:
        super().__init__(config.name)
        self._config = config
        self._descriptions = _load_descriptions(descriptions_file)
        self._url = make_url(config.url)

    def _engine(self) -> Engine:
        try:
            return create_engine(self._url)
        except (SQLAlchemyError, ImportError) as exc:
            raise ConnectorError(
                self.name, f"cannot open {self._safe_url()}: {self._scrub(exc)}"
            ) from exc

    def _safe_url(self) -> str:
        return self._url.render_as_string(hide_password=True)

    def _scrub(self, exc: BaseException) -> str:
        """The exception's text with the URL's password masked: a driver may echo its DSN
        (password included) in a message, and problems end up in logs and the UI."""
        message = str(exc)
        password = self._url.password
        if password:
            message = message.replace(str(password), "***")
        return message

    def _objects(self, inspector: Any) -> list[tuple[str, bool]]:
        """``(name, is_view)`` for every table, then every view, that the source's ``tables``
        patterns allow; filtering here keeps excluded tables from ever being queried."""
        found = [(name, False) for name in inspector.get_table_names()]
        found += [(name, True) for name in inspector.get_view_names()]
        return [(name, is_view) for name, is_view in found if self._config.tables.allows(name)]

    def list_ids(self) -> Iterator[str]:
        engine = self._engine()
        try:
            names = self._objects(inspect(engine))
        except SQLAlchemyError as exc:
            raise ConnectorError(
                self.name, f"cannot list the tables of {self._safe_url()}: {self._scrub(exc)}"
            ) from exc
        finally:
            engine.dispose()
        for name, _ in names:
            yield self._doc_id(name)

    def load(self, since: datetime | None = None) -> Iterator[Document]:
        engine = self._engine()
        try:
            inspector = inspect(engine)
            names = self._objects(inspector)
        except SQLAlchemyError as exc:
            engine.dispose()
            raise ConnectorError(
                self.name, f"cannot read the schema of {self._safe_url()}: {self._scrub(exc)}"
            ) from exc
        try:
            loaded_at = self._loaded_at()
            for name, is_view in names:
                kind = "view" if is_view else "table"
                try:
                    yield self._card(engine, inspector, name, loaded_at, is_view)
                except SQLAlchemyError as exc:
                    self.report_problem(
                        f"{kind} {name}", f"could not be described ({self._scrub(exc)})"
                    )
        finally:
            engine.dispose()

    def _loaded_at(self) -> datetime:
        """A SQLite file's mtime; other databases have no cheap 'last changed', so now."""
        database = self._url.database
        if self._url.get_backend_name() == "sqlite" and database and Path(database).is_file():
            return datetime.fromtimestamp(Path(database).stat().st_mtime, tz=UTC)
        return datetime.now(UTC)

    def _doc_id(self, table_name: str) -> str:
        return f"db:{self.name}.{table_name}"

    def access_for(self, table_name: str) -> Access:
        for pattern, spec in self._config.access.tables.items():
            if fnmatch.fnmatch(table_name, pattern):
                return access_from_spec(spec)
        return access_from_spec(self._config.access.default)

    def _card(
        self, engine: Engine, inspector: Any, name: str, loaded_at: datetime, is_view: bool
    ) -> Document:
        kind = "view" if is_view else "table"
        described = self._descriptions.get(name, {})
        columns = inspector.get_columns(name)
        keys = _primary_key(inspector, name)
        foreign = self._foreign_keys(inspector, name, kind)
        rows = _row_count(engine, name)
        samples = _sample_values(
            engine, name, [c["name"] for c in columns], self._config.sample_values
        )
        comment = described.get("description") or _table_comment(inspector, name)
        lines = [
            f"{kind.capitalize()} {name} in database {self.name}"
            + (f": {comment}" if comment else ".")
        ]
        lines.append(f"Rows: {rows}. Primary key: {', '.join(keys) or 'none'}.")
        lines.append("Columns:")
        for col in columns:
            note = (described.get("columns") or {}).get(col["name"]) or col.get("comment") or ""
            values = ", ".join(samples.get(col["name"], []))
            lines.append(
                f"- {col['name']} ({col['type']})"
                + (f": {note}" if note else "")
                + (f" Examples: {values}." if values else "")
            )
        if foreign:
            lines.append("Foreign keys: " + "; ".join(foreign) + ".")
        return Document(
            id=self._doc_id(name),
            source=self.name,
            kind="table",
            title=f"{self.name}.{name} ({kind})",
            url=f"{self._safe_url()}#{name}",
            sections=(Section(text="\n".join(lines), url=f"{self._safe_url()}#{name}"),),
            updated_at=loaded_at,
            access=self.access_for(name),
            metadata={
                "table": name,
                "rows": rows,
                "columns": [c["name"] for c in columns],
                **({"view": True} if is_view else {}),
            },
        )

    def _foreign_keys(self, inspector: Any, name: str, kind: str) -> list[str]:
        try:
            found = inspector.get_foreign_keys(name)
        except NotImplementedError:  # a dialect without foreign keys on views: none to show
            return []
        except (SQLAlchemyError, KeyError, ValueError) as exc:
            self.report_problem(f"{kind} {name}", f"foreign keys unreadable ({self._scrub(exc)})")
            return []
        return [
            f"{', '.join(fk['constrained_columns'])} -> {fk['referred_table']}"
            f"({', '.join(fk['referred_columns'])})"
            for fk in found
            if self._resolves(inspector, name, kind, fk)
        ]

    def _resolves(self, inspector: Any, name: str, kind: str, fk: dict[str, Any]) -> bool:
        """A foreign key to columns that do not exist is reported and left off the card: the
        SQL model would join on it and every such query would fail."""
        target = fk.get("referred_table") or ""
        try:
            existing = {str(c["name"]).lower() for c in inspector.get_columns(target)}
        except (SQLAlchemyError, KeyError, ValueError, NotImplementedError):
            existing = set()
        missing = [c for c in fk.get("referred_columns") or [] if str(c).lower() not in existing]
        if missing:
            self.report_problem(
                f"{kind} {name}",
                f"foreign key to {target}({', '.join(map(str, missing))}), which does not "
                "exist; left off the schema card",
            )
        return not missing


def _row_count(engine: Engine, name: str) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(table(name))) or 0)


def _sample_values(
    engine: Engine, name: str, columns: list[str], limit: int
) -> dict[str, list[str]]:
    samples: dict[str, list[str]] = {}
    if limit <= 0:
        return samples
    for col in columns:
        query: Select[Any] = (
            select(column(col))
            .select_from(table(name))
            .where(column(col).is_not(None))
            .distinct()
            .limit(limit)
        )
        try:  # a connection per column: one failure (say DISTINCT on json) aborts only itself
            with engine.connect() as conn:
                samples[col] = [str(v)[:40] for v in conn.scalars(query)]
        except SQLAlchemyError:
            continue
    return samples


def _primary_key(inspector: Any, name: str) -> list[str]:
    """The primary key's columns; a view has none, and some dialects refuse to say so."""
    try:
        return list(inspector.get_pk_constraint(name).get("constrained_columns") or [])
    except NotImplementedError:
        return []


def _table_comment(inspector: Any, name: str) -> str:
    """The database's comment on a table or view; SQLite has no comments at all."""
    try:
        return str(inspector.get_table_comment(name).get("text") or "")
    except (NotImplementedError, SQLAlchemyError):
        return ""


def _load_descriptions(path: Path | None) -> dict[str, dict[str, Any]]:
    if path is None:
        return {}
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConnectorError("database", f"descriptions file {path} is unreadable: {exc}") from exc
    tables = raw.get("tables", {})
    return tables if isinstance(tables, dict) else {}
