"""Value linking: which words of the question are values stored in the database.

A small model writes ``WHERE state = 'Arkansas'`` when the column holds ``arkansas``, or
filters the wrong column because "missouri" is a river as well as a state. Text-to-SQL
systems (BRIDGE, Lin et al. 2020; CHESS, Talaei et al. 2024) fix much of this by looking the
question's phrases up in the data and telling the model where they occur, spelled as stored.

Here: the question's 1- to 3-word phrases (longest first, capped) are compared,
case-insensitively and exactly, with the text columns of the tables the model is shown. The
lookups are bounded: only text columns of those tables, at most ``max_columns`` queries, bound
parameters (the question never becomes SQL text), a few values per column, and each query runs
through ``ReadOnlyDatabase`` with its read-only connection and statement timeout. A column
whose lookup fails is skipped: value links are a hint, never a reason to fail the question.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlglot import exp

from copilot.sql.readonly import QueryResult, SqlExecutionError

log = logging.getLogger(__name__)

_WORD = re.compile(r"\w+(?:['&-]\w+)*")
# A schema card's column line: "- NAME (TYPE...)"; see connectors/database.py.
_COLUMN_LINE = re.compile(r"^- (?P<name>[^\s(]+) \((?P<type>[A-Za-z][A-Za-z0-9_ ]*)", re.MULTILINE)
_TEXT_TYPES = ("CHAR", "TEXT", "CLOB", "STRING", "ENUM", "CITEXT")
# Words that are never worth a lookup on their own (a phrase of only these is skipped).
_STOPWORD_TEXT = """a an the of in on at to for from by with and or not no is are was were be
    been do does did what which who whom whose where when why how many much me my i we you
    your our it its
    this that these those there their them they give show list name tell find all any some
    most least more less than per each every has have had can could should would will please
    about into over under between as if then so than out up down"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())


class _Queryable(Protocol):
    """What value linking needs of a database (``ReadOnlyDatabase`` has it)."""

    @property
    def dialect(self) -> str: ...

    @property
    def paramstyle(self) -> str: ...

    def run(self, sql: str, params: Sequence[object] = ()) -> QueryResult: ...


@dataclass(frozen=True)
class ValueMatch:
    """``value`` (as stored) of ``table.column`` equals the question's ``phrase``."""

    table: str
    column: str
    value: str
    phrase: str


def question_phrases(question: str, *, max_words: int = 3, limit: int = 60) -> list[str]:
    """Distinct lower-case 1..``max_words``-word phrases, longest first, at most ``limit``.

    Phrases made only of stopwords are dropped: "the" or "how many" are never useful values,
    and each phrase costs a place in every lookup.
    """
    words = _WORD.findall(question.lower())
    phrases: list[str] = []
    for size in range(max_words, 0, -1):
        for start in range(len(words) - size + 1):
            gram = words[start : start + size]
            phrase = " ".join(gram)
            if all(w in _STOPWORDS for w in gram) or phrase in phrases:
                continue
            if size == 1 and len(phrase) < 2:
                continue
            phrases.append(phrase)
    return phrases[:limit]


def card_columns(card_text: str) -> list[str]:
    """Every column name a schema card lists, in order."""
    return [m.group("name") for m in _COLUMN_LINE.finditer(card_text)]


def text_columns(card_text: str) -> list[str]:
    """The text-typed columns a schema card lists (numbers and dates never hold names)."""
    return [
        match.group("name")
        for match in _COLUMN_LINE.finditer(card_text)
        if any(kind in match.group("type").upper() for kind in _TEXT_TYPES)
    ]


def lookup_sql(dialect: str, paramstyle: str, table: str, column: str, count: int) -> str:
    """``SELECT DISTINCT col FROM table WHERE LOWER(col) IN (?, ...)`` for this dialect.

    Identifiers are quoted by sqlglot for the dialect; values travel as bound parameters in
    the driver's style (``?`` for sqlite3, ``%s`` for psycopg and PyMySQL).
    """
    marker = "?" if paramstyle == "qmark" else "%s"
    col = exp.to_identifier(column, quoted=True).sql(dialect=dialect)
    tab = exp.to_identifier(table, quoted=True).sql(dialect=dialect)
    markers = ", ".join([marker] * count)
    return f"SELECT DISTINCT {col} FROM {tab} WHERE LOWER({col}) IN ({markers})"


def find_values(
    database: _Queryable,
    columns: Mapping[str, Sequence[str]],
    phrases: Sequence[str],
    *,
    max_columns: int = 40,
    per_column: int = 3,
) -> list[ValueMatch]:
    """Look ``phrases`` up in the text ``columns`` (table -> column names) of ``database``."""
    if not phrases:
        return []
    matches: list[ValueMatch] = []
    pairs = [(table, column) for table, cols in columns.items() for column in cols]
    for table, column in pairs[:max_columns]:
        sql = lookup_sql(database.dialect, database.paramstyle, table, column, len(phrases))
        try:
            result = database.run(sql, list(phrases))
        except SqlExecutionError as exc:  # a hint is optional; the question goes on without it
            log.info("value lookup in %s.%s skipped: %s", table, column, exc)
            continue
        for (value,) in result.rows[:per_column]:
            if isinstance(value, str):
                matches.append(ValueMatch(table, column, value, value.lower()))
    return _longest_only(matches)


def _longest_only(matches: list[ValueMatch]) -> list[ValueMatch]:
    """Drop matches whose phrase lies inside a longer matched phrase ("york" in "new york")."""
    phrases = {m.phrase for m in matches}
    return [
        m
        for m in matches
        if not any(m.phrase != other and f" {m.phrase} " in f" {other} " for other in phrases)
    ]


def describe_values(matches: Sequence[ValueMatch], limit: int = 12) -> str:
    """Prompt lines: each stored value and the columns that hold it, spelled as stored."""
    where: dict[str, list[str]] = {}
    for match in matches:
        where.setdefault(match.value, []).append(f"{match.table}.{match.column}")
    lines = [
        f'- "{value}" is a value of {", ".join(columns)}'
        for value, columns in list(where.items())[:limit]
    ]
    return "\n".join(lines)
