"""Run SQL read-only, row-limited and timed, with the limits enforced inside the database.

The guard (``copilot.sql.guard``) refuses unsafe SQL before it runs, but a parser can be
fooled, so every query also runs where the database itself refuses writes:

- SQLite: the file is opened with ``mode=ro`` (a URI filename), ``PRAGMA query_only=ON`` is
  set, and an authorizer allows only reads (so ``ATTACH``, ``PRAGMA`` and writes fail). A
  progress handler interrupts a query that runs past the timeout.
- PostgreSQL: each query runs in its own ``READ ONLY`` transaction with
  ``SET LOCAL statement_timeout``, sent through the extended protocol so that one call can
  never carry a second statement (``COMMIT; UPDATE ...``).
- MariaDB / MySQL: ``SET SESSION TRANSACTION READ ONLY`` and ``START TRANSACTION READ ONLY``,
  with ``max_statement_time`` (MariaDB, seconds) or ``max_execution_time`` (MySQL, ms).
  PyMySQL never sends several statements in one call.

Every query is rolled back and at most ``row_limit + 1`` rows are fetched (the extra row
only says the result was truncated). The guard's LIMIT bounds what the server sends.

The third wall is the database role, which operators create once: the copilot's URL should
name a role that can only SELECT the tables it describes. ``readonly_role_sql`` prints the
statements, e.g. for PostgreSQL::

    CREATE ROLE "copilot_ro" LOGIN PASSWORD '...'
    GRANT CONNECT ON DATABASE "shop" TO "copilot_ro"
    GRANT USAGE ON SCHEMA "public" TO "copilot_ro"
    GRANT SELECT ON "public"."orders" TO "copilot_ro"
    ALTER ROLE "copilot_ro" SET default_transaction_read_only = on

and for MariaDB ``CREATE USER 'copilot_ro'@'%' IDENTIFIED BY '...'`` plus one
``GRANT SELECT ON `shop`.`orders` TO 'copilot_ro'@'%'`` per table. On PostgreSQL before 15,
also run ``REVOKE CREATE ON SCHEMA public FROM PUBLIC`` (15 and later do not grant it).

Error messages carry the database's own text (useful to repair the SQL) with the URL's
password masked, since drivers may echo connection details.
"""

from __future__ import annotations

import math
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from copilot.errors import ConfigError, CopilotError

# SQLAlchemy backend name -> sqlglot dialect name.
_DIALECTS = {"sqlite": "sqlite", "postgresql": "postgres", "mysql": "mysql", "mariadb": "mysql"}

_SQLITE_ALLOWED_ACTIONS = frozenset(
    {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION, 33}  # 33: RECURSIVE
)
_SQLITE_DENIED_FUNCTIONS = frozenset({"load_extension", "readfile", "writefile", "edit"})
_PROGRESS_STEPS = 1000  # SQLite VM instructions between two timeout checks


class SqlExecutionError(CopilotError):
    """The database refused or failed the query; ``database_error`` is its own text."""

    def __init__(self, message: str, database_error: str = "") -> None:
        super().__init__(message)
        self.database_error = database_error


@dataclass(frozen=True)
class QueryResult:
    """Columns and at most ``row_limit`` rows; ``truncated`` when more rows existed."""

    columns: list[str]
    rows: list[tuple[Any, ...]]
    truncated: bool


class ReadOnlyDatabase:
    """One database the SQL chain queries; every ``run`` is read-only, limited and timed."""

    def __init__(self, url: str, *, row_limit: int, timeout_s: float) -> None:
        try:
            self._url = make_url(url)
        except ArgumentError as exc:
            raise ConfigError(f"database URL is not valid: {exc}") from exc
        backend = self._url.get_backend_name()
        if backend not in _DIALECTS:
            raise ConfigError(
                f"the SQL chain supports SQLite, PostgreSQL and MariaDB/MySQL, not {backend}"
            )
        if row_limit < 1 or timeout_s <= 0:
            raise ConfigError("the SQL row limit must be at least 1 and the timeout positive")
        self._backend = backend
        self._row_limit = row_limit
        self._timeout_s = timeout_s
        self._engine: Engine | None = None
        if backend == "sqlite":
            self._sqlite_uri = _sqlite_uri(self._url)

    @property
    def dialect(self) -> str:
        """The sqlglot dialect name for this database (``sqlite``, ``postgres``, ``mysql``)."""
        return _DIALECTS[self._backend]

    @property
    def paramstyle(self) -> str:
        """How ``run``'s SQL marks bound parameters: ``qmark`` (``?``, sqlite3) or
        ``format`` (``%s``, psycopg and PyMySQL)."""
        return "qmark" if self._backend == "sqlite" else "format"

    def run(self, sql: str, params: Sequence[Any] = ()) -> QueryResult:
        """Run one query read-only; raise ``SqlExecutionError`` with the database's reason.

        ``params`` bind the query's markers (see ``paramstyle``); without them the SQL is
        sent as is, so a ``%`` in model-written SQL is never taken for a marker.
        """
        started = time.monotonic()
        try:
            if self._backend == "sqlite":
                columns, rows = self._run_sqlite(sql, params)
            else:
                columns, rows = self._run_server(sql, params)
        except Exception as exc:
            if not isinstance(exc, (sqlite3.Error, SQLAlchemyError, *self._driver_errors())):
                raise
            raise self._error(exc, time.monotonic() - started) from exc
        truncated = len(rows) > self._row_limit
        return QueryResult(columns, [tuple(r) for r in rows[: self._row_limit]], truncated)

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def _driver_errors(self) -> tuple[type[BaseException], ...]:
        """The server driver's base exception (psycopg.Error, pymysql.Error), if loaded."""
        if self._engine is None:
            return ()
        return (self._engine.dialect.loaded_dbapi.Error,)

    def _error(self, exc: BaseException, elapsed: float) -> SqlExecutionError:
        text = str(getattr(exc, "orig", None) or exc)
        password = self._url.password
        if password:
            text = text.replace(str(password), "***")
        if elapsed >= self._timeout_s * 0.95:
            message = f"the query ran past the {self._timeout_s:g} s limit and was stopped"
            return SqlExecutionError(f"{message} ({text})", text)
        return SqlExecutionError(f"the database refused the query: {text}", text)

    def _run_sqlite(self, sql: str, params: Sequence[Any]) -> tuple[list[str], list[Sequence[Any]]]:
        conn = sqlite3.connect(self._sqlite_uri, uri=True, timeout=self._timeout_s)
        try:
            conn.execute("PRAGMA query_only=ON")
            conn.set_authorizer(_sqlite_authorizer)
            conn.set_progress_handler(_deadline_handler(self._timeout_s), _PROGRESS_STEPS)
            cursor = conn.execute(sql, tuple(params))
            return _columns(cursor.description), cursor.fetchmany(self._row_limit + 1)
        finally:
            conn.rollback()
            conn.close()

    def _server_engine(self) -> Engine:
        """A pool-less engine: each query gets a fresh session, so no setting leaks."""
        if self._engine is None:
            timeout = max(2, math.ceil(self._timeout_s))
            self._engine = create_engine(
                self._url, poolclass=NullPool, connect_args={"connect_timeout": timeout}
            )
        return self._engine

    def _run_server(self, sql: str, params: Sequence[Any]) -> tuple[list[str], list[Sequence[Any]]]:
        conn = self._server_engine().raw_connection()
        try:
            cursor: Any = conn.cursor()
            if self._backend == "postgresql":
                _begin_postgres(cursor, self._timeout_s)
                # the extended protocol: one statement only
                cursor.execute(sql, tuple(params) or None, binary=True)
            else:
                _begin_mysql(cursor, self._timeout_s, self._driver_errors())
                cursor.execute(sql, tuple(params) or None)
            return _columns(cursor.description), list(cursor.fetchmany(self._row_limit + 1))
        finally:
            _rollback_quietly(conn, self._driver_errors())
            conn.close()


def _sqlite_uri(url: URL) -> str:
    database = url.database
    if not database or database == ":memory:":
        raise ConfigError("the SQL chain needs a SQLite file, not an in-memory database")
    return Path(database).resolve().as_uri() + "?mode=ro"


def _sqlite_authorizer(action: int, arg1: str | None, *_: str | None) -> int:
    """Allow reads, SELECT and harmless functions; deny ATTACH, PRAGMA, writes and DDL."""
    if action not in _SQLITE_ALLOWED_ACTIONS:
        return sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_FUNCTION and (arg1 or "").lower() in _SQLITE_DENIED_FUNCTIONS:
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


def _deadline_handler(timeout_s: float) -> Callable[[], int]:
    """A progress handler that interrupts the query once ``timeout_s`` has passed."""
    deadline = time.monotonic() + timeout_s
    return lambda: int(time.monotonic() > deadline)


def _columns(description: Iterable[Sequence[Any]] | None) -> list[str]:
    return [str(d[0]) for d in description or ()]


def _begin_postgres(cursor: Any, timeout_s: float) -> None:
    """Open a READ ONLY transaction whose statements stop after ``timeout_s``."""
    millis = max(1, round(timeout_s * 1000))
    cursor.execute("SET TRANSACTION READ ONLY")
    cursor.execute(f"SET LOCAL statement_timeout = {millis}")
    cursor.execute(f"SET LOCAL lock_timeout = {millis}")


def _begin_mysql(cursor: Any, timeout_s: float, errors: tuple[type[BaseException], ...]) -> None:
    """Limit statement time (MariaDB's seconds, else MySQL's ms), then start read-only."""
    try:
        cursor.execute(f"SET SESSION max_statement_time = {timeout_s:.3f}")
    except errors:
        cursor.execute(f"SET SESSION max_execution_time = {max(1, round(timeout_s * 1000))}")
    cursor.execute("SET SESSION TRANSACTION READ ONLY")
    cursor.execute("START TRANSACTION READ ONLY")


def _rollback_quietly(conn: Any, errors: tuple[type[BaseException], ...]) -> None:
    """Roll back; a connection the server already dropped has nothing left to undo."""
    try:
        conn.rollback()
    except Exception as exc:
        if not isinstance(exc, (SQLAlchemyError, *errors)):
            raise


def _quote_pg(name: str) -> str:
    return ".".join('"' + part.replace('"', '""') + '"' for part in name.split("."))


def _quote_my(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def _string(value: str, *, backslashes: bool) -> str:
    if backslashes:
        value = value.replace("\\", "\\\\")
    return "'" + value.replace("'", "''") + "'"


def readonly_role_sql(
    dialect: str,
    role: str,
    database: str,
    tables: Iterable[str],
    *,
    password: str | None = None,
    host: str = "%",
) -> list[str]:
    """The statements an operator runs (as an admin) to create a SELECT-only login role.

    ``dialect`` is ``postgres`` or ``mysql`` (MariaDB). PostgreSQL tables without a schema
    are taken to be in ``public``. SQLite has no roles; ``ReadOnlyDatabase`` opens its file
    read-only instead.
    """
    if dialect in {"postgres", "postgresql"}:
        return _postgres_role_sql(role, database, list(tables), password)
    if dialect in {"mysql", "mariadb"}:
        return _mysql_role_sql(role, database, list(tables), password, host)
    raise ConfigError(f"no database roles for dialect {dialect!r}; use postgres or mysql")


def _postgres_role_sql(
    role: str, database: str, tables: list[str], password: str | None
) -> list[str]:
    who = _quote_pg(role)
    login = f" PASSWORD {_string(password, backslashes=False)}" if password else ""
    qualified = [t if "." in t else f"public.{t}" for t in tables]
    schemas = sorted({t.rsplit(".", 1)[0] for t in qualified})
    statements = [
        f"CREATE ROLE {who} LOGIN{login}",
        f"GRANT CONNECT ON DATABASE {_quote_pg(database)} TO {who}",
    ]
    statements += [f"GRANT USAGE ON SCHEMA {_quote_pg(s)} TO {who}" for s in schemas]
    statements += [f"GRANT SELECT ON {_quote_pg(t)} TO {who}" for t in qualified]
    statements.append(f"ALTER ROLE {who} SET default_transaction_read_only = on")
    return statements


def _mysql_role_sql(
    role: str, database: str, tables: list[str], password: str | None, host: str
) -> list[str]:
    who = f"{_string(role, backslashes=True)}@{_string(host, backslashes=True)}"
    identified = f" IDENTIFIED BY {_string(password, backslashes=True)}" if password else ""
    statements = [f"CREATE USER {who}{identified}"]
    statements += [f"GRANT SELECT ON {_quote_my(database)}.{_quote_my(t)} TO {who}" for t in tables]
    return statements
