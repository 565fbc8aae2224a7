"""The SQL chain's safety layer: a guard that checks SQL before it runs, and a database
wrapper that runs it read-only, limited and timed, inside the database itself."""

from copilot.sql.guard import GuardedSql, SqlRefused, guard_sql
from copilot.sql.readonly import (
    QueryResult,
    ReadOnlyDatabase,
    SqlExecutionError,
    readonly_role_sql,
)

__all__ = [
    "GuardedSql",
    "QueryResult",
    "ReadOnlyDatabase",
    "SqlExecutionError",
    "SqlRefused",
    "guard_sql",
    "readonly_role_sql",
]
