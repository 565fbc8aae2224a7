"""The composition root: builds the parts from ``Settings`` and answers in a few named steps.

``Copilot.answer`` is route -> run the plan's chains -> verify -> resolve citations -> shorten.
Each step is a short method; anything longer belongs in a router, a chain, the citations
module, the verifier or the short answer's module. ``Copilot.confirm`` and ``Copilot.cancel``
settle a write the tool chain proposed; the rules for that live in ``copilot/actions.py``.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import Protocol

from connectors.registry import build_connectors
from copilot import citations
from copilot.actions import ActionError, Actions, ActionStore
from copilot.audit import AuditLog, Surface
from copilot.chains.base import Chain, ChainContext
from copilot.chains.retrieval import RetrievalChain
from copilot.chains.sql import SqlChain, SqlOptions, load_examples
from copilot.chains.tools import ToolChain
from copilot.config import DatabaseSource, Settings
from copilot.directory import UserDirectory
from copilot.llm import EMBEDDED_SQL_MODEL, ChatModel, sql_model
from copilot.logs import request_scope
from copilot.router import DocumentProbe, RouteDecision, Router
from copilot.short_answer import ShortAnswerer
from copilot.sql.readonly import ReadOnlyDatabase
from copilot.tools.registry import ToolRegistry, build_registry
from copilot.types import Answer, Draft, Principal, Route
from copilot.verifier import Checked, Verifier
from indexes.catalog import Catalog
from indexes.chunking import Chunker
from indexes.embeddings import Embedder, SentenceTransformerEmbedder
from indexes.lock import refresh_lock
from indexes.ray_embeddings import RayBatchEmbedder
from indexes.refresh import Refresher, RefreshReport
from indexes.retriever import Retriever
from indexes.store import IndexStore
from indexes.vector import VectorConfig

log = logging.getLogger(__name__)


class Routes(Protocol):
    def route(self, question: str, principal: Principal | None = None) -> RouteDecision: ...


class Copilot:
    def __init__(
        self,
        router: Routes,
        chains: dict[Route, Chain],
        verifier: Verifier | None = None,
        actions: Actions | None = None,
        shortener: ShortAnswerer | None = None,
    ) -> None:
        self._router = router
        self._chains = chains
        self._verifier = verifier
        self._actions = actions
        self._shortener = shortener

    def confirm(self, action_id: str, principal: Principal, *, surface: Surface) -> Answer:
        """Run a proposed write for the person it was proposed to (at most once)."""
        return self._action_desk().confirm(action_id, principal, surface=surface)

    def cancel(self, action_id: str, principal: Principal, *, surface: Surface) -> Answer:
        """Make sure a proposed write never runs."""
        return self._action_desk().cancel(action_id, principal, surface=surface)

    def _action_desk(self) -> Actions:
        if self._actions is None:
            raise ActionError("this copilot has no tools, so it has no actions to confirm")
        return self._actions

    def answer(
        self,
        question: str,
        principal: Principal,
        *,
        qid: str | None = None,
        on_stage: Callable[[str], None] | None = None,
    ) -> Answer:
        """``on_stage`` hears each stage's name as it starts (a surface's progress display).
        Runs in the surface's request scope (copilot/logs.py), or opens one, so every log
        line of this question and the answer carry the same ``request_id``."""
        with request_scope() as request_id:
            started = time.perf_counter()
            log.info("question from %s", principal.name)
            context = ChainContext(principal, on_stage=on_stage)
            with context.timed("route"):
                decision = self._router.route(question, principal)
            draft = self._run_plan(decision, question, context)
            checked = self._verify(decision, question, draft, context)
            answer = self._cite(question, checked)
            answer.short_answer = self._shorten(answer, context)
            answer.id = qid
            answer.request_id = request_id
            answer.route_reason = decision.reason
            answer.timings_ms = {**context.timings_ms, "total": _ms_since(started)}
            log.info(
                "answered: route=%s refused=%s verified=%s total_ms=%d",
                answer.route,
                answer.refused,
                answer.verified,
                answer.timings_ms["total"],
            )
            return answer

    def _steps(self, decision: RouteDecision) -> list[Route]:
        return [r for r in decision.plan if r in self._chains] or ["retrieval"]

    def _run_plan(self, decision: RouteDecision, question: str, context: ChainContext) -> Draft:
        """Run each step's chain (a plan has one or two); their drafts become one. When every
        step refused and none was retrieval, retrieval gets its turn: in doubt, documents."""
        steps = self._steps(decision)
        drafts = [self._chains[route].run(question, context) for route in steps]
        proposal = next((d for d in drafts if d.pending_action is not None), None)
        if proposal is not None:  # a write to confirm is the answer; nothing is merged into it
            return proposal
        if all(d.refused for d in drafts) and "retrieval" not in steps:
            drafts.append(self._chains["retrieval"].run(question, context))
            return drafts[-1]
        return drafts[0] if len(drafts) == 1 else citations.merge_drafts(drafts)

    def _verify(
        self, decision: RouteDecision, question: str, draft: Draft, context: ChainContext
    ) -> Checked:
        """Keep only sentences the verifier accepts; the plan runs again once, with the
        judge's reasons, if its chains take feedback. A chain's own refusal passes as is (and
        the verifier passes a proposed write unjudged: it states no fact)."""
        if self._verifier is None or draft.refused:
            return Checked(draft, ())

        def regenerate(feedback: str) -> Draft:
            with context.timed("regenerate"):
                retry = dataclasses.replace(context, feedback=feedback)  # same timings dict
                return self._run_plan(decision, question, retry)

        can_retry = all(self._chains[r].accepts_feedback for r in self._steps(decision))
        context.stage("verify")
        started = time.perf_counter()
        checked = self._verifier.check(
            question, draft, context.principal, regenerate if can_retry else None
        )
        spent = _ms_since(started) - context.timings_ms.get("regenerate", 0)
        context.timings_ms["verify"] = spent
        return checked

    def _shorten(self, answer: Answer, context: ChainContext) -> str | None:
        """After verification and from its output only, so the short form claims nothing
        the verified sentences do not."""
        if self._shortener is None:
            return None
        with context.timed("shorten"):
            return self._shortener.shorten(answer)

    def _cite(self, question: str, checked: Checked) -> Answer:
        draft = checked.draft
        if draft.pending_action is not None:  # its text quotes arguments: leave every "[n]"
            return Answer(
                question, draft.text, draft.route, [], pending_action=draft.pending_action
            )
        text, cited = citations.resolve(draft.text, draft.evidence)
        sources = citations.resolve(
            "".join(f"[{draft.evidence.index(e) + 1}]" for e in checked.sources), draft.evidence
        )[1]
        return Answer(
            question=question,
            answer=text,
            route=draft.route,
            citations=[] if draft.refused else cited,
            sql=draft.sql,
            sql_result=None if draft.refused else draft.sql_result,
            verified=self._verifier is not None and not draft.refused,
            refused=draft.refused,
            verdicts=[v.to_dict() for v in checked.verdicts],
            sources=sources,
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
        vector_config = VectorConfig.from_settings(self.settings)
        return IndexStore(self.settings.resolved_data_dir, vector_config)

    @cached_property
    def embedder(self) -> Embedder:
        """The refresh's batches go where ``embedding_backend`` says; questions stay local
        either way (``RayBatchEmbedder`` imports Ray only when it first embeds a batch)."""
        if self.settings.embedding_backend == "ray":
            return RayBatchEmbedder(self.settings)
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
        actions = self.actions(registry) if registry.names() else None
        if actions is not None:
            chains["tool"] = ToolChain(
                registry,
                chat,
                self.embedder,
                max_steps=self.settings.ws.tools.max_steps,
                proposals=actions,
            )
        router = self.router(chat, set(chains), retriever)
        return Copilot(router, chains, self.verifier(chat), actions, self.shortener(chat))

    def shortener(self, chat: ChatModel) -> ShortAnswerer | None:
        """By default on the judge's model: picking the words that answer a question is
        reading, and the embedded 0.5B picked a name where the 1.5B picked "immediately"."""
        enabled = self.settings.short_answer
        if enabled is None:  # unset: on with a served model, off on the embedded CPU server
            enabled = self.settings.llm_base_url is not None
        if not enabled:
            return None
        return ShortAnswerer(chat, model=self.settings.llm_short_answer_model or self.judge_model())

    def actions(self, registry: ToolRegistry | None = None) -> Actions:
        """Proposed writes and their confirmation, stored in the catalog. Needs no model, so
        ``copilot confirm`` starts none."""
        ttl = timedelta(minutes=self.settings.ws.tools.confirm_ttl_minutes)
        return Actions(
            ActionStore(self.catalog.engine),
            registry or self.tool_registry(),
            ttl=ttl,
            audit=AuditLog.from_catalog(self.catalog),
        )

    def verifier(self, chat: ChatModel) -> Verifier | None:
        """The verifier the settings ask for; its judge is a model on the chat server."""
        if self.settings.verifier == "off":
            return None
        return Verifier(
            chat,
            self.embedder,
            self.settings.verifier,
            min_similarity=self.settings.verifier_min_similarity,
            judge_model=self.judge_model(),
            ask_if_answered=self.settings.verifier_asks_if_answered,
        )

    def judge_model(self) -> str | None:
        """``llm_judge_model``; on the embedded server, by default the 1.5B model: the 0.5B
        judges its own drafts poorly (MODELS.md: 6/8 against 8/8 on a probe)."""
        if self.settings.llm_judge_model or self.settings.llm_base_url:
            return self.settings.llm_judge_model
        return EMBEDDED_SQL_MODEL

    def router(
        self,
        chat: ChatModel | None,
        available: set[Route],
        documents: DocumentProbe | None = None,
    ) -> Router:
        searchable = any(not isinstance(s, DatabaseSource) for s in self.settings.ws.sources)
        return Router(
            self.embedder,
            chat,
            self.settings.ws.router,
            available,
            documents,
            nothing_to_search=not searchable,
        )

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
            SqlOptions.from_settings(self.settings, sql_model(self.settings)),
        )

    def tool_registry(self) -> ToolRegistry:
        ws = self.settings.ws
        users_file = ws.resolve(ws.users) if ws.users else None
        return build_registry(ws.tools, ws.root, self.directory, _now, users_file=users_file)

    def _databases(self) -> list[DatabaseSource]:
        return [s for s in self.settings.ws.sources if isinstance(s, DatabaseSource)]
