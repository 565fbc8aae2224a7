"""The standard builds that ``copilot eval`` runs beside ours, on the same model server and data.

``llamaindex_rag`` is LlamaIndex's documented starter (``VectorStoreIndex.from_documents`` and
``as_query_engine`` with default settings) over the documents our stack indexed;
``langchain_sql`` is LangChain's ``create_sql_query_chain`` whose SQL is then run on the
database. Both stay as close to their frameworks' defaults as possible: a baseline that we
tuned would measure our tuning, not the frameworks. Framework types never leave this package;
the runner sees only ``BaselineAnswer``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BaselineAnswer:
    """What a baseline produced for one question; a failure is a value (``error``), so one
    bad question never stops an evaluation run."""

    text: str
    source_ids: tuple[str, ...]  # our source ids it cites or used, in order, no repeats
    sql: str | None = None
    rows: tuple[tuple[object, ...], ...] | None = None  # result rows when it ran SQL
    error: str | None = None
    total_ms: float = 0.0
