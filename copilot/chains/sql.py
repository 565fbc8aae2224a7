"""SQL chain: numbers from the company's databases, safely.

Steps: find the schema cards relevant to the question (only tables the principal may read),
show the model those cards and the most similar verified question-to-SQL examples, take one
SELECT, guard it (sqlglot: one statement, SELECT only, allowed tables only, a LIMIT), run it
on a read-only connection, and repair at most ``max_repairs`` times from the database's own
error. The answer cites the result (with its SQL) and the tables' schema cards.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from copilot.chains.base import Chain, ChainContext
from copilot.config import SqlConfig
from copilot.errors import ConfigError, CopilotError
from copilot.llm import ChatMessage, ChatModel
from copilot.sql.guard import SqlRefused, guard_sql
from copilot.sql.readonly import QueryResult, ReadOnlyDatabase, SqlExecutionError
from copilot.types import Access, Draft, Evidence, Principal
from indexes.catalog import Catalog
from indexes.embeddings import Embedder
from indexes.retriever import Retriever

_FENCE = re.compile(r"```(?:sql)?\s*(.*?)```", re.DOTALL | re.IGNORECASE)
CANNOT = "I couldn't answer that from the databases you can query."


@dataclass(frozen=True)
class SqlExample:
    question: str
    sql: str


def load_examples(path: Path | None) -> list[SqlExample]:
    """Verified question-to-SQL pairs (YAML list of {question, sql}); none if no file."""
    if path is None:
        return []
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        return [SqlExample(str(e["question"]), str(e["sql"]).strip()) for e in raw]
    except (OSError, yaml.YAMLError, KeyError, TypeError) as exc:
        raise ConfigError(f"SQL examples file {path} is unreadable: {exc}") from exc


def extract_sql(reply: str) -> str:
    """The SQL in a reply: a fenced block if there is one, else the text from SELECT/WITH."""
    fenced = _FENCE.search(reply)
    text = fenced.group(1) if fenced else reply
    start = re.search(r"\b(SELECT|WITH)\b", text, re.IGNORECASE)
    return (text[start.start() :] if start else text).strip().rstrip(";").strip()


def result_table(result: QueryResult, limit: int = 20) -> str:
    """A compact text table of the rows (what the model reads and the citation shows)."""
    lines = [" | ".join(result.columns)]
    lines += [
        " | ".join("NULL" if v is None else str(v) for v in row) for row in result.rows[:limit]
    ]
    if len(result.rows) > limit or result.truncated:
        lines.append(f"(showing {min(limit, len(result.rows))} rows; more exist)")
    return "\n".join(lines)


def _only_for(principal: Principal) -> Access:
    """Results computed for one principal are shown to that principal only."""
    return Access(users=frozenset(m.email for m in principal.members))


class SqlChain(Chain):
    route = "sql"

    def __init__(
        self,
        retriever: Retriever,
        catalog: Catalog,
        chat: ChatModel,
        embedder: Embedder,
        databases: dict[str, ReadOnlyDatabase],
        config: SqlConfig,
        examples: Sequence[SqlExample] = (),
    ) -> None:
        self._retriever = retriever
        self._catalog = catalog
        self._chat = chat
        self._embedder = embedder
        self._databases = databases
        self._config = config
        self._examples = list(examples)

    def _run(self, question: str, context: ChainContext) -> Draft:
        with context.timed("retrieve"):
            cards = self._retriever.search(
                question, context.principal, k=5, kinds=frozenset({"table"})
            )
        source = self._database_of(cards)
        if source is None:
            return Draft(text=CANNOT, evidence=(), route="sql", refused=True)
        cards = [c for c in cards if c.source_id.startswith(f"db:{source}.")]
        allowed = self._allowed_tables(source, context.principal)
        with context.timed("generate"):
            sql, result = self._query(question, cards, source, allowed)
        if result is None:
            return Draft(text=CANNOT, evidence=tuple(cards), route="sql", sql=sql, refused=True)
        evidence = self._result_evidence(source, sql, result, context.principal)
        with context.timed("generate"):
            text = self._summarise(question, sql, result)
        return Draft(text=text, evidence=(evidence, *cards), route="sql", sql=sql)

    def _database_of(self, cards: Sequence[Evidence]) -> str | None:
        for card in cards:
            source = card.source_id.removeprefix("db:").split(".", 1)[0]
            if source in self._databases:
                return source
        return None

    def _allowed_tables(self, source: str, principal: Principal) -> set[str]:
        prefix = f"db:{source}."
        return {
            table
            for doc_id, (table, access) in self._catalog.table_access().items()
            if doc_id.startswith(prefix) and access.allows(principal)
        }

    def _query(
        self, question: str, cards: Sequence[Evidence], source: str, allowed: set[str]
    ) -> tuple[str | None, QueryResult | None]:
        database = self._databases[source]
        messages = self._prompt(question, cards, database.dialect)
        sql: str | None = None
        for _attempt in range(1 + self._config.max_repairs):
            reply = self._chat.complete(messages, max_tokens=300).text
            candidate = extract_sql(reply)
            try:
                guarded = guard_sql(
                    candidate,
                    dialect=database.dialect,
                    allowed_tables=allowed,
                    row_limit=self._config.row_limit,
                )
                sql = guarded.sql
                return sql, database.run(guarded.sql)
            except (SqlRefused, SqlExecutionError) as exc:
                messages = [
                    *messages,
                    ChatMessage("assistant", f"```sql\n{candidate}\n```"),
                    ChatMessage("user", f"That query failed: {exc}\nWrite a corrected query."),
                ]
        return sql, None

    def _prompt(self, question: str, cards: Sequence[Evidence], dialect: str) -> list[ChatMessage]:
        schema = "\n\n".join(card.text for card in cards)
        system = (
            f"You write one {dialect} SELECT query that answers the question, using only the "
            "tables and columns described. Reply with the SQL in a ```sql block and nothing else."
        )
        shots: list[ChatMessage] = []
        for example in self._similar_examples(question):
            shots += [
                ChatMessage("user", f"Question: {example.question}"),
                ChatMessage("assistant", f"```sql\n{example.sql}\n```"),
            ]
        user = ChatMessage("user", f"Question: {question}")
        return [ChatMessage("system", f"{system}\n\nSchema:\n{schema}"), *shots, user]

    def _similar_examples(self, question: str, k: int = 3) -> list[SqlExample]:
        if not self._examples:
            return []
        examples = np.stack([self._embedder.embed_query(e.question) for e in self._examples])
        scores = examples @ self._embedder.embed_query(question)
        ranked = sorted(range(len(self._examples)), key=lambda i: -float(scores[i]))
        return [self._examples[i] for i in ranked[:k]]

    def _result_evidence(
        self, source: str, sql: str | None, result: QueryResult, principal: Principal
    ) -> Evidence:
        table = result_table(result)
        return Evidence(
            source_id=f"sql:{source}",
            kind="sql",
            title=f"Query result from {source}",
            url="",
            text=f"SQL: {sql}\nResult:\n{table}",
            access=_only_for(principal),
            relevance=1.0,
        )

    def _summarise(self, question: str, sql: str | None, result: QueryResult) -> str:
        if not result.rows:
            return "The query returned no rows [1]."
        system = (
            "Answer the question in one or two sentences using only the query result. "
            "Copy numbers and names exactly as they appear in the result. End with [1]."
        )
        user = f"Question: {question}\nSQL: {sql}\nResult:\n{result_table(result)}"
        try:
            reply = self._chat.complete(
                [ChatMessage("system", system), ChatMessage("user", user)], max_tokens=120
            ).text.strip()
        except CopilotError:
            reply = ""
        return reply if "[1]" in reply else f"{reply or 'The result'} [1]".strip()
