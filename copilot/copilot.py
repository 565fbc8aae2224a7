"""The composition root: builds the parts from ``Settings`` and answers in a few named steps.

``Copilot.answer`` is route -> run the plan's chains -> resolve citations. Each step is a
short method; anything longer belongs in a router, a chain, the citations module or the
verifier.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from functools import cached_property
from typing import Protocol

from connectors.registry import build_connectors
from copilot import citations
from copilot.chains.base import Chain, ChainContext
from copilot.chains.retrieval import RetrievalChain
from copilot.chains.sql import SqlChain, load_examples
from copilot.chains.tools import ToolChain
from copilot.config import DatabaseSource, Settings
from copilot.directory import UserDirectory
from copilot.llm import ChatModel
from copilot.router import RouteDecision, Router
from copilot.sql.readonly import ReadOnlyDatabase
from copilot.tools.registry import ToolRegistry, build_registry
from copilot.types import Answer, Draft, Principal, Route
from indexes.catalog import Catalog
from indexes.chunking import Chunker
from indexes.embeddings import Embedder, SentenceTransformerEmbedder
from indexes.lock import refresh_lock
from indexes.refresh import Refresher, RefreshReport
from indexes.retriever import Retriever
from indexes.store import IndexStore

log = logging.getLogger(__name__)


class Routes(Protocol):
    def route(self, question: str) -> RouteDecision: ...


class Copilot:
    def __init__(self, router: Routes, chains: dict[Route, Chain]) -> None:
        self._router = router
        self._chains = chains

    def answer(self, question: str, principal: Principal, *, qid: str | None = None) -> Answer:
        started = time.perf_counter()
        context = ChainContext(principal)
        with context.timed("route"):
            decision = self._router.route(question)
        draft = self._run_plan(decision, question, context)
        answer = self._cite(question, draft)
        answer.id = qid
        answer.route_reason = decision.reason
        answer.timings_ms = {**context.timings_ms, "total": _ms_since(started)}
        return answer

    def _run_plan(self, decision: RouteDecision, question: str, context: ChainContext) -> Draft:
        """Run each step's chain (a plan has one or two); their drafts become one. When every
        step refused and none was retrieval, retrieval gets its turn: in doubt, documents."""
        steps: list[Route] = [r for r in decision.plan if r in self._chains] or ["retrieval"]
        drafts = [self._chains[route].run(question, context) for route in steps]
        if all(d.refused for d in drafts) and "retrieval" not in steps:
            drafts.append(self._chains["retrieval"].run(question, context))
            return drafts[-1]
        return drafts[0] if len(drafts) == 1 else citations.merge_drafts(drafts)

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


def _now() -> datetime:
    return datetime.now(UTC)


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
        retriever = self.retriever()
        chains: dict[Route, Chain] = {"retrieval": self.retrieval_chain(chat, retriever)}
        if self._databases():
            chains["sql"] = self.sql_chain(chat, retriever)
        registry = self.tool_registry()
        if registry.names():
            chains["tool"] = ToolChain(
                registry, chat, self.embedder, max_steps=self.settings.ws.tools.max_steps
            )
        return Copilot(self.router(chat, set(chains)), chains)

    def router(self, chat: ChatModel | None, available: set[Route]) -> Router:
        return Router(self.embedder, chat, self.settings.ws.router, available)

    def retrieval_chain(self, chat: ChatModel, retriever: Retriever | None = None) -> Chain:
        return RetrievalChain(
            retriever or self.retriever(),
            chat,
            self.embedder,
            self.settings.min_relevance,
            relevance_window=self.settings.relevance_window,
        )

    def sql_chain(self, chat: ChatModel, retriever: Retriever | None = None) -> SqlChain:
        config = self.settings.ws.sql
        examples = load_examples(
            self.settings.ws.resolve(config.examples) if config.examples else None
        )
        databases = {
            source.name: ReadOnlyDatabase(
                source.url, row_limit=config.row_limit, timeout_s=config.timeout_s
            )
            for source in self._databases()
        }
        return SqlChain(
            retriever or self.retriever(),
            self.catalog,
            chat,
            self.embedder,
            databases,
            config,
            examples,
        )

    def tool_registry(self) -> ToolRegistry:
        ws = self.settings.ws
        users_file = ws.resolve(ws.users) if ws.users else None
        return build_registry(ws.tools, ws.root, self.directory, _now, users_file=users_file)

    def _databases(self) -> list[DatabaseSource]:
        return [s for s in self.settings.ws.sources if isinstance(s, DatabaseSource)]
