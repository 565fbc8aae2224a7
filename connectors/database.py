"""A database through SQLAlchemy: one schema card per table, so questions can find tables.

A card lists columns with types and descriptions (database comments, overridden by the
workspace's descriptions file), keys, foreign keys, the row count and sample values. Broken
schema metadata (a foreign key to a column that does not exist) is reported, not fatal.
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
            raise ConnectorError(self.name, f"cannot open {self._safe_url()}: {exc}") from exc

    def _safe_url(self) -> str:
        return self._url.render_as_string(hide_password=True)

    def list_ids(self) -> Iterator[str]:
        engine = self._engine()
        try:
            for name in inspect(engine).get_table_names():
                yield self._doc_id(name)
        except SQLAlchemyError as exc:
            raise ConnectorError(self.name, f"cannot list tables: {exc}") from exc
        finally:
            engine.dispose()

    def load(self, since: datetime | None = None) -> Iterator[Document]:
        engine = self._engine()
        try:
            inspector = inspect(engine)
            names = inspector.get_table_names()
        except SQLAlchemyError as exc:
            engine.dispose()
            raise ConnectorError(
                self.name, f"cannot read the schema of {self._safe_url()}: {exc}"
            ) from exc
        try:
            loaded_at = self._loaded_at()
            for name in names:
                try:
                    yield self._card(engine, inspector, name, loaded_at)
                except SQLAlchemyError as exc:
                    self.report_problem(f"table {name}", f"could not be described ({exc})")
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

    def _card(self, engine: Engine, inspector: Any, name: str, loaded_at: datetime) -> Document:
        described = self._descriptions.get(name, {})
        columns = inspector.get_columns(name)
        keys = inspector.get_pk_constraint(name).get("constrained_columns") or []
        foreign = self._foreign_keys(inspector, name)
        rows = _row_count(engine, name)
        samples = _sample_values(
            engine, name, [c["name"] for c in columns], self._config.sample_values
        )
        comment = described.get("description") or _table_comment(inspector, name)
        lines = [f"Table {name} in database {self.name}" + (f": {comment}" if comment else ".")]
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
            title=f"{self.name}.{name} (table)",
            url=f"{self._safe_url()}#{name}",
            sections=(Section(text="\n".join(lines), url=f"{self._safe_url()}#{name}"),),
            updated_at=loaded_at,
            access=self.access_for(name),
            metadata={"table": name, "rows": rows, "columns": [c["name"] for c in columns]},
        )

    def _foreign_keys(self, inspector: Any, name: str) -> list[str]:
        try:
            found = inspector.get_foreign_keys(name)
        except (SQLAlchemyError, KeyError, ValueError) as exc:
            self.report_problem(f"table {name}", f"foreign keys unreadable ({exc})")
            return []
        return [
            f"{', '.join(fk['constrained_columns'])} -> {fk['referred_table']}"
            f"({', '.join(fk['referred_columns'])})"
            for fk in found
        ]


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


def _table_comment(inspector: Any, name: str) -> str:
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
