"""Value linking against real databases: phrases of the question found among stored values."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from copilot.sql.readonly import ReadOnlyDatabase
from copilot.sql.values import (
    ValueMatch,
    describe_values,
    find_values,
    lookup_sql,
    question_phrases,
    text_columns,
)

CARD = """Table river in database geo.
Rows: 3. Primary key: none.
Columns:
- river_name (TEXT) Examples: mississippi, missouri.
- length (INTEGER) Examples: 3778.
- traverse (VARCHAR(40)) Examples: montana.
- mouth_date (DATE)
Foreign keys: traverse -> state(state_name)."""

SCHEMA = [
    "CREATE TABLE state (state_name VARCHAR(40), population INT, capital VARCHAR(40))",
    "CREATE TABLE river (river_name VARCHAR(40), length INT, traverse VARCHAR(40))",
]
ROWS = [
    "INSERT INTO state VALUES ('missouri', 5000, 'jefferson city')",
    "INSERT INTO state VALUES ('New York', 18000, 'albany')",
    "INSERT INTO state VALUES ('texas', 20000, 'austin')",
    "INSERT INTO river VALUES ('missouri', 3700, 'montana')",
    "INSERT INTO river VALUES ('mississippi', 3778, 'missouri')",
]
COLUMNS = {"state": ["state_name", "capital"], "river": ["river_name", "traverse"]}


def _seed(url: str) -> ReadOnlyDatabase:
    engine = create_engine(url)
    with engine.begin() as conn:
        for statement in SCHEMA + ROWS:
            conn.execute(text(statement))
    engine.dispose()
    return ReadOnlyDatabase(url, row_limit=50, timeout_s=5)


@pytest.fixture
def geo(tmp_path: Path) -> ReadOnlyDatabase:
    return _seed(f"sqlite:///{tmp_path / 'geo.sqlite'}")


def test_phrases_are_longest_first_without_stopword_only_ones() -> None:
    phrases = question_phrases("What rivers run through New York?")
    assert phrases[:2] == ["what rivers run", "rivers run through"]  # three words first
    assert "new york" in phrases and "york" in phrases
    assert "what" not in phrases  # a stopword alone is never looked up
    assert phrases.index("new york") < phrases.index("york")
    assert len(question_phrases(" ".join(f"w{i}" for i in range(50)), limit=20)) == 20


def test_text_columns_come_from_the_card_types() -> None:
    assert text_columns(CARD) == ["river_name", "traverse"]


def test_lookup_sql_quotes_identifiers_and_binds_values() -> None:
    assert lookup_sql("sqlite", "qmark", "state", "state_name", 2) == (
        'SELECT DISTINCT "state_name" FROM "state" WHERE LOWER("state_name") IN (?, ?)'
    )
    assert lookup_sql("mysql", "format", "order", "name", 1) == (
        "SELECT DISTINCT `name` FROM `order` WHERE LOWER(`name`) IN (%s)"
    )


def test_values_are_found_case_insensitively_and_spelled_as_stored(
    geo: ReadOnlyDatabase,
) -> None:
    phrases = question_phrases("what is the population of new york and missouri")
    matches = find_values(geo, COLUMNS, phrases)
    assert ValueMatch("state", "state_name", "New York", "new york") in matches
    # "missouri" is both a state and a river: the model is told about both
    assert {(m.table, m.column) for m in matches if m.value == "missouri"} == {
        ("state", "state_name"),
        ("river", "river_name"),
        ("river", "traverse"),
    }
    lines = describe_values(matches)
    assert '- "New York" is a value of state.state_name' in lines
    assert '"missouri" is a value of state.state_name, river.river_name, river.traverse' in lines


def test_a_shorter_phrase_inside_a_longer_match_is_dropped(geo: ReadOnlyDatabase) -> None:
    with sqlite3.connect(geo._sqlite_uri.replace("?mode=ro", ""), uri=True) as conn:
        conn.execute("INSERT INTO state VALUES ('york', 1, 'x')")
    matches = find_values(geo, COLUMNS, question_phrases("rivers in new york"))
    assert [m.value for m in matches] == ["New York"]


def test_a_quote_in_the_question_is_a_value_not_sql(geo: ReadOnlyDatabase) -> None:
    phrases = ["x') OR 1=1 --", "texas"]
    assert [m.value for m in find_values(geo, COLUMNS, phrases)] == ["texas"]


def test_a_failing_column_is_skipped_not_fatal(geo: ReadOnlyDatabase) -> None:
    columns = {"no_such_table": ["name"], "state": ["state_name"]}
    assert [m.value for m in find_values(geo, columns, ["texas"])] == ["texas"]
    assert find_values(geo, COLUMNS, []) == []


def test_lookups_are_bounded_by_max_columns(geo: ReadOnlyDatabase) -> None:
    matches = find_values(geo, COLUMNS, ["montana", "texas"], max_columns=1)
    assert [m.value for m in matches] == ["texas"]  # only state.state_name was queried


@pytest.mark.parametrize("service", ["postgres_url", "mariadb_url"])
def test_value_linking_on_servers(service: str, request: pytest.FixtureRequest) -> None:
    database = _seed(request.getfixturevalue(service))
    try:
        matches = find_values(database, COLUMNS, question_phrases("rivers in NEW YORK"))
        assert [(m.table, m.column, m.value) for m in matches] == [
            ("state", "state_name", "New York")
        ]
    finally:
        database.close()
