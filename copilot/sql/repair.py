"""What to tell the model when its query fails or finds nothing, so a repair can succeed.

A small model given only "no such column: T2.river_name" writes the same query again (we saw
it do so three times in a row on the text2sql benchmark). The database knows which column is
missing; the schema cards know which table has it. Naming both ("river_name is a column of
river; T2 is city, whose columns are ...") turns most of those dead ends into a working query.
Pure functions over the error text, the query and the shown tables' columns: no model, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import sqlglot
from sqlglot import exp

# "no such column: T2.x" (SQLite), 'column t2.x does not exist' / 'column "x" does not exist'
# (PostgreSQL), "Unknown column 'T2.x' in 'field list'" (MariaDB/MySQL).
_MISSING_COLUMN = (
    re.compile(r"no such column: ([\w.\"`]+)", re.IGNORECASE),
    re.compile(r"column ([\w.\"`]+) does not exist", re.IGNORECASE),
    re.compile(r"unknown column '([^']+)'", re.IGNORECASE),
)
_MISSING_TABLE = (
    re.compile(r"no such table: ([\w.\"`]+)", re.IGNORECASE),
    re.compile(r"relation ([\w.\"`]+) does not exist", re.IGNORECASE),
    re.compile(r"table '([^']+)' doesn't exist", re.IGNORECASE),
)

NO_ROWS = (
    "That query ran but returned no rows. If the question expects an answer, a condition is "
    "probably wrong: compare each value with the column that stores it (see the values listed "
    "with the question) and check the joins. Write a corrected query."
)


def repair_message(
    error: str, sql: str, columns: Mapping[str, Sequence[str]], dialect: str | None = None
) -> str:
    """The repair turn: the database's error, then what the shown schema says about it."""
    hints = [*_column_hints(error, sql, columns, dialect), *_table_hints(error, columns)]
    return "\n".join([f"That query failed: {error}", *hints, "Write a corrected query."])


def _column_hints(
    error: str, sql: str, columns: Mapping[str, Sequence[str]], dialect: str | None
) -> list[str]:
    missing = _first_match(_MISSING_COLUMN, error)
    if missing is None:
        return []
    qualifier, _, column = missing.rpartition(".")
    owners = [t for t, names in columns.items() if column.lower() in _lower(names)]
    by_lower = {t.lower(): t for t in columns}
    hints = [
        f"{column} is a column of {', '.join(owners)}."
        if owners
        else f"No table shown has a column named {column}."
    ]
    aliases = _aliases(sql, dialect)
    if qualifier and qualifier.lower() not in aliases and qualifier.lower() in by_lower:
        hints.append(f"{by_lower[qualifier.lower()]} is not in the query's FROM clause: join it.")
    alias, spelled = aliases.get(qualifier.lower(), (qualifier, ""))
    table = by_lower.get(spelled.lower())
    if table is not None:
        same = alias.lower() == table.lower()
        alias = f"{table}'s" if same else f"{alias} is {table}, whose"
        hints.append(f"{alias} columns are: {', '.join(columns[table])}.")
    return hints


def _table_hints(error: str, columns: Mapping[str, Sequence[str]]) -> list[str]:
    if _first_match(_MISSING_TABLE, error) is None:
        return []
    return [f"The tables you may use are: {', '.join(columns)}."]


def _first_match(patterns: Sequence[re.Pattern[str]], error: str) -> str | None:
    for pattern in patterns:
        found = pattern.search(error)
        if found:
            return found.group(1).replace('"', "").replace("`", "")
    return None


def _aliases(sql: str, dialect: str | None) -> dict[str, tuple[str, str]]:
    """Alias (and bare name), lower-cased, -> (it as the query spells it, its table)."""
    try:
        tree = sqlglot.parse_one(sql, read=dialect or None)
    except sqlglot.errors.ParseError:
        return {}
    found: dict[str, tuple[str, str]] = {}
    for table in tree.find_all(exp.Table):
        found[table.name.lower()] = (table.name, table.name)
        if table.alias:
            found[table.alias.lower()] = (table.alias, table.name)
    return found


def _lower(names: Sequence[str]) -> set[str]:
    return {n.lower() for n in names}
