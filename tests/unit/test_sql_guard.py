"""The SQL guard refuses anything but one SELECT over allowed tables, and caps its rows."""

from __future__ import annotations

import pytest

from copilot.errors import CopilotError
from copilot.sql.guard import SqlRefused, guard_sql

DIALECTS = ["sqlite", "postgres", "mysql"]
ALLOWED = {"orders", "Customers"}


def _guard(sql: str, dialect: str = "postgres", row_limit: int = 100) -> str:
    return guard_sql(sql, dialect=dialect, allowed_tables=ALLOWED, row_limit=row_limit).sql


REFUSED = [
    ("DROP TABLE orders", "DROP"),
    ("UPDATE orders SET total = 0", "UPDATE"),
    ("DELETE FROM orders", "DELETE"),
    ("INSERT INTO orders (id) VALUES (1)", "INSERT"),
    ("CREATE TABLE x (id INT)", "CREATE"),
    ("ALTER TABLE orders ADD COLUMN x INT", "ALTER"),
    ("SELECT 1; DROP TABLE x", "one statement"),
    ("SELECT * FROM salaries", "salaries"),
    ("SELECT * FROM orders o JOIN salaries s ON s.id = o.id", "salaries"),
    ("SELECT * FROM orders WHERE id IN (SELECT id FROM salaries)", "salaries"),
    ("WITH s AS (SELECT * FROM salaries) SELECT * FROM s", "salaries"),
    ("WITH d AS (DELETE FROM orders RETURNING *) SELECT * FROM d", "DELETE"),
    ("SELECT * FROM information_schema.tables", "system catalog"),
    ("SELECT * FROM pg_catalog.pg_user", "system catalog"),
    ("SELECT * FROM pg_shadow", "system catalog"),
    ("SELECT * FROM public.salaries", "salaries"),
    ("SELECT pg_read_file('/etc/passwd')", "pg_read_file"),
    ("SELECT pg_sleep(10)", "pg_sleep"),
    ("SELECT pg_catalog.pg_sleep(10)", "pg_sleep"),
    ("SELECT lo_import('/etc/passwd')", "lo_import"),
    ("SELECT * FROM dblink('host=x', 'SELECT 1') AS t(a int)", "dblink"),
    ("SELECT * FROM pg_ls_dir('.')", "pg_ls_dir"),
    ("SELECT * INTO copy FROM orders", "INTO"),
    ("SELECT * FROM orders FOR UPDATE", "FOR UPDATE"),
    ("COPY orders TO '/tmp/x'", "COPY"),
    ("SET statement_timeout = 0", "SET"),
    ("GRANT SELECT ON orders TO public", "GRANT"),
    ("SELECT * FROM orders WHERE (", "does not parse"),
]


@pytest.mark.parametrize(("sql", "why"), REFUSED)
def test_refuses_postgres(sql: str, why: str) -> None:
    with pytest.raises(SqlRefused, match=why) as info:
        _guard(sql, "postgres")
    assert isinstance(info.value, CopilotError)
    assert "\x1b" not in str(info.value)


@pytest.mark.parametrize(
    ("sql", "why"),
    [
        ("ATTACH DATABASE '/tmp/other.db' AS other", "ATTACH"),
        ("DETACH DATABASE other", "DETACH"),
        ("PRAGMA writable_schema = 1", "PRAGMA"),
        ("SELECT * FROM sqlite_master", "system catalog"),
        ("SELECT * FROM sqlite_schema", "system catalog"),
        ("SELECT * FROM pragma_table_info('orders')", "pragma_table_info"),
        ("SELECT load_extension('evil')", "load_extension"),
        ("SELECT writefile('/tmp/x', 'y')", "writefile"),
        ("SELECT readfile('/etc/passwd')", "readfile"),
    ],
)
def test_refuses_sqlite(sql: str, why: str) -> None:
    with pytest.raises(SqlRefused, match=why):
        _guard(sql, "sqlite")


@pytest.mark.parametrize(
    ("sql", "why"),
    [
        ("SELECT * FROM mysql.user", "system catalog"),
        ("SELECT * FROM performance_schema.threads", "system catalog"),
        ("SELECT SLEEP(10)", "sleep"),
        ("SELECT BENCHMARK(100000000, MD5('x'))", "benchmark"),
        ("SELECT LOAD_FILE('/etc/passwd')", "load_file"),
        ("SELECT sys_exec('id')", "sys_exec"),
        ("CALL purge_orders()", "CALL"),
        ("SELECT * FROM orders INTO OUTFILE '/tmp/x'", "parse|INTO"),
        ("SELECT * FROM orders LOCK IN SHARE MODE", "locking"),
    ],
)
def test_refuses_mysql(sql: str, why: str) -> None:
    with pytest.raises(SqlRefused, match=why):
        _guard(sql, "mysql")


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize(
    "sql",
    [
        "SELECT id, total FROM orders WHERE total > 10",
        "SELECT o.id, c.name FROM orders o JOIN customers c ON c.id = o.customer_id",
        "SELECT * FROM ORDERS",
        "WITH big AS (SELECT * FROM orders WHERE total > 10) SELECT COUNT(*) FROM big",
        "SELECT id FROM orders UNION SELECT id FROM customers",
        "SELECT name FROM customers WHERE id IN (SELECT customer_id FROM orders)",
    ],
)
def test_accepts_reads_of_allowed_tables(sql: str, dialect: str) -> None:
    guarded = guard_sql(sql, dialect=dialect, allowed_tables=ALLOWED, row_limit=50)
    assert guarded.tables <= {"orders", "customers"}
    assert "LIMIT 50" in guarded.sql


def test_reports_tables_read_without_ctes() -> None:
    guarded = guard_sql(
        "WITH big AS (SELECT customer_id FROM orders) "
        "SELECT * FROM customers c JOIN big ON big.customer_id = c.id",
        dialect="postgres",
        allowed_tables=ALLOWED,
        row_limit=10,
    )
    assert guarded.tables == {"orders", "customers"}


def test_a_cte_cannot_shadow_a_table_outside_its_scope() -> None:
    sql = "SELECT * FROM (WITH salaries AS (SELECT 1) SELECT * FROM salaries) x, salaries"
    with pytest.raises(SqlRefused, match="salaries"):
        _guard(sql)


def test_system_catalog_allowed_when_listed() -> None:
    guarded = guard_sql(
        "SELECT * FROM sqlite_master",
        dialect="sqlite",
        allowed_tables={"sqlite_master"},
        row_limit=5,
    )
    assert guarded.tables == {"sqlite_master"}


def test_default_schema_prefix_is_accepted() -> None:
    guarded = guard_sql(
        "SELECT * FROM public.orders", dialect="postgres", allowed_tables=ALLOWED, row_limit=5
    )
    assert guarded.tables == {"orders"}


@pytest.mark.parametrize("dialect", DIALECTS)
def test_limit_is_added(dialect: str) -> None:
    guarded = guard_sql(
        "SELECT * FROM orders", dialect=dialect, allowed_tables=ALLOWED, row_limit=100
    )
    assert guarded.sql == "SELECT * FROM orders LIMIT 100"
    assert guarded.limited


@pytest.mark.parametrize("dialect", DIALECTS)
def test_large_limit_is_clamped(dialect: str) -> None:
    assert _guard("SELECT * FROM orders LIMIT 5000", dialect) == "SELECT * FROM orders LIMIT 100"


@pytest.mark.parametrize("dialect", DIALECTS)
def test_small_limit_is_kept(dialect: str) -> None:
    guarded = guard_sql(
        "SELECT * FROM orders LIMIT 3", dialect=dialect, allowed_tables=ALLOWED, row_limit=100
    )
    assert guarded.sql == "SELECT * FROM orders LIMIT 3"
    assert not guarded.limited


@pytest.mark.parametrize("dialect", DIALECTS)
def test_union_is_wrapped_under_one_limit(dialect: str) -> None:
    sql = _guard("SELECT id FROM orders UNION ALL SELECT id FROM customers", dialect)
    assert sql.startswith("SELECT * FROM (SELECT id FROM orders UNION ALL")
    assert sql.endswith("LIMIT 100")


@pytest.mark.parametrize("dialect", DIALECTS)
def test_union_limit_is_clamped(dialect: str) -> None:
    sql = _guard("SELECT id FROM orders UNION SELECT id FROM customers LIMIT 9999", dialect)
    assert sql.endswith("LIMIT 100")
    assert "9999" not in sql


def test_mysql_offset_limit_is_clamped() -> None:
    sql = _guard("SELECT * FROM orders LIMIT 20, 5000", "mysql")
    assert "5000" not in sql
    assert "LIMIT 100" in sql
    assert "20" in sql


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM orders FETCH FIRST 5000 ROWS ONLY",
        "SELECT * FROM orders FETCH FIRST 50 PERCENT ROWS ONLY",
        "SELECT * FROM orders LIMIT ALL",
    ],
)
def test_postgres_unbounded_or_large_fetch_is_clamped(sql: str) -> None:
    guarded = _guard(sql, "postgres")
    assert guarded.endswith("LIMIT 100")
    assert "5000" not in guarded


def test_small_fetch_first_is_kept() -> None:
    guarded = _guard("SELECT * FROM orders FETCH FIRST 3 ROWS ONLY", "postgres")
    assert "3" in guarded
    assert "100" not in guarded
