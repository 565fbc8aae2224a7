"""The LangChain SQL baseline: ``create_sql_query_chain`` writes the SQL, and we run it.

That is LangChain's documented question-to-SQL chain with its default prompt (the dialect's
prompt, schema plus three sample rows per table from ``SQLDatabase``, ``k=5``) and nothing
of ours: no table selection, no examples, no value linking, no guard, no repair. Its SQL is
run as the docs run it, after the cleanup their tutorials do (a markdown fence or a leading
``SQLQuery:`` removed); the rows are the answer. The model is ours for SQL (``llm_sql_model``
or the embedded server's SQL model) on the same server.

The database is opened read-only, by ``copilot.sql.ReadOnlyDatabase`` (SQLite ``mode=ro``,
read-only transactions on servers), with the workspace's row cap and timeout: a baseline may
write any SQL, and it must never change the sample data nor hang the run. The schema the
chain reads goes through a read-only SQLite URI too.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from copilot.config import DatabaseSource, Settings, SqlConfig
from copilot.llm import langchain_chat, one_line, sql_model
from copilot.sql import ReadOnlyDatabase
from eval.baselines import BaselineAnswer

_FENCE = re.compile(r"```[a-zA-Z]*\s*(.*?)(?:```|$)", re.DOTALL)
_LABEL = re.compile(r"SQLQuery:\s*", re.IGNORECASE)
SHOWN_ROWS = 10  # rows rendered into the text; ``rows`` has them all


def database_urls(settings: Settings) -> dict[str, str]:
    """Source name -> SQLAlchemy URL of each database source in the workspace (with
    ``{workspace}`` and ``${VAR}`` already expanded by ``WorkspaceConfig``)."""
    return {s.name: s.url for s in settings.ws.sources if isinstance(s, DatabaseSource)}


def clean_sql(raw: str) -> str:
    """The SQL in the chain's output: inside a markdown fence if there is one, after the last
    ``SQLQuery:`` label (a small model repeats the prompt's ``Question:`` line first, as the
    chain's format shows it), and cut before ``SQLResult:`` (the chain's stop word, which some
    servers ignore). Nothing else is changed."""
    text = raw.strip()
    fenced = _FENCE.search(text)
    if fenced:
        text = fenced.group(1)
    text = _LABEL.split(text)[-1]
    return text.split("SQLResult:", 1)[0].strip()


def render_rows(columns: list[str], rows: tuple[tuple[object, ...], ...]) -> str:
    """A short text of the result: a header, the first rows, and the count."""
    if not rows:
        return "The query returned no rows."
    lines = [" | ".join(columns)] if columns else []
    lines += [" | ".join(str(v) for v in row) for row in rows[:SHOWN_ROWS]]
    more = f", {SHOWN_ROWS} shown" if len(rows) > SHOWN_ROWS else ""
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''}{more})")
    return "\n".join(lines)


def readonly_schema_url(url: str) -> str:
    """``url`` for reading the schema; a SQLite file as a read-only URI, so even the
    framework's own introspection cannot write (servers: the URL as it is)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return url
    file_uri = Path(str(parsed.database)).resolve().as_uri()  # percent-encoded, as SQLite wants
    readonly = parsed.set(database=file_uri, query={"mode": "ro", "uri": "true"})
    return readonly.render_as_string(hide_password=False)


class LangChainSqlBaseline:
    """One database's SQL chain; built on the first question, so an unreachable database or
    model is that question's ``error`` rather than a failure to start the evaluation."""

    def __init__(self, settings: Settings, base_url: str, database_url: str) -> None:
        self._settings = settings
        self._base_url = base_url
        self._url = database_url
        self._source = _source_name(settings, database_url)
        self._chain: Any | None = None
        self._database: ReadOnlyDatabase | None = None

    def answer(self, question: str) -> BaselineAnswer:
        """Ask the chain for SQL, run it read-only, and return the rows; every failure (the
        model, the framework, the database) is returned as ``error``."""
        started = time.perf_counter()
        sql: str | None = None
        try:
            sql = clean_sql(str(self._sql_chain().invoke({"question": question})))
            result = self._readonly_database().run(sql)
        except Exception as exc:  # a baseline's failure is a result, never a crash
            return BaselineAnswer(
                text="",
                source_ids=(),
                sql=sql,
                error=f"{type(exc).__name__}: {one_line(str(exc))}",
                total_ms=_ms_since(started),
            )
        rows = tuple(tuple(row) for row in result.rows)
        return BaselineAnswer(
            text=render_rows(result.columns, rows),
            source_ids=self._tables_read(sql),
            sql=sql,
            rows=rows,
            total_ms=_ms_since(started),
        )

    def _sql_chain(self) -> Any:
        if self._chain is None:
            from langchain_classic.chains import create_sql_query_chain
            from langchain_community.utilities import SQLDatabase

            llm = langchain_chat(self._settings, self._base_url, model=sql_model(self._settings))
            database = SQLDatabase.from_uri(readonly_schema_url(self._url))
            self._chain = create_sql_query_chain(llm, database)
        return self._chain

    def _readonly_database(self) -> ReadOnlyDatabase:
        if self._database is None:
            limits = self._settings.workspace.sql if self._settings.workspace else SqlConfig()
            self._database = ReadOnlyDatabase(
                self._url, row_limit=limits.row_limit, timeout_s=limits.timeout_s
            )
        return self._database

    def _tables_read(self, sql: str) -> tuple[str, ...]:
        """Our ids (``db:{source}.{table}``) of the tables the SQL reads: the sources the
        answer used, so a read of a table the asker may not see counts as a leak."""
        if self._source is None:
            return ()
        import sqlglot
        from sqlglot import exp

        try:
            tree = sqlglot.parse_one(sql, dialect=self._readonly_database().dialect)
        except sqlglot.errors.ParseError:
            return ()
        ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
        names = (t.name for t in tree.find_all(exp.Table) if t.name and t.name not in ctes)
        return tuple(dict.fromkeys(f"db:{self._source}.{name}" for name in names))


def _source_name(settings: Settings, url: str) -> str | None:
    """The workspace's name for the database at ``url`` (None when it is not a source)."""
    if settings.workspace is None:
        return None
    return next((name for name, known in database_urls(settings).items() if known == url), None)


def _ms_since(started: float) -> float:
    return (time.perf_counter() - started) * 1000
