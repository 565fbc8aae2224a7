"""Repair hints: what the database's error and the shown schema say about a failed query."""

from __future__ import annotations

import pytest

from copilot.sql.repair import misplaced_values, repair_message, requalified
from copilot.sql.values import card_columns

COLUMNS = {
    "city": ["city_name", "population", "state_name"],
    "state": ["state_name", "capital", "area"],
}
QUERY = "SELECT T2.state_name FROM city AS T1 JOIN state AS T2 ON T1.capital = T2.capital"


@pytest.mark.parametrize(
    ("error", "dialect"),
    [
        ("the database refused the query: no such column: T1.capital", "sqlite"),
        ("the database refused the query: column t1.capital does not exist", "postgres"),
        ("the database refused the query: Unknown column 'T1.capital' in 'on clause'", "mysql"),
    ],
)
def test_a_missing_column_is_located_and_the_alias_explained(error: str, dialect: str) -> None:
    message = repair_message(error, QUERY, COLUMNS, dialect)
    assert message.startswith(f"That query failed: {error}")
    assert "capital is a column of state." in message
    assert "T1 is city, whose columns are: city_name, population, state_name." in message
    assert message.endswith("Write a corrected query.")


def test_a_column_no_table_has_is_said_to_be_absent() -> None:
    message = repair_message("no such column: size", "SELECT size FROM state", COLUMNS)
    assert "No table shown has a column named size." in message
    assert "whose columns" not in message  # unqualified: no alias to explain


def test_an_unqualified_column_of_a_named_table_lists_that_tables_columns() -> None:
    message = repair_message("no such column: state.size", "SELECT state.size FROM state", COLUMNS)
    assert "state's columns are: state_name, capital, area." in message


def test_a_missing_table_lists_the_tables_that_may_be_used() -> None:
    message = repair_message("no such table: cities", "SELECT * FROM cities", COLUMNS)
    assert "The tables you may use are: city, state." in message


def test_other_errors_get_no_invented_hint() -> None:
    message = repair_message('near "FORM": syntax error', "SELECT 1 FORM x", COLUMNS)
    assert message == 'That query failed: near "FORM": syntax error\nWrite a corrected query.'


def test_card_columns_reads_the_connectors_column_lines() -> None:
    card = "Table city in database geo.\nColumns:\n- city_name (TEXT) Examples: a.\n- pop (INTEGER)"
    assert card_columns(card) == ["city_name", "pop"]


def test_a_column_of_a_table_the_query_never_joined_says_to_join_it() -> None:
    query = "SELECT COUNT(*) FROM city WHERE state.area > 5"
    message = repair_message("no such column: state.area", query, COLUMNS)
    assert "state is not in the query's FROM clause: join it." in message


STORED = {"idaho": ["state.state_name"], "boise": ["city.city_name"]}
PLACES = {**COLUMNS, "lake": ["lake_name", "area", "state_name"]}


@pytest.mark.parametrize(
    ("sql", "hint"),
    [
        (
            "SELECT area FROM lake WHERE lake_name = 'idaho'",
            '"idaho" is stored in state.state_name, not in lake.lake_name.',
        ),
        (
            "SELECT T1.area FROM state AS T1 WHERE 'Idaho' = T1.state_name",
            'state.state_name stores "Idaho" as "idaho".',
        ),
        (
            "SELECT c.population FROM city AS c JOIN state AS s ON c.state_name = s.state_name"
            " WHERE s.capital IN ('boise')",
            '"boise" is stored in city.city_name, not in state.capital.',
        ),
    ],
)
def test_a_question_value_in_the_wrong_column_or_spelling_is_named(sql: str, hint: str) -> None:
    assert misplaced_values(sql, STORED, PLACES, "sqlite") == [hint]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT area FROM state WHERE state_name = 'idaho'",  # right column, as stored
        "SELECT area FROM lake WHERE lake_name = 'coeur d alene'",  # not a question value
        "SELECT area FROM state, lake WHERE state_name = 'idaho'",  # ambiguous: no guess
        "SELECT area FROM state WHERE",  # unparsable: no hint rather than a wrong one
    ],
)
def test_no_hint_without_a_clear_mismatch(sql: str) -> None:
    assert misplaced_values(sql, STORED, PLACES, "sqlite") == []


DINING = {
    "RESTAURANT": ["ID", "NAME", "FOOD_TYPE", "CITY_NAME"],
    "GEOGRAPHIC": ["CITY_NAME", "REGION"],
}


@pytest.mark.parametrize(
    ("sql", "fixed"),
    [
        (
            "SELECT COUNT(T2.ID) FROM RESTAURANT AS T1 JOIN GEOGRAPHIC AS T2 "
            "ON T1.CITY_NAME = T2.CITY_NAME WHERE T1.REGION = 'bay area'",
            "SELECT COUNT(T1.ID) FROM RESTAURANT AS T1 JOIN GEOGRAPHIC AS T2 "
            "ON T1.CITY_NAME = T2.CITY_NAME WHERE T2.REGION = 'bay area'",
        ),
        (
            "SELECT GEOGRAPHIC.NAME FROM RESTAURANT JOIN GEOGRAPHIC "
            "ON RESTAURANT.CITY_NAME = GEOGRAPHIC.CITY_NAME",
            "SELECT RESTAURANT.NAME FROM RESTAURANT JOIN GEOGRAPHIC "
            "ON RESTAURANT.CITY_NAME = GEOGRAPHIC.CITY_NAME",
        ),
    ],
)
def test_a_column_under_the_wrong_alias_moves_to_the_table_that_has_it(
    sql: str, fixed: str
) -> None:
    assert requalified(sql, DINING, "sqlite") == fixed


@pytest.mark.parametrize(
    "sql",
    [
        # Runs as written: never touched, even though the model may have meant otherwise.
        "SELECT T2.CITY_NAME FROM RESTAURANT AS T1 JOIN GEOGRAPHIC AS T2 ON T1.ID = 1",
        # No table of the query has it: the database's error and its hint do the work.
        "SELECT T1.RATING FROM RESTAURANT AS T1 JOIN GEOGRAPHIC AS T2 ON T1.ID = 1",
        # T1 is a different table in the subquery: no guessing which one is meant.
        "SELECT T1.ID FROM GEOGRAPHIC AS T1 WHERE T1.CITY_NAME IN "
        "(SELECT T1.CITY_NAME FROM RESTAURANT AS T1)",
        # Two self-joined copies both have it: ambiguous.
        "SELECT T3.ID FROM RESTAURANT AS T1 JOIN RESTAURANT AS T2 ON T1.ID = T2.ID "
        "JOIN GEOGRAPHIC AS T3 ON T3.CITY_NAME = T1.CITY_NAME",
        "SELECT FROM WHERE",  # unparsable: returned as it came
    ],
)
def test_queries_that_run_or_are_ambiguous_are_left_alone(sql: str) -> None:
    assert requalified(sql, DINING, "sqlite") == sql
