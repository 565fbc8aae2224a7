"""The SQL guard: decide, before anything runs, whether model-written SQL may run at all.

The model writes SQL from a user's question, so the SQL is untrusted input. The guard parses
it with sqlglot (no I/O, no database) and lets through only one read-only query over tables
the asker may see, with a row limit the question cannot lift. Its refusals say *why*, because
they go back to the model for repair and may be shown to the user.

The guard is the first wall, not the only one: ``copilot.sql.readonly`` also runs every
query read-only inside the database, and operators give the copilot a SELECT-only role.

Table names compare case-insensitively. A qualified reference (``sales.orders``) must be
listed qualified, except under a default schema (``public``, ``main``), where the bare name
suffices; so ``mysql.user`` never passes because ``user`` happens to be allowed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from copilot.errors import CopilotError

DIALECTS = frozenset({"sqlite", "postgres", "mysql"})

# Statements that change data, schema, privileges, sessions or files. Looked for anywhere in
# the tree, because PostgreSQL allows ``WITH x AS (DELETE ... RETURNING *) SELECT ...``.
_FORBIDDEN_NODES: dict[type[exp.Expr], str] = {
    exp.Insert: "INSERT",
    exp.Update: "UPDATE",
    exp.Delete: "DELETE",
    exp.Merge: "MERGE",
    exp.Drop: "DROP",
    exp.Alter: "ALTER",
    exp.Create: "CREATE",
    exp.TruncateTable: "TRUNCATE",
    exp.Attach: "ATTACH",
    exp.Detach: "DETACH",
    exp.Pragma: "PRAGMA",
    exp.Copy: "COPY",
    exp.Grant: "GRANT",
    exp.Revoke: "REVOKE",
    exp.Set: "SET",
    exp.Use: "USE",
    exp.Transaction: "a transaction statement",
    exp.Commit: "COMMIT",
    exp.Rollback: "ROLLBACK",
    exp.LoadData: "LOAD DATA",
    exp.Kill: "KILL",
    exp.Command: "a command sqlglot cannot check (CALL, EXEC, EXPLAIN and the like)",
    exp.Into: "SELECT ... INTO (it writes a table or a file)",
    exp.Lock: "a locking clause (FOR UPDATE / FOR SHARE)",
}

# Functions that read or write files, reach other servers, stall the server, or change its
# settings. Compared lower-case; a prefix catches whole families (lo_*, pg_read_*, ...).
_DANGEROUS_FUNCTIONS = frozenset(
    {
        "load_extension",
        "readfile",
        "writefile",
        "edit",
        "fts3_tokenizer",
        "pg_read_file",
        "pg_read_binary_file",
        "pg_ls_dir",
        "pg_stat_file",
        "pg_sleep",
        "pg_sleep_for",
        "pg_sleep_until",
        "pg_terminate_backend",
        "pg_cancel_backend",
        "pg_reload_conf",
        "set_config",
        "nextval",
        "setval",
        "query_to_xml",
        "sleep",
        "benchmark",
        "load_file",
        "sys_exec",
        "sys_eval",
        "get_lock",
    }
)
_DANGEROUS_PREFIXES = ("lo_", "dblink", "pg_read_", "pg_ls_", "pg_file", "pragma_")

_SYSTEM_SCHEMAS = frozenset(
    {"information_schema", "pg_catalog", "pg_toast", "mysql", "performance_schema", "sys"}
)
_SYSTEM_PREFIXES = ("sqlite_", "pg_")
_DEFAULT_SCHEMAS = frozenset({"public", "main"})
_SHOWN_TABLES = 20
_ANSI = re.compile(r"\x1b\[[0-9;]*m")  # sqlglot underlines the bad token for terminals


class SqlRefused(CopilotError):
    """The SQL may not run; the message says why, so the model can repair it."""


@dataclass(frozen=True)
class GuardedSql:
    """SQL that passed the guard, rewritten with its row limit, and the tables it reads.

    ``limited`` is true when the guard added or lowered the limit: a result with exactly
    ``row_limit`` rows may then have been cut short, and the answer should say so.
    """

    sql: str
    tables: frozenset[str]
    limited: bool = False


def guard_sql(sql: str, *, dialect: str, allowed_tables: set[str], row_limit: int) -> GuardedSql:
    """Check ``sql`` and return it rewritten with a row limit, or raise ``SqlRefused``."""
    if dialect not in DIALECTS:
        raise SqlRefused(f"unknown SQL dialect {dialect!r}; expected one of {sorted(DIALECTS)}")
    if row_limit < 1:
        raise SqlRefused(f"the row limit must be at least 1, not {row_limit}")
    query = _single_query(sql, dialect)
    _refuse_forbidden_nodes(query)
    _refuse_dangerous_functions(query)
    tables = _check_tables(query, {t.lower() for t in allowed_tables})
    limited_query, limited = _apply_limit(query, row_limit)
    return GuardedSql(limited_query.sql(dialect=dialect), frozenset(tables), limited)


def _single_query(sql: str, dialect: str) -> exp.Query:
    """Parse ``sql`` into exactly one SELECT (or set operation of SELECTs)."""
    try:
        statements = [s for s in sqlglot.parse(sql, read=dialect) if s is not None]
    except (ParseError, TokenError) as exc:
        message = _ANSI.sub("", str(exc))
        raise SqlRefused(f"the SQL does not parse as {dialect}: {message}") from exc
    if not statements:
        raise SqlRefused("there is no SQL statement to run")
    if len(statements) > 1:
        raise SqlRefused(
            f"only one statement may run, and this SQL has {len(statements)}; "
            "send a single SELECT without semicolons between statements"
        )
    statement = statements[0]
    if not isinstance(statement, exp.Query):
        raise SqlRefused(
            f"only SELECT queries may run; this is {_describe(statement)}, which is refused"
        )
    return statement


def _describe(node: exp.Expr) -> str:
    for kind, name in _FORBIDDEN_NODES.items():
        if isinstance(node, kind):
            return name
    return f"an expression of kind {node.key.upper()}"


def _refuse_forbidden_nodes(query: exp.Query) -> None:
    """Refuse writes, DDL and locking anywhere, CTE bodies and subqueries included."""
    for node in query.walk():
        for kind, name in _FORBIDDEN_NODES.items():
            if isinstance(node, kind):
                raise SqlRefused(f"the SQL contains {name}; only read-only SELECT queries may run")
        if isinstance(node, exp.Select) and node.args.get("into") is not None:
            raise SqlRefused("SELECT ... INTO writes a table or a file and is refused")


def _function_name(node: exp.Func) -> str:
    if isinstance(node, exp.Anonymous):
        return str(node.name).lower()
    return node.sql_name().lower()


def _refuse_dangerous_functions(query: exp.Query) -> None:
    """Refuse functions that touch files, other servers, settings, or stall the server."""
    for node in query.find_all(exp.Func):
        name = _function_name(node)
        if name in _DANGEROUS_FUNCTIONS or name.startswith(_DANGEROUS_PREFIXES):
            raise SqlRefused(
                f"the function {name}() is refused: it can read or write files, reach other "
                "servers, change settings or stall the database"
            )


def _is_cte_reference(table: exp.Table) -> bool:
    """True when an unqualified name refers to a CTE visible where it is used."""
    if table.args.get("db") or table.args.get("catalog"):
        return False
    name = table.name.lower()
    node: exp.Expr | None = table.parent
    while node is not None:
        with_ = node.args.get("with_") or node.args.get("with")
        if isinstance(with_, exp.With) and any(
            cte.alias_or_name.lower() == name for cte in with_.expressions
        ):
            return True
        node = node.parent
    return False


def _qualified_name(table: exp.Table) -> str:
    parts = [table.catalog, table.db, table.name]
    return ".".join(p for p in parts if p).lower()


def _allowed_name(table: exp.Table, allowed: set[str]) -> str | None:
    """The allowed name ``table`` matches, or None; ``public.t`` matches an allowed ``t``."""
    qualified = _qualified_name(table)
    if qualified in allowed:
        return qualified
    schema = str(table.db).lower()
    bare = table.name.lower()
    if not table.catalog and schema in _DEFAULT_SCHEMAS and bare in allowed:
        return bare
    return None


def _is_system(table: exp.Table) -> bool:
    return str(table.db).lower() in _SYSTEM_SCHEMAS or table.name.lower().startswith(
        _SYSTEM_PREFIXES
    )


def _check_tables(query: exp.Query, allowed: set[str]) -> set[str]:
    """Every real table the query reads, each of which must be allowed."""
    read: set[str] = set()
    for table in query.find_all(exp.Table):
        if not isinstance(table.this, exp.Identifier) or _is_cte_reference(table):
            continue  # a table function (checked as a function) or a CTE
        name = _allowed_name(table, allowed)
        if name is None:
            refusal = _table_refusal(_qualified_name(table), _is_system(table), allowed)
            raise SqlRefused(refusal)
        read.add(name)
    return read


def _table_refusal(name: str, system: bool, allowed: set[str]) -> str:
    if system:
        reason = f"{name} is a system catalog, which queries may not read"
    else:
        reason = f"table {name} does not exist or you may not query it"
    shown = sorted(allowed)[:_SHOWN_TABLES]
    more = ", ..." if len(allowed) > _SHOWN_TABLES else ""
    return f"{reason}; tables you may query: {', '.join(shown) or 'none'}{more}"


def _literal_count(limit: exp.Expr | None) -> int | None:
    """The row count a LIMIT or FETCH FIRST asks for, when it is a plain integer."""
    if isinstance(limit, exp.Limit):
        value = limit.expression
    elif isinstance(limit, exp.Fetch):
        options = limit.args.get("limit_options")
        if options is not None and (options.args.get("percent") or options.args.get("with_ties")):
            return None
        value = limit.args.get("count") or exp.Literal.number(1)
    else:
        return None
    if isinstance(value, exp.Literal) and not value.is_string and value.this.isdigit():
        return int(value.this)
    return None


def _apply_limit(query: exp.Query, row_limit: int) -> tuple[exp.Query, bool]:
    """Add or lower the outermost limit so at most ``row_limit`` rows come back.

    A set operation without a limit is wrapped as a subquery so the limit covers the whole
    result, not its last branch. Anything but a plain integer (``LIMIT ALL``, a percent,
    ``WITH TIES``, an expression) is replaced by ``row_limit``.
    """
    current = query.args.get("limit")
    count = _literal_count(current)
    if count is not None and count <= row_limit:
        return query, False
    if current is None and isinstance(query, exp.SetOperation):
        wrapped = exp.select("*").from_(query.subquery("_guarded"))
        return wrapped.limit(row_limit), True
    query.set("limit", exp.Limit(expression=exp.Literal.number(row_limit)))
    return query, True
