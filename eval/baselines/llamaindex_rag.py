"""The LlamaIndex baseline: the framework's starter RAG pipeline over the documents we indexed.

``VectorStoreIndex.from_documents(docs)`` and ``index.as_query_engine()`` with every default
left as it is (LlamaIndex's sentence splitter, its top-k, its "compact" response synthesizer
and prompts), so it measures what a team gets from the documented five lines. Only the model
and the data are ours: the same chat server and model name, the same MiniLM embeddings, and
the same documents, rebuilt from our catalog's chunks. It has no access control, which is
the point: leaks are counted against it as against us.

The LLM and the embedding model are passed to the index and the query engine, never set on
``llama_index.core.Settings``, so nothing leaks into other llama-index users in the process
(our chunker uses its splitter).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from copilot.config import Settings
from copilot.errors import ConfigError
from copilot.llm import one_line
from copilot.types import Chunk
from eval.baselines import BaselineAnswer
from indexes.catalog import Catalog
from indexes.embeddings import model_path

# The kinds a RAG pipeline reads; "table" documents are schema cards for the SQL chain.
RAG_KINDS = frozenset({"doc", "slack"})
SOURCE_ID = "source_id"  # the llama-index metadata key that carries our document id


@dataclass(frozen=True)
class SourceText:
    """One of our documents as plain text: what a loader would have read from the source."""

    source_id: str
    text: str


def source_texts(chunks: Iterable[Chunk]) -> list[SourceText]:
    """Our indexed documents, one text each, rebuilt from their chunks in chunk order.

    Reading the catalog (not the sources again) guarantees the baseline sees exactly the
    documents our index holds, at the same version. Documents keep the order their first
    chunk has in ``chunks``.
    """
    by_doc: dict[str, list[Chunk]] = {}
    for chunk in chunks:
        if chunk.kind in RAG_KINDS:
            by_doc.setdefault(chunk.doc_id, []).append(chunk)
    return [
        SourceText(doc_id, _joined(sorted(parts, key=_chunk_number)))
        for doc_id, parts in by_doc.items()
    ]


def _chunk_number(chunk: Chunk) -> int:
    """``n`` of a chunk id ``{doc_id}#{n}``, so chunks sort numerically (``#10`` after ``#9``)."""
    _, _, number = chunk.id.rpartition("#")
    return int(number) if number.isdigit() else 0


def _joined(chunks: Sequence[Chunk]) -> str:
    """The title, then each chunk's text with its heading where a new heading starts: our
    chunks hold headings apart from the text, while a file a loader reads has them inline."""
    parts = [chunks[0].title] if chunks[0].title else []
    heading = ""
    for chunk in chunks:
        if chunk.heading and chunk.heading != heading:
            parts.append(chunk.heading)
            heading = chunk.heading
        parts.append(chunk.text)
    return "\n\n".join(parts)


class LlamaIndexBaseline:
    """``index.as_query_engine()`` over our documents; one ``answer`` per question."""

    def __init__(self, engine: Any) -> None:
        self._engine = engine

    @classmethod
    def build(cls, settings: Settings, base_url: str) -> LlamaIndexBaseline:
        """Index the workspace's documents (from its catalog) with the framework defaults."""
        catalog = Catalog(settings.resolved_catalog_url)
        texts = source_texts(stored.chunk for stored in catalog.all_chunks())
        if not texts:
            raise ConfigError(
                "the LlamaIndex baseline found no indexed documents: run `copilot ingest` first"
            )
        return cls.from_texts(texts, llm=_llm(settings, base_url), embed_model=_embedder(settings))

    @classmethod
    def from_texts(
        cls, texts: Sequence[SourceText], *, llm: Any, embed_model: Any
    ) -> LlamaIndexBaseline:
        """The starter pipeline over ``texts``; separate from ``build`` so tests can pass
        their own texts."""
        from llama_index.core import Document, VectorStoreIndex

        documents = [
            Document(
                text=t.text,
                doc_id=t.source_id,
                metadata={SOURCE_ID: t.source_id},
                # Bookkeeping only: neither embedded nor shown to the model.
                excluded_embed_metadata_keys=[SOURCE_ID],
                excluded_llm_metadata_keys=[SOURCE_ID],
            )
            for t in texts
        ]
        index = VectorStoreIndex.from_documents(documents, embed_model=embed_model)
        return cls(index.as_query_engine(llm=llm))

    def answer(self, question: str) -> BaselineAnswer:
        """The query engine's answer and the sources of the nodes it was given; any failure
        (server down, timeout, framework error) comes back as ``error``."""
        started = time.perf_counter()
        try:
            response = self._engine.query(question)
        except Exception as exc:  # a baseline's failure is a result, never a crash
            return BaselineAnswer(
                text="",
                source_ids=(),
                error=f"{type(exc).__name__}: {one_line(str(exc))}",
                total_ms=_ms_since(started),
            )
        return BaselineAnswer(
            text=str(response.response or "").strip(),
            source_ids=_source_ids(response.source_nodes),
            total_ms=_ms_since(started),
        )


def _source_ids(nodes: Iterable[Any]) -> tuple[str, ...]:
    """Our document ids of the retrieved nodes, best first, each once."""
    found: dict[str, None] = {}
    for scored in nodes:
        node = scored.node
        source_id = node.metadata.get(SOURCE_ID) or node.ref_doc_id
        if source_id:
            found.setdefault(str(source_id), None)
    return tuple(found)


def _llm(settings: Settings, base_url: str) -> Any:
    """LlamaIndex's client for any OpenAI-compatible server, configured as ours is."""
    from llama_index.llms.openai_like import OpenAILike

    return OpenAILike(
        model=settings.llm_model,
        api_base=base_url,
        api_key=settings.llm_api_key.get_secret_value(),
        is_chat_model=True,
        temperature=settings.llm_temperature,
        max_tokens=settings.llm_max_tokens,
        timeout=settings.llm_timeout_s,
        max_retries=settings.llm_max_retries,
    )


def _embedder(settings: Settings) -> Any:
    """Our embedding model (the packaged MiniLM, or ``COPILOT_EMBEDDING_MODEL``), loaded
    from its local folder: nothing is downloaded."""
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    return HuggingFaceEmbedding(model_name=model_path(settings), device=settings.embedding_device)


def _ms_since(started: float) -> float:
    return (time.perf_counter() - started) * 1000
