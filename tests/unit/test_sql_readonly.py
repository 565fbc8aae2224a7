"""ReadOnlyDatabase enforces read-only, row limits and timeouts inside real databases.

Dangerous SQL goes straight to ``run`` here, bypassing the guard: the database itself must
refuse it, and a separate ordinary connection checks that the data did not change.
"""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from copilot.sql.readonly import ReadOnlyDatabase, SqlExecutionError, readonly_role_sql

WRITES = [
    "UPDATE items SET name = 'x'",
    "DELETE FROM items",
    "DROP TABLE items",
    "CREATE TABLE evil (id INT)",
    "INSERT INTO items (id, name) VALUES (99, 'evil')",
]
SEED = [(i, f"item{i}") for i in range(1, 8)]


def _seed(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(40))"))
        for i, name in SEED:
            conn.execute(text("INSERT INTO items VALUES (:i, :n)"), {"i": i, "n": name})
    engine.dispose()


def _rows(url: str) -> list[tuple[object, ...]]:
    """The table's contents through an ordinary (writable) connection."""
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(text("SELECT id, name FROM items ORDER BY id"))]
    engine.dispose()
    return rows


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    _seed(url)
    return url


@pytest.fixture
def pg_url(postgres_url: str) -> str:
    _seed(postgres_url)
    return postgres_url


@pytest.fixture
def my_url(mariadb_url: str) -> str:
    _seed(mariadb_url)
    return mariadb_url


@pytest.fixture(params=["sqlite", "postgres", "mariadb"])
def url(request: pytest.FixtureRequest) -> str:
    name = {"sqlite": "sqlite_url", "postgres": "pg_url", "mariadb": "my_url"}[request.param]
    return str(request.getfixturevalue(name))


def test_select_returns_columns_and_rows(url: str) -> None:
    db = ReadOnlyDatabase(url, row_limit=100, timeout_s=5)
    result = db.run("SELECT id, name FROM items WHERE name LIKE 'item%' ORDER BY id")
    assert result.columns == ["id", "name"]
    assert result.rows == SEED
    assert not result.truncated
    db.close()


def test_dialect_names_match_sqlglot(url: str) -> None:
    expected = {"sqlite": "sqlite", "postgresql": "postgres", "mysql": "mysql"}
    backend = make_url(url).get_backend_name()
    assert ReadOnlyDatabase(url, row_limit=1, timeout_s=1).dialect == expected[backend]


@pytest.mark.parametrize("sql", WRITES)
def test_writes_fail_in_the_database(url: str, sql: str) -> None:
    db = ReadOnlyDatabase(url, row_limit=100, timeout_s=5)
    with pytest.raises(SqlExecutionError) as info:
        db.run(sql)
    assert info.value.database_error
    db.close()
    assert _rows(url) == SEED


def test_row_limit_truncates(url: str) -> None:
    db = ReadOnlyDatabase(url, row_limit=3, timeout_s=5)
    result = db.run("SELECT id FROM items ORDER BY id")
    assert result.rows == [(1,), (2,), (3,)]
    assert result.truncated
    db.close()


def test_sqlite_refuses_attach_and_pragma(sqlite_url: str, tmp_path: Path) -> None:
    db = ReadOnlyDatabase(sqlite_url, row_limit=10, timeout_s=5)
    with pytest.raises(SqlExecutionError, match="not authorized"):
        db.run(f"ATTACH DATABASE '{tmp_path / 'other.db'}' AS other")
    assert not (tmp_path / "other.db").exists()
    with pytest.raises(SqlExecutionError):
        db.run("PRAGMA query_only = OFF")
    with pytest.raises(SqlExecutionError):
        db.run("SELECT load_extension('x')")


def test_sqlite_file_is_opened_read_only(sqlite_url: str) -> None:
    """Even a statement the authorizer would allow cannot write: the file is ``mode=ro``."""
    path = make_url(sqlite_url).database
    assert path is not None
    conn = sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True)
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        conn.execute("DELETE FROM items")
    conn.close()


def test_sqlite_slow_query_is_stopped(sqlite_url: str) -> None:
    db = ReadOnlyDatabase(sqlite_url, row_limit=10, timeout_s=0.5)
    sql = (
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000000) "
        "SELECT MAX(i) FROM n"
    )
    started = time.monotonic()
    with pytest.raises(SqlExecutionError, match="limit"):
        db.run(sql)
    assert time.monotonic() - started < 3


def test_postgres_slow_query_is_stopped(pg_url: str) -> None:
    db = ReadOnlyDatabase(pg_url, row_limit=10, timeout_s=0.5)
    started = time.monotonic()
    with pytest.raises(SqlExecutionError, match="statement timeout"):
        db.run("SELECT pg_sleep(5)")
    assert time.monotonic() - started < 3
    db.close()


def test_postgres_refuses_a_second_statement(pg_url: str) -> None:
    """``COMMIT; UPDATE`` would escape the read-only transaction, so it must not run."""
    db = ReadOnlyDatabase(pg_url, row_limit=10, timeout_s=5)
    with pytest.raises(SqlExecutionError):
        db.run("COMMIT; UPDATE items SET name = 'x'")
    db.close()
    assert _rows(pg_url) == SEED


def test_mariadb_slow_query_is_stopped(my_url: str) -> None:
    db = ReadOnlyDatabase(my_url, row_limit=10, timeout_s=0.5)
    started = time.monotonic()
    try:
        result = db.run("SELECT SLEEP(5)")
    except SqlExecutionError:
        pass
    else:  # MariaDB may end an interrupted SLEEP by returning 1 instead of failing
        assert result.rows == [(1,)]
    assert time.monotonic() - started < 3
    db.close()


def test_mariadb_refuses_a_second_statement(my_url: str) -> None:
    db = ReadOnlyDatabase(my_url, row_limit=10, timeout_s=5)
    with pytest.raises(SqlExecutionError):
        db.run("COMMIT; UPDATE items SET name = 'x'")
    db.close()
    assert _rows(my_url) == SEED


def test_errors_never_show_the_password(tmp_path: Path) -> None:
    db = ReadOnlyDatabase(
        "postgresql+psycopg://copilot:s3cret-pw@127.0.0.1:1/nowhere", row_limit=1, timeout_s=2
    )
    with pytest.raises(SqlExecutionError) as info:
        db.run("SELECT 1")
    assert "s3cret-pw" not in str(info.value)
    assert "s3cret-pw" not in info.value.database_error


def _admin_exec(url: str, statements: list[str]) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        for statement in statements:
            conn.execute(text(statement))
    engine.dispose()


@pytest.fixture
def pg_role(pg_url: str) -> Iterator[str]:
    """A SELECT-only role made with ``readonly_role_sql``; yields a URL logging in as it."""
    role = f"copilot_ro_{uuid.uuid4().hex[:8]}"
    database = make_url(pg_url).database or ""
    _admin_exec(pg_url, readonly_role_sql("postgres", role, database, ["items"]))
    try:
        yield make_url(pg_url).set(username=role, password=None).render_as_string(False)
    finally:
        _admin_exec(pg_url, [f'DROP OWNED BY "{role}"', f'DROP ROLE "{role}"'])


@pytest.fixture
def my_role(my_url: str) -> Iterator[str]:
    user = f"copilot_ro_{uuid.uuid4().hex[:8]}"
    password = "ro-" + uuid.uuid4().hex[:12]
    database = make_url(my_url).database or ""
    statements = readonly_role_sql("mysql", user, database, ["items"], password=password)
    _admin_exec(my_url, statements)
    try:
        role_url = make_url(my_url).set(username=user, password=password)
        yield role_url.render_as_string(False)
    finally:
        _admin_exec(my_url, [f"DROP USER '{user}'@'%'"])


def _role_can_read_not_write(role_url: str, admin_url: str) -> None:
    """Through an ordinary (not read-only) connection, so the role alone must refuse."""
    engine = create_engine(role_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM items")).scalar() == len(SEED)
    with pytest.raises(DBAPIError, match=r"(?i)denied|read-only|read only"), engine.begin() as conn:
        conn.execute(text("UPDATE items SET name = 'x'"))
    engine.dispose()
    assert _rows(admin_url) == SEED
    assert (
        ReadOnlyDatabase(role_url, row_limit=2, timeout_s=5).run("SELECT id FROM items").truncated
    )


def test_postgres_readonly_role(pg_role: str, pg_url: str) -> None:
    _role_can_read_not_write(pg_role, pg_url)


def test_mariadb_readonly_role(my_role: str, my_url: str) -> None:
    _role_can_read_not_write(my_role, my_url)


def test_role_sql_quotes_names() -> None:
    statements = readonly_role_sql("postgres", 'ro"le', "shop", ["sales.orders", "items"])
    assert 'CREATE ROLE "ro""le" LOGIN' in statements
    assert 'GRANT SELECT ON "sales"."orders" TO "ro""le"' in statements
    assert 'GRANT SELECT ON "public"."items" TO "ro""le"' in statements
    my = readonly_role_sql("mysql", "ro", "shop", ["items"], password="it's")
    assert my[0] == "CREATE USER 'ro'@'%' IDENTIFIED BY 'it''s'"
    assert my[1] == "GRANT SELECT ON `shop`.`items` TO 'ro'@'%'"
