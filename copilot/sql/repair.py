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


def _parsed(sql: str, dialect: str | None) -> exp.Expr | None:
    try:
        return sqlglot.parse_one(sql, read=dialect or None)
    except sqlglot.errors.ParseError:
        return None


def _aliases(sql: str, dialect: str | None) -> dict[str, tuple[str, str]]:
    tree = _parsed(sql, dialect)
    return {} if tree is None else _aliases_in(tree)


def _aliases_in(tree: exp.Expr) -> dict[str, tuple[str, str]]:
    """Alias (and bare name), lower-cased, -> (it as the query spells it, its table)."""
    found: dict[str, tuple[str, str]] = {}
    for table in tree.find_all(exp.Table):
        found[table.name.lower()] = (table.name, table.name)
        if table.alias:
            found[table.alias.lower()] = (table.alias, table.name)
    return found


def _lower(names: Sequence[str]) -> set[str]:
    return {n.lower() for n in names}


def misplaced_values(
    sql: str,
    stored: Mapping[str, Sequence[str]],
    columns: Mapping[str, Sequence[str]],
    dialect: str | None = None,
) -> list[str]:
    """Why a query may have found nothing: a literal it compares with a column is one of the
    question's values (``stored``: value as stored -> the ``table.column`` places that hold
    it, from value linking) but not in that column, or spelled otherwise there.

    Value links were in the prompt, yet the 1.5B model still wrote ``lake_name = 'idaho'``
    with "idaho" listed as a value of state.state_name; naming the mismatch at the repair
    points at the one condition to change."""
    tree = _parsed(sql, dialect)
    if tree is None:
        return []
    by_value = {value.lower(): (value, places) for value, places in stored.items()}
    aliases = _aliases_in(tree)
    hints: list[str] = []
    for column, literal in _compared_literals(tree):
        known = by_value.get(literal.lower())
        place = _place(column, aliases, columns)
        if known is None or place is None:
            continue
        value, places = known
        if place.lower() not in _lower(places):
            hints.append(f'"{literal}" is stored in {", ".join(places)}, not in {place}.')
        elif literal != value:
            hints.append(f'{place} stores "{literal}" as "{value}".')
    return list(dict.fromkeys(hints))


def _compared_literals(tree: exp.Expr) -> list[tuple[exp.Column, str]]:
    """``column = 'text'`` (either side) and ``column IN ('text', ...)`` in the query."""
    pairs: list[tuple[exp.Column, str]] = []
    for equal in tree.find_all(exp.EQ):
        left, right = equal.left, equal.right
        if isinstance(right, exp.Column):
            left, right = right, left
        if isinstance(left, exp.Column) and isinstance(right, exp.Literal) and right.is_string:
            pairs.append((left, right.this))
    for within in tree.find_all(exp.In):
        if isinstance(within.this, exp.Column):
            pairs += [
                (within.this, e.this)
                for e in within.expressions
                if isinstance(e, exp.Literal) and e.is_string
            ]
    return pairs


def _place(
    column: exp.Column, aliases: Mapping[str, tuple[str, str]], columns: Mapping[str, Sequence[str]]
) -> str | None:
    """``table.column`` for a query column: by its qualifier, or, unqualified, the one table
    of the query whose shown columns include it."""
    by_lower = {t.lower(): t for t in columns}
    if column.table:
        table = by_lower.get(aliases.get(column.table.lower(), ("", column.table))[1].lower())
        return f"{table}.{column.name}" if table else None
    owners = [
        by_lower[spelled.lower()]
        for _, spelled in set(aliases.values())
        if spelled.lower() in by_lower
        and column.name.lower() in _lower(columns[by_lower[spelled.lower()]])
    ]
    return f"{owners[0]}.{column.name}" if len(set(owners)) == 1 else None


def requalified(sql: str, columns: Mapping[str, Sequence[str]], dialect: str | None = None) -> str:
    """The query with each misattributed column moved to the one table of the query that has
    it: ``T2.ID`` where T2 is GEOGRAPHIC (no ID) and T1 is RESTAURANT (has ID) becomes ``T1.ID``.

    The 1.5B model mixes up its own aliases often (on the text2sql benchmark's three-table
    questions, every attempt of a question failed this way, hints notwithstanding). Only a
    column its qualifier's table lacks is touched, so a query that would run is never
    changed; an alias that names different tables in different subqueries, or a column two
    of the query's tables have, is left alone for the database to reject."""
    tree = _parsed(sql, dialect)
    if tree is None:
        return sql
    by_lower = {t.lower(): t for t in columns}
    # Alias or bare name, lower-cased -> (how the query must refer to it, its table): a table
    # used under an alias is referred to by that alias only.
    scope: dict[str, set[tuple[str, str]]] = {}
    for table in tree.find_all(exp.Table):
        referred = (table.alias or table.name, by_lower.get(table.name.lower(), ""))
        for key in {table.name.lower(), referred[0].lower()}:
            scope.setdefault(key, set()).add(referred)
    unique = {
        key: ref for key, found in scope.items() if len(found) == 1 for ref in found if ref[1]
    }
    changed = False
    for column in tree.find_all(exp.Column):
        owner = unique.get(column.table.lower()) if column.table else None
        if owner is None or column.name.lower() in _lower(columns[owner[1]]):
            continue
        holders = {r for r, t in unique.values() if column.name.lower() in _lower(columns[t])}
        if len(holders) == 1:
            column.set("table", exp.to_identifier(holders.pop()))
            changed = True
    return tree.sql(dialect=dialect or None) if changed else sql
