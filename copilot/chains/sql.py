"""SQL chain: numbers from the company's databases, safely.

Steps: find the schema cards relevant to the question (only tables the principal may read),
add the cards of related tables (all of a small database's tables, else the tables the shown
ones reference by foreign key), look the question's phrases up among the stored values of
their text columns (``copilot.sql.values``), show the model all that and the most similar
verified question-to-SQL examples, take one SELECT, guard it (sqlglot: one statement, SELECT
only, allowed tables only, a LIMIT), run it on a read-only connection, and repair at most
``max_repairs`` times from the database's own error. With ``sql_candidates`` > 1, more
queries are sampled and the result most of them agree on wins (``copilot.sql.voting``). The
answer cites the result (with its SQL) and the tables' schema cards.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from copilot.chains.base import Chain, ChainContext
from copilot.config import Settings, SqlConfig
from copilot.errors import ConfigError, CopilotError
from copilot.llm import ChatMessage, ChatModel
from copilot.sql.guard import GuardedSql, SqlRefused, guard_sql
from copilot.sql.readonly import QueryResult, ReadOnlyDatabase, SqlExecutionError
from copilot.sql.repair import NO_ROWS, misplaced_values, repair_message, requalified
from copilot.sql.values import (
    ValueMatch,
    card_columns,
    describe_values,
    find_values,
    question_phrases,
    text_columns,
)
from copilot.sql.voting import Candidate, vote
from copilot.types import Access, Chunk, Draft, Evidence, Principal, ResultTable
from indexes.catalog import Catalog
from indexes.embeddings import Embedder
from indexes.retriever import Retriever

log = logging.getLogger(__name__)

_FENCE = re.compile(r"```(?:sql)?\s*(.*?)```", re.DOTALL | re.IGNORECASE)
_FOREIGN_KEY = re.compile(r"-> (\w+)\(")  # "Foreign keys: CITY_NAME -> GEOGRAPHIC(CITY_NAME)"
CANNOT = "I couldn't answer that from the databases you can query."


@dataclass(frozen=True)
class SqlOptions:
    """How the chain asks the model; each comes from a ``COPILOT_SQL_*`` setting.

    ``candidates`` queries per question (1: the greedy one only), the extra ones sampled at
    ``temperature``; ``all_tables_max``: a database with at most this many tables the user may
    read is shown whole; ``model``: the model name for writing SQL and the answer from its
    result (None: the main model). One model for the whole chain, because the embedded server
    holds one model at a time and a swap costs a reload and its prompt cache.
    """

    candidates: int = 1
    temperature: float = 0.7
    value_linking: bool = True
    all_tables_max: int = 8
    model: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings, model: str | None = None) -> SqlOptions:
        return cls(
            candidates=max(1, settings.sql_candidates),
            temperature=settings.sql_temperature,
            value_linking=settings.sql_value_linking,
            all_tables_max=settings.sql_all_tables_max,
            model=model,
        )


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


@dataclass(frozen=True)
class SqlFound:
    """What the chain found before answering: the database (None: no readable table
    matched), the schema cards shown, the final SQL and its result (None: nothing ran)."""

    source: str | None
    cards: tuple[Evidence, ...]
    sql: str | None
    result: QueryResult | None


def _card_evidence(chunk: Chunk) -> Evidence:
    """A schema card fetched by document id (not ranked, so no score)."""
    return Evidence(
        source_id=chunk.doc_id,
        kind=chunk.kind,
        title=chunk.title,
        url=chunk.url,
        text=chunk.text,
        access=chunk.access,
        chunk_id=chunk.id,
    )


Columns = dict[str, list[str]]


@dataclass(frozen=True)
class _Shown:
    """What one question's model was shown: the database, the tables it may query, their
    columns, and the question's values as stored (value -> its ``table.column`` places)."""

    source: str
    tables: set[str]
    columns: Columns
    links: Sequence[ValueMatch]

    @property
    def stored(self) -> dict[str, list[str]]:
        places: dict[str, list[str]] = {}
        for link in self.links:
            places.setdefault(link.value, []).append(f"{link.table}.{link.column}")
        return places


def schema_text(cards: Sequence[Evidence]) -> str:
    """The cards as one schema, a table's chunks joined back into one block: chunks overlap,
    and a column listed twice reads to a small model like two columns."""
    blocks: dict[str, list[str]] = {}
    for card in cards:
        lines = blocks.setdefault(card.source_id, [])
        lines += [line for line in card.text.splitlines() if line.strip() and line not in lines]
    return "\n\n".join("\n".join(lines) for lines in blocks.values())


def _columns_by_table(
    cards: Sequence[Evidence], source: str, read: Callable[[str], list[str]] = card_columns
) -> Columns:
    """Table -> the columns ``read`` finds in its cards (a table's chunks merged, in order)."""
    columns: Columns = {}
    for card in cards:
        found = columns.setdefault(card.source_id.removeprefix(f"db:{source}."), [])
        found += [c for c in read(card.text) if c not in found]
    return columns


class _Attempts:
    """One question's attempts at a query, and what went wrong with the last one.

    A repair is the question asked afresh with the wrong query quoted and the hints, not a
    conversation: given its own failed query as an assistant turn, the 1.5B model mostly
    repeats it word for word."""

    def __init__(self, messages: list[ChatMessage]) -> None:
        self._base = messages
        self.messages = messages
        self.failed: set[str] = set()
        self.empty: tuple[str, QueryResult] | None = None

    def failed_with(self, candidate: str, message: str) -> None:
        self.failed.add(candidate)
        self._retry(candidate, message)

    def found_nothing(
        self, candidate: str, sql: str, result: QueryResult, hints: Sequence[str] = ()
    ) -> None:
        """Kept as the answer unless the one retry it earns finds rows."""
        self.failed.add(candidate)
        self.empty = (sql, result)
        self._retry(candidate, "\n".join([NO_ROWS, *hints]))

    def _retry(self, candidate: str, message: str) -> None:
        *before, question = self._base
        wrong = f"\n\nThis query is wrong:\n```sql\n{candidate}\n```\n{message}"
        self.messages = [*before, ChatMessage("user", question.content + wrong)]


def _only_for(principal: Principal) -> Access:
    """Results computed for one principal are shown to that principal only.

    An empty principal (anonymous, or a public channel's audience) may read public tables
    only, so its result is public data; ``users=set()`` would mean nobody, and the verifier
    would rightly drop every sentence citing it."""
    if not principal.members:
        return Access.public()
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
        options: SqlOptions | None = None,
    ) -> None:
        self._retriever = retriever
        self._catalog = catalog
        self._chat = chat
        self._embedder = embedder
        self._databases = databases
        self._config = config
        self._examples = list(examples)
        self._options = options or SqlOptions()

    def _run(self, question: str, context: ChainContext) -> Draft:
        found = self.query(question, context)
        if found.source is None:
            return Draft(text=CANNOT, evidence=(), route="sql", refused=True)
        if found.result is None:
            return Draft(
                text=CANNOT, evidence=found.cards, route="sql", sql=found.sql, refused=True
            )
        evidence = self._result_evidence(found.source, found.sql, found.result, context.principal)
        with context.timed("generate"):
            text = self._summarise(question, found.sql, found.result)
        return Draft(
            text=text,
            evidence=(evidence, *found.cards),
            route="sql",
            sql=found.sql,
            sql_result=ResultTable(
                tuple(found.result.columns),
                tuple(tuple(row) for row in found.result.rows),
                found.result.truncated,
            ),
        )

    def query(self, question: str, context: ChainContext) -> SqlFound:
        """Everything but the prose answer: the cards shown, the SQL and its result (what
        execution-accuracy benchmarks score, without paying for a summary)."""
        with context.timed("retrieve"):
            cards = self._retriever.search(
                question, context.principal, k=5, kinds=frozenset({"table"})
            )
        source = self._database_of(cards)
        if source is None:
            return SqlFound(None, (), None, None)
        allowed = self._allowed_tables(source, context.principal)
        with context.timed("retrieve"):
            cards = [c for c in cards if c.source_id.startswith(f"db:{source}.")]
            cards = self._schema_cards(cards, allowed, context.principal)
            links = self._value_links(question, cards, source)
        with context.timed("generate"):
            dialect = self._databases[source].dialect
            messages = self._prompt(question, cards, dialect, describe_values(links))
            shown = _Shown(source, set(allowed.values()), _columns_by_table(cards, source), links)
            sql, result = self._query(messages, shown)
        return SqlFound(source, tuple(cards), sql, result)

    def _database_of(self, cards: Sequence[Evidence]) -> str | None:
        for card in cards:
            source = card.source_id.removeprefix("db:").split(".", 1)[0]
            if source in self._databases:
                return source
        return None

    def _allowed_tables(self, source: str, principal: Principal) -> dict[str, str]:
        """Schema-card document id -> table name, for the tables the principal may read."""
        prefix = f"db:{source}."
        return {
            doc_id: table
            for doc_id, (table, access) in self._catalog.table_access().items()
            if doc_id.startswith(prefix) and access.allows(principal)
        }

    def _schema_cards(
        self, cards: Sequence[Evidence], allowed: dict[str, str], principal: Principal
    ) -> list[Evidence]:
        """The cards to show: all of a small database's readable tables, in a fixed order (so
        every question about it shares one prompt prefix, which llama.cpp and vLLM reuse
        from their prompt cache instead of reading it again); else the retrieved cards and
        those of the tables they reference by foreign key. Only readable tables, and each
        fetched chunk's own access is checked again."""
        shown = {c.source_id for c in cards}
        if len(allowed) <= self._options.all_tables_max:
            wanted = sorted(allowed)
            return self._cards(wanted, principal, {c.chunk_id: c for c in cards})
        referenced = {t.lower() for c in cards for t in _FOREIGN_KEY.findall(c.text)}
        wanted = [
            doc_id
            for doc_id, table in sorted(allowed.items())
            if table.lower() in referenced and doc_id not in shown
        ]
        return [*cards, *self._cards(wanted, principal, {})]

    def _cards(
        self, doc_ids: list[str], principal: Principal, known: dict[str, Evidence]
    ) -> list[Evidence]:
        """Every chunk of these schema cards, in this order, that the principal may see."""
        if not doc_ids:
            return []
        stored = self._catalog.chunks(self._catalog.chunk_keys_for(doc_ids))
        chunks = sorted(
            (s.chunk for s in stored.values() if s.chunk.access.allows(principal)),
            key=lambda chunk: (doc_ids.index(chunk.doc_id), chunk.id),
        )
        return [known.get(chunk.id) or _card_evidence(chunk) for chunk in chunks]

    def _value_links(
        self, question: str, cards: Sequence[Evidence], source: str
    ) -> list[ValueMatch]:
        """The question's phrases that are stored values, and where they are stored."""
        if not self._options.value_linking:
            return []
        columns = _columns_by_table(cards, source, text_columns)
        return find_values(self._databases[source], columns, question_phrases(question))

    def _query(
        self, messages: list[ChatMessage], shown: _Shown
    ) -> tuple[str | None, QueryResult | None]:
        """The greedy query (repaired from errors), then, if configured, sampled candidates;
        the result most of them agree on wins."""
        source, allowed = shown.source, shown.tables
        sql, result = self._greedy(messages, shown)
        if self._options.candidates <= 1:
            return sql, result
        candidates = [Candidate(sql, result)] if sql is not None and result is not None else []
        for _ in range(self._options.candidates - 1):
            reply = self._complete(messages, self._options.temperature)
            try:
                guarded = self._guard(self._candidate(reply, shown), source, allowed)
                candidates.append(Candidate(guarded.sql, self._databases[source].run(guarded.sql)))
            except (SqlRefused, SqlExecutionError):
                continue  # a candidate that does not run has no vote
        winner = vote(candidates)
        return (winner.sql, winner.result) if winner else (sql, None)

    def _greedy(
        self, messages: list[ChatMessage], shown: _Shown
    ) -> tuple[str | None, QueryResult | None]:
        """One query, repaired at most ``max_repairs`` times: from the guard's or the
        database's error (with the columns it concerns, ``copilot.sql.repair``), or once when
        it finds no rows (naming a value compared with a column that does not hold it). A
        repair that repeats a failed query is sampled again instead."""
        attempt = _Attempts(messages)
        source, allowed, columns = shown.source, shown.tables, shown.columns
        dialect = self._databases[source].dialect
        for _ in range(1 + self._config.max_repairs):
            candidate = self._candidate(self._complete(attempt.messages), shown)
            if candidate in attempt.failed:
                reply = self._complete(attempt.messages, self._options.temperature)
                candidate = self._candidate(reply, shown)
            try:
                sql = self._guard(candidate, source, allowed).sql
                result = self._databases[source].run(sql)
            except (SqlRefused, SqlExecutionError) as exc:
                log.info("SQL attempt failed: %s", exc)
                hint = repair_message(str(exc), candidate, columns, dialect)
                attempt.failed_with(candidate, hint)
                continue
            if result.rows:
                return sql, result
            if attempt.empty is not None:
                return attempt.empty  # the retry found nothing either: keep the first
            misplaced = misplaced_values(sql, shown.stored, columns, dialect)
            attempt.found_nothing(candidate, sql, result, misplaced)
        return attempt.empty or (None, None)

    def _candidate(self, reply: str, shown: _Shown) -> str:
        """The reply's SQL, each column moved to the one table of the query that has it when
        the model qualified it with the wrong alias (``copilot.sql.repair.requalified``)."""
        dialect = self._databases[shown.source].dialect
        return requalified(extract_sql(reply), shown.columns, dialect)

    def _complete(self, messages: list[ChatMessage], temperature: float | None = None) -> str:
        return self._chat.complete(
            messages, max_tokens=300, temperature=temperature, model=self._options.model
        ).text

    def _guard(self, candidate: str, source: str, allowed: set[str]) -> GuardedSql:
        return guard_sql(
            candidate,
            dialect=self._databases[source].dialect,
            allowed_tables=allowed,
            row_limit=self._config.row_limit,
        )

    def _prompt(
        self, question: str, cards: Sequence[Evidence], dialect: str, values: str = ""
    ) -> list[ChatMessage]:
        schema = schema_text(cards)
        system = (
            f"You write one {dialect} SELECT query that answers the question, using only the "
            "tables and columns described. Select only the columns the question asks for, and "
            "write values exactly as the database stores them. "
            "Reply with the SQL in a ```sql block and nothing else."
        )
        shots: list[ChatMessage] = []
        for example in self._similar_examples(question):
            shots += [
                ChatMessage("user", f"Question: {example.question}"),
                ChatMessage("assistant", f"```sql\n{example.sql}\n```"),
            ]
        hint = f"\nValues from the question, as stored in the database:\n{values}" if values else ""
        user = ChatMessage("user", f"Question: {question}{hint}")
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
                [ChatMessage("system", system), ChatMessage("user", user)],
                max_tokens=120,
                model=self._options.model,  # one model per chain: no model swap mid-answer
            ).text.strip()
        except CopilotError:
            reply = ""
        return reply if "[1]" in reply else f"{reply or 'The result'} [1]".strip()
