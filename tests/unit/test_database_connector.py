"""The database connector: schema cards from a real SQLite file and a real PostgreSQL."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine

from connectors.database import DatabaseConnector
from copilot.config import AccessSpec, DatabaseSource, TableAccess
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
