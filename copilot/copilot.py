"""The composition root: builds the parts from ``Settings`` and answers in a few named steps.

``Copilot.answer`` is route -> run the chain -> resolve citations -> finish. Each step is a
short method; anything longer belongs in a chain, the citations module or the verifier.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from functools import cached_property

from connectors.registry import build_connectors
from copilot import citations
from copilot.chains.base import Chain, ChainContext
from copilot.chains.retrieval import RetrievalChain
from copilot.config import Settings
from copilot.directory import UserDirectory
from copilot.llm import ChatModel
from copilot.types import Answer, Draft, Principal, Route
from indexes.catalog import Catalog
from indexes.chunking import Chunker
from indexes.embeddings import Embedder, SentenceTransformerEmbedder
from indexes.lock import refresh_lock
from indexes.refresh import Refresher, RefreshReport
from indexes.retriever import Retriever
from indexes.store import IndexStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RouteDecision:
    route: Route
    reason: str


class Copilot:
    def __init__(self, chains: dict[Route, Chain]) -> None:
        self._chains = chains

    def answer(self, question: str, principal: Principal, *, qid: str | None = None) -> Answer:
        started = time.perf_counter()
        context = ChainContext(principal)
        with context.timed("route"):
            decision = self._route(question)
        draft = self._chains[decision.route].run(question, context)
        answer = self._cite(question, draft)
        answer.id = qid
        answer.timings_ms = {**context.timings_ms, "total": _ms_since(started)}
        return answer

    def _route(self, question: str) -> RouteDecision:
        """Only the retrieval chain exists so far; the router replaces this step."""
        return RouteDecision("retrieval", "retrieval is the only configured chain")

    def _cite(self, question: str, draft: Draft) -> Answer:
        text, cited = citations.resolve(draft.text, draft.evidence)
        return Answer(
            question=question,
            answer=text,
            route=draft.route,
            citations=[] if draft.refused else cited,
            sql=draft.sql,
            refused=draft.refused,
        )


def _ms_since(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)


class Workspace:
    """The parts one workspace needs, built once from ``Settings`` and shared by commands."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @cached_property
    def directory(self) -> UserDirectory:
        users = self.settings.ws.users
        if users is None:
            return UserDirectory.empty()
        return UserDirectory.from_yaml(self.settings.ws.resolve(users))

    @cached_property
    def catalog(self) -> Catalog:
        return Catalog(self.settings.resolved_catalog_url)

    @cached_property
    def store(self) -> IndexStore:
        return IndexStore(self.settings.resolved_data_dir)

    @cached_property
    def embedder(self) -> Embedder:
        return SentenceTransformerEmbedder(self.settings)

    def principal(self, email: str | None) -> Principal:
        return self.directory.principal(email)

    def ingest(self, *, dry_run: bool = False) -> RefreshReport:
        """Bring the index up to date (first run: everything); one run at a time."""
        chunker = Chunker(
            self.embedder.tokenize,
            self.settings.chunk_tokens,
            self.settings.chunk_overlap_tokens,
        )
        refresher = Refresher(self.catalog, self.store, self.embedder, chunker)
        connectors = build_connectors(self.settings.ws, self.directory)
        with refresh_lock(self.settings.resolved_data_dir):
            return refresher.run(connectors, dry_run=dry_run)

    def retriever(self) -> Retriever:
        vectors, keywords = self.store.load(self.catalog.active_version())
        return Retriever(self.catalog, vectors, keywords, self.embedder, self.settings)

    def copilot(self, chat: ChatModel) -> Copilot:
        retrieval = RetrievalChain(
            self.retriever(),
            chat,
            self.embedder,
            self.settings.min_relevance,
            relevance_window=self.settings.relevance_window,
        )
        return Copilot({"retrieval": retrieval})
