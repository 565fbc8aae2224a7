"""The database connector: schema cards from a real SQLite file, a real PostgreSQL and a real
MariaDB (the last two are skipped when the service is not running, unless CI demands it)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine

from connectors.database import DatabaseConnector
from copilot.config import AccessSpec, DatabaseSource, NameFilter, TableAccess
from copilot.errors import ConnectorError
from copilot.types import Access, Document

SHOP_SQL = """
CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, region TEXT);
CREATE TABLE orders (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    total_eur REAL
);
CREATE TABLE order_items (
    order_id INTEGER REFERENCES orders(id),
    line INTEGER,
    sku TEXT,
    PRIMARY KEY (order_id, line)
);
INSERT INTO customers VALUES (1, 'Initech', 'EU'), (2, 'Globex', 'US'), (3, 'Umbrella', 'EU');
INSERT INTO orders VALUES (10, 1, 99.5), (11, 2, 12.0);
INSERT INTO order_items VALUES (10, 1, 'SKU-RED'), (10, 2, 'SKU-BLUE'), (11, 1, 'SKU-RED');
"""

DESCRIPTIONS = """tables:
  customers:
    description: Companies that buy from us
    columns:
      region: Sales region code
  orders:
    columns:
      total_eur: Order total in euros, VAT included
"""


def make_sqlite(path: Path, script: str) -> str:
    with sqlite3.connect(path) as conn:
        conn.executescript(script)
    conn.close()
    return f"sqlite:///{path}"


def connector(url: str, descriptions: Path | None = None, **config: Any) -> DatabaseConnector:
    source = DatabaseSource(type="database", name="shop", url=url, **config)
    return DatabaseConnector(source, descriptions)


def cards(source: DatabaseConnector) -> dict[str, Document]:
    return {d.id: d for d in source.load()}


@pytest.fixture
def shop(tmp_path: Path) -> tuple[str, Path]:
    url = make_sqlite(tmp_path / "shop.sqlite", SHOP_SQL)
    descriptions = tmp_path / "descriptions.yaml"
    descriptions.write_text(DESCRIPTIONS, encoding="utf-8")
    return url, descriptions


def test_one_card_per_table(shop: tuple[str, Path]) -> None:
    source = connector(*shop)
    found = cards(source)
    assert set(found) == {"db:shop.customers", "db:shop.orders", "db:shop.order_items"}
    assert sorted(source.list_ids()) == sorted(found)
    card = found["db:shop.orders"]
    assert card.kind == "table" and card.source == "shop"
    assert card.title == "shop.orders (table)"
    assert card.url.endswith("#orders")
    assert card.metadata == {
        "table": "orders",
        "rows": 2,
        "columns": ["id", "customer_id", "total_eur"],
    }
    assert source.problems == []


def test_card_text_lists_columns_keys_rows_and_samples(shop: tuple[str, Path]) -> None:
    found = cards(connector(*shop))
    customers = found["db:shop.customers"].text
    assert customers.startswith("Table customers in database shop: Companies that buy from us")
    assert "Rows: 3. Primary key: id." in customers
    assert "- region (TEXT): Sales region code Examples: EU, US." in customers
    assert "- name (TEXT) Examples: Initech, Globex, Umbrella." in customers
    orders = found["db:shop.orders"].text
    assert "- total_eur (REAL): Order total in euros, VAT included" in orders
    assert "Foreign keys: customer_id -> customers(id)." in orders
    items = found["db:shop.order_items"].text
    assert "Primary key: order_id, line." in items
    assert "order_id -> orders(id)" in items
    assert "SKU-RED" in items and "SKU-BLUE" in items


def test_sample_values_are_limited(shop: tuple[str, Path]) -> None:
    text = cards(connector(*shop, sample_values=1))["db:shop.customers"].text
    assert "- name (TEXT) Examples: Initech." in text
    assert "Globex" not in text
    no_samples = cards(connector(*shop, sample_values=0))["db:shop.customers"].text
    assert "Examples" not in no_samples


def test_per_table_access_patterns(shop: tuple[str, Path]) -> None:
    access = TableAccess(
        default=AccessSpec(groups=["analysts"]),
        tables={"order*": AccessSpec(groups=["finance"]), "customers": AccessSpec(public=True)},
    )
    found = cards(connector(*shop, access=access))
    assert found["db:shop.customers"].access == Access.public()
    assert found["db:shop.orders"].access == Access(groups=frozenset({"finance"}))
    assert found["db:shop.order_items"].access == Access(groups=frozenset({"finance"}))
    fallback = cards(connector(shop[0], access=TableAccess(default=AccessSpec(groups=["a"]))))
    assert fallback["db:shop.orders"].access == Access(groups=frozenset({"a"}))
    assert cards(connector(shop[0]))["db:shop.orders"].access == Access.nobody()


def test_foreign_key_to_missing_column_is_tolerated(tmp_path: Path) -> None:
    script = SHOP_SQL + (
        "CREATE TABLE refunds (id INTEGER PRIMARY KEY, "
        "order_ref INTEGER REFERENCES orders(no_such_column), reason TEXT);"
        "INSERT INTO refunds VALUES (1, 10, 'damaged');"
    )
    source = connector(make_sqlite(tmp_path / "shop.sqlite", script))
    found = cards(source)
    assert len(found) == 4
    refunds = found["db:shop.refunds"].text
    assert "Rows: 1." in refunds
    assert "- reason (TEXT) Examples: damaged." in refunds
    # The broken key is reported and kept off the card: a model would join on it.
    assert "no_such_column" not in refunds and "Foreign keys" not in refunds
    assert any("no_such_column" in problem for problem in source.problems)


def test_include_patterns_keep_only_matching_tables(shop: tuple[str, Path]) -> None:
    source = connector(*shop, tables=NameFilter(include=["order*"]))
    assert set(cards(source)) == {"db:shop.orders", "db:shop.order_items"}
    assert sorted(source.list_ids()) == ["db:shop.order_items", "db:shop.orders"]
    exact = connector(*shop, tables=NameFilter(include=["customers"]))
    assert list(exact.list_ids()) == ["db:shop.customers"]


def test_exclude_patterns_win_over_includes(shop: tuple[str, Path]) -> None:
    source = connector(*shop, tables=NameFilter(exclude=["*_items"]))
    assert set(cards(source)) == {"db:shop.customers", "db:shop.orders"}
    assert sorted(source.list_ids()) == ["db:shop.customers", "db:shop.orders"]
    both = connector(*shop, tables=NameFilter(include=["order*"], exclude=["orders"]))
    assert set(cards(both)) == {"db:shop.order_items"}
    assert list(both.list_ids()) == ["db:shop.order_items"]


VIEW_SQL = (
    SHOP_SQL
    + """
CREATE VIEW eu_customers AS SELECT id, name FROM customers WHERE region = 'EU';
"""
)


def test_views_get_cards_marked_as_views(tmp_path: Path) -> None:
    source = connector(make_sqlite(tmp_path / "shop.sqlite", VIEW_SQL))
    found = cards(source)
    assert "db:shop.eu_customers" in found and len(found) == 4
    assert "db:shop.eu_customers" in list(source.list_ids())
    view = found["db:shop.eu_customers"]
    assert view.title == "shop.eu_customers (view)"
    assert view.metadata == {
        "table": "eu_customers",
        "rows": 2,
        "columns": ["id", "name"],
        "view": True,
    }
    assert view.text.startswith("View eu_customers in database shop.")
    assert "Rows: 2. Primary key: none." in view.text
    assert "Initech" in view.text and "Umbrella" in view.text and "Globex" not in view.text
    assert found["db:shop.customers"].text.startswith("Table customers in database shop")
    assert source.problems == []


def test_views_are_filtered_like_tables(tmp_path: Path) -> None:
    url = make_sqlite(tmp_path / "shop.sqlite", VIEW_SQL)
    excluded = connector(url, tables=NameFilter(exclude=["eu_*"]))
    assert "db:shop.eu_customers" not in cards(excluded)
    assert "db:shop.eu_customers" not in list(excluded.list_ids())
    only = connector(url, tables=NameFilter(include=["eu_*"]))
    assert set(cards(only)) == {"db:shop.eu_customers"}
    assert list(only.list_ids()) == ["db:shop.eu_customers"]


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:///file:{tmp}/missing/dir/x.sqlite?mode=ro&uri=true",
        "postgresql+psycopg://reporter:Sup3rSecretPw@127.0.0.1:1/shop",
    ],
)
def test_unreachable_database_raises_without_leaking_password(tmp_path: Path, url: str) -> None:
    source = connector(url.format(tmp=tmp_path))
    with pytest.raises(ConnectorError) as raised:
        list(source.load())
    assert "Sup3rSecretPw" not in str(raised.value)
    assert raised.value.source == "shop"
    with pytest.raises(ConnectorError) as listed:
        list(source.list_ids())
    assert "Sup3rSecretPw" not in str(listed.value)


PG_SCHEMA = [
    "CREATE TABLE teams (id integer PRIMARY KEY, name text NOT NULL)",
    "CREATE TABLE engineers (id integer PRIMARY KEY, team_id integer REFERENCES teams(id), "
    "email text)",
    "COMMENT ON TABLE teams IS 'Engineering teams'",
    "COMMENT ON COLUMN teams.name IS 'Display name of the team'",
    "COMMENT ON TABLE engineers IS 'People on call'",
    "COMMENT ON COLUMN engineers.email IS 'Work email address'",
    "INSERT INTO teams VALUES (1, 'Platform'), (2, 'Payments')",
    "INSERT INTO engineers VALUES (1, 1, 'ana@acme.test'), (2, 2, 'raj@acme.test')",
]


def run_pg(url: str, statements: list[str]) -> None:
    """Run DDL/DML as the test's setup, through the driver as written (no SQLAlchemy quoting)."""
    engine = create_engine(url)
    with engine.begin() as conn:
        for statement in statements:
            conn.exec_driver_sql(statement)
    engine.dispose()


def test_postgres_comments_appear_in_cards(postgres_url: str) -> None:
    run_pg(postgres_url, PG_SCHEMA)
    found = cards(connector(postgres_url))
    assert set(found) == {"db:shop.teams", "db:shop.engineers"}
    teams = found["db:shop.teams"].text
    assert teams.startswith("Table teams in database shop: Engineering teams")
    assert "- name (TEXT): Display name of the team Examples:" in teams
    assert "Platform" in teams and "Payments" in teams
    engineers = found["db:shop.engineers"].text
    assert "People on call" in engineers
    assert "- email (TEXT): Work email address" in engineers
    assert "Foreign keys: team_id -> teams(id)." in engineers


def test_postgres_json_column_does_not_hide_later_samples(postgres_url: str) -> None:
    run_pg(
        postgres_url,
        [
            "CREATE TABLE events (id integer PRIMARY KEY, payload json, label text)",
            """INSERT INTO events VALUES (1, '{"a": 1}', 'deploy'), (2, '[]', 'rollback')""",
        ],
    )
    text = cards(connector(postgres_url))["db:shop.events"].text
    assert "- label (TEXT) Examples: deploy, rollback." in text


MARIADB_SCHEMA = [
    "CREATE TABLE teams (id INTEGER PRIMARY KEY, name VARCHAR(80) NOT NULL "
    "COMMENT 'Display name of the team') COMMENT 'Engineering teams'",
    "CREATE TABLE engineers (id INTEGER PRIMARY KEY, team_id INTEGER, "
    "email TEXT COMMENT 'Work email address', "
    "FOREIGN KEY (team_id) REFERENCES teams(id)) ENGINE=InnoDB COMMENT 'People on call'",
    # A reserved word as table and column name, a quote and non-ASCII text in comments,
    # and a composite key: each trips a connector that builds SQL or parses DDL naively.
    "CREATE TABLE `order` (id INTEGER, `key` VARCHAR(10) COMMENT 'Customer''s café key', "
    "total DECIMAL(10,2), PRIMARY KEY (id, `key`)) COMMENT 'Orders; it''s «all» here'",
    "CREATE VIEW platform_people AS SELECT email FROM engineers WHERE team_id = 1",
    "INSERT INTO teams VALUES (1, 'Platform'), (2, 'Payments')",
    "INSERT INTO engineers VALUES (1, 1, 'ana@acme.test'), (2, 2, 'raj@acme.test')",
    "INSERT INTO `order` VALUES (1, 'a', 9.50), (2, 'b', 3.00), (3, 'c', 3.00)",
]


def test_mariadb_comments_keys_and_samples_appear_in_cards(mariadb_url: str) -> None:
    run_pg(mariadb_url, MARIADB_SCHEMA)
    source = connector(mariadb_url)
    found = cards(source)
    assert set(found) == {
        "db:shop.teams",
        "db:shop.engineers",
        "db:shop.order",
        "db:shop.platform_people",
    }
    assert sorted(source.list_ids()) == sorted(found)
    teams = found["db:shop.teams"].text
    assert teams.startswith("Table teams in database shop: Engineering teams")
    assert "Rows: 2. Primary key: id." in teams
    assert "- name (VARCHAR(80)): Display name of the team Examples:" in teams
    assert "Platform" in teams and "Payments" in teams
    engineers = found["db:shop.engineers"].text
    assert engineers.startswith("Table engineers in database shop: People on call")
    assert "- email (TEXT): Work email address Examples:" in engineers
    assert "ana@acme.test" in engineers
    assert "Foreign keys: team_id -> teams(id)." in engineers
    order = found["db:shop.order"]
    assert order.text.startswith("Table order in database shop: Orders; it's «all» here")
    assert "Rows: 3. Primary key: id, key." in order.text
    assert "- key (VARCHAR(10)): Customer's café key Examples:" in order.text
    assert "9.50" in order.text
    assert order.metadata == {"table": "order", "rows": 3, "columns": ["id", "key", "total"]}
    view = found["db:shop.platform_people"]
    assert view.title == "shop.platform_people (view)"
    assert view.text.startswith("View platform_people in database shop.")
    assert "Rows: 1. Primary key: none." in view.text
    assert "ana@acme.test" in view.text and "raj@acme.test" not in view.text
    assert source.problems == []


def test_mariadb_table_patterns_and_descriptions(mariadb_url: str, tmp_path: Path) -> None:
    run_pg(mariadb_url, MARIADB_SCHEMA)
    descriptions = tmp_path / "descriptions.yaml"
    descriptions.write_text(
        "tables:\n  teams:\n    description: Squads\n    columns:\n      name: Squad name\n",
        encoding="utf-8",
    )
    source = connector(
        mariadb_url, descriptions, tables=NameFilter(include=["t*", "e*"], exclude=["eng*"])
    )
    found = cards(source)
    assert set(found) == {"db:shop.teams"}
    assert list(source.list_ids()) == ["db:shop.teams"]
    teams = found["db:shop.teams"].text
    assert teams.startswith("Table teams in database shop: Squads")
    assert "- name (VARCHAR(80)): Squad name Examples:" in teams


def test_mariadb_wrong_password_does_not_leak(mariadb_url: str) -> None:
    # mariadb_url proves the server is up (else the test is skipped); root has no password
    # there, so this one is refused.
    source = connector("mysql+pymysql://root:s3cretpw@127.0.0.1:3306/test")
    with pytest.raises(ConnectorError) as raised:
        list(source.load())
    assert "s3cretpw" not in str(raised.value)
    assert "Access denied" in str(raised.value)
    assert raised.value.source == "shop"
    with pytest.raises(ConnectorError) as listed:
        list(source.list_ids())
    assert "s3cretpw" not in str(listed.value)
