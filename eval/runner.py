"""Run the real stack (and, optionally, the baselines) over a dataset: one row per system and
question, plus a retrieval probe per answerable retrieval question.

Ours runs twice over the same drafts: verifier off, then on (the model's replies are memoised,
so the two differ only by what the verifier did). The "ours" row (verifier on) carries the
real stage timings: route, retrieval and generation from the first run (the second reads the
draft from memory), verification and any regeneration from the second, and their sum as
``total``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from copilot.config import DatabaseSource, Settings
from copilot.copilot import Copilot, Workspace
from copilot.errors import CopilotError
from copilot.llm import ChatMessage, ChatModel, open_chat_model
from copilot.sql.readonly import ReadOnlyDatabase
from copilot.types import Access, Principal
from eval.baselines.langchain_sql import database_urls
from eval.golden import GoldenItem
from eval.metrics import recall_at_k, reciprocal_rank, unique_in_order
from eval.scoring import Attempt, Rows, ScoringContext, score, sounds_like_refusal
from eval.verifier import MemoChat

T = TypeVar("T")
OURS = "ours"
OURS_UNVERIFIED = "ours_verifier_off"
LLAMAINDEX = "llamaindex_vectorstoreindex"
LANGCHAIN_SQL = "langchain_sql_query_chain"
_VERIFIER_STAGES = ("verify", "regenerate")


@dataclass(frozen=True)
class EvalOptions:
    k: int = 5
    baselines: bool = True
    judge: bool = True
    judge_model: str | None = None


@dataclass
class EvalRun:
    rows: list[dict[str, Any]]
    retrieval: list[dict[str, Any]]
    dataset: str
    workspace: str


Progress = Callable[[str], None]


def run_eval(
    settings: Settings,
    items: list[GoldenItem],
    options: EvalOptions,
    progress: Progress,
    dataset: str = "",
) -> EvalRun:
    """Every item through ours (verifier off and on) and the baselines that apply to it."""
    off = Workspace(settings.model_copy(update={"verifier": "off"}))
    on = Workspace(settings if settings.verifier != "off" else _strict(settings))
    on.embedder = off.embedder
    run = EvalRun([], [], dataset, settings.ws.name)
    run.retrieval = retrieval_probe(off, items, options.k)
    with open_chat_model(settings, settings.resolved_data_dir) as chat:
        memo = MemoChat(chat)
        ours = {OURS_UNVERIFIED: off.copilot(memo), OURS: on.copilot(memo)}
        judge_model = options.judge_model or on.judge_model()
        ctx = ScoringContext(
            access=source_access(off),
            gold_rows=GoldRows(settings),
            judge=CorrectnessJudge(chat, judge_model) if options.judge else None,
        )
        with _baselines(settings, chat, options.baselines) as baselines:
            for number, item in enumerate(items, 1):
                principal = off.principal(item.user)
                rows = _answer_ours(ours, item, principal, ctx)
                rows += [score(item, a, principal, ctx) for a in baselines.attempts(item)]
                run.rows += rows
                progress(f"{number}/{len(items)} {item.id}: " + _brief(rows))
    return run


def _answer_ours(
    ours: Mapping[str, Copilot], item: GoldenItem, principal: Principal, ctx: ScoringContext
) -> list[dict[str, Any]]:
    answers = {
        name: copilot.answer(item.question, principal, qid=item.id).to_dict()
        for name, copilot in ours.items()
    }
    answers[OURS]["timings_ms"] = real_timings(
        answers[OURS_UNVERIFIED]["timings_ms"], answers[OURS]["timings_ms"]
    )
    attempts = [Attempt.from_answer(name, answer) for name, answer in answers.items()]
    return [score(item, attempt, principal, ctx) for attempt in attempts]


def real_timings(first: Mapping[str, float], second: Mapping[str, float]) -> dict[str, float]:
    """The verifier-on answer's true stage costs: the draft's stages from the first run (the
    second read them from memory) and the verifier's from the second."""
    stages = {k: float(v) for k, v in first.items() if k not in (*_VERIFIER_STAGES, "total")}
    stages.update({k: float(second[k]) for k in _VERIFIER_STAGES if k in second})
    stages["total"] = round(sum(stages.values()), 1)
    return stages


def _brief(rows: list[dict[str, Any]]) -> str:
    return " | ".join(
        f"{r['system']}: {'refused' if r['refused'] else repr(r['answer'][:70])}" for r in rows
    )


def _strict(settings: Settings) -> Settings:
    return settings.model_copy(update={"verifier": "strict"})


def retrieval_probe(workspace: Workspace, items: list[GoldenItem], k: int) -> list[dict[str, Any]]:
    """Recall@k and reciprocal rank of the expected sources, searched as each item's asker."""
    retriever = workspace.retriever()
    retriever.search("warm up", workspace.principal(None), k=k)  # loads the model and index
    probe: list[dict[str, Any]] = []
    for item in items:
        if item.expected_route != "retrieval" or not (item.answerable and item.expected_source_ids):
            continue
        started = time.perf_counter()
        found = retriever.search(item.question, workspace.principal(item.user), k=k)
        ms = (time.perf_counter() - started) * 1000
        sources = unique_in_order(e.source_id for e in found)
        probe.append(
            {
                "id": item.id,
                "recall": recall_at_k(sources, item.expected_source_ids, len(sources)),
                "mrr": reciprocal_rank(sources, item.expected_source_ids),
                "ms": round(ms, 2),
                "retrieved": sources,
            }
        )
    return probe


def source_access(workspace: Workspace) -> dict[str, Access]:
    """Each indexed source's access list, to count citations the asker may not see."""
    return {s.chunk.doc_id: s.chunk.access for s in workspace.catalog.all_chunks()}


class GoldRows:
    """The gold SQL's rows, run read-only on the item's database (memoised per item)."""

    def __init__(self, settings: Settings) -> None:
        self._urls = database_urls(settings)
        self._memo: dict[str, Rows | None] = {}

    def __call__(self, item: GoldenItem) -> Rows | None:
        if item.id not in self._memo:
            self._memo[item.id] = self._run(item)
        return self._memo[item.id]

    def _run(self, item: GoldenItem) -> Rows | None:
        url = for_item(self._urls, item)
        if url is None or not item.gold_sql:
            return None
        database = ReadOnlyDatabase(url, row_limit=1_000_000, timeout_s=60)
        return tuple(tuple(r) for r in database.run(item.gold_sql).rows)


def for_item(by_database: Mapping[str, T], item: GoldenItem) -> T | None:
    """What belongs to the item's database: the one it names, or the only one there is."""
    if item.database:
        return by_database.get(item.database)
    return next(iter(by_database.values())) if len(by_database) == 1 else None


_JUDGE_SCHEMA = {
    "type": "object",
    "properties": {"correct": {"type": "boolean"}},
    "required": ["correct"],
}
_JUDGE_SYSTEM = (
    "You grade answers. Say correct=true only if the candidate answer states the reference "
    "answer (same meaning; extra detail is fine). A refusal or a different answer is false."
)


class CorrectnessJudge:
    """Judged correctness: the judge model compares an answer with the reference."""

    def __init__(self, chat: ChatModel, model: str | None) -> None:
        self._chat = chat
        self._model = model

    def __call__(self, item: GoldenItem, answer: str) -> bool | None:
        facts = "; ".join(item.answer_facts)
        prompt = (
            f"Question: {item.question}\nReference answer: {item.reference}\n"
            f"Facts a correct answer contains: {facts or '-'}\nCandidate answer: {answer[:1500]}"
        )
        messages = [ChatMessage("system", _JUDGE_SYSTEM), ChatMessage("user", prompt)]
        try:
            reply = self._chat.complete(
                messages, json_schema=_JUDGE_SCHEMA, max_tokens=24, model=self._model
            )
            return bool(json.loads(reply.text)["correct"])
        except (CopilotError, ValueError, KeyError, TypeError):
            return None  # an unreadable verdict is left out, not counted either way


class Baselines:
    """The standard builds beside ours: LlamaIndex for document questions, LangChain's SQL
    chain for questions with gold SQL."""

    def __init__(self, rag: Any | None, sql: Mapping[str, Any]) -> None:
        self._rag = rag
        self._sql = sql

    def attempts(self, item: GoldenItem) -> list[Attempt]:
        out: list[Attempt] = []
        if self._rag is not None and item.expected_route == "retrieval":
            out.append(_from_baseline(LLAMAINDEX, self._rag.answer(item.question)))
        chain = for_item(self._sql, item)
        if chain is not None and item.gold_sql:
            out.append(_from_baseline(LANGCHAIN_SQL, chain.answer(item.question)))
        return out


def _from_baseline(system: str, answer: Any) -> Attempt:
    """A baseline's answer as an attempt, with no route: a baseline does not route, so it is
    left out of route accuracy."""
    rows = None if answer.rows is None else tuple(tuple(r) for r in answer.rows)
    return Attempt(
        system=system,
        text=answer.text,
        cited=tuple(answer.source_ids),
        refused=answer.error is not None or sounds_like_refusal(answer.text),
        sql=answer.sql,
        rows=rows,
        timings_ms={"total": round(answer.total_ms, 1)},
        error=answer.error,
    )


@contextmanager
def _baselines(settings: Settings, chat: ChatModel, enabled: bool) -> Iterator[Baselines]:
    """Baselines reach the same chat server by URL (they bring their own clients)."""
    if not enabled:
        yield Baselines(None, {})
        return
    from eval.baselines.langchain_sql import LangChainSqlBaseline
    from eval.baselines.llamaindex_rag import LlamaIndexBaseline

    base_url = server_url(settings, chat)
    has_docs = any(not isinstance(s, DatabaseSource) for s in settings.ws.sources)
    rag = LlamaIndexBaseline.build(settings, base_url) if has_docs else None
    sql = {
        name: LangChainSqlBaseline(settings, base_url, url)
        for name, url in database_urls(settings).items()
    }
    yield Baselines(rag, sql)


def server_url(settings: Settings, chat: ChatModel) -> str:
    """The OpenAI-compatible URL our chat model talks to (the embedded server is started)."""
    if settings.llm_base_url:
        return settings.llm_base_url
    start = getattr(chat, "server_url", None)
    if not callable(start):
        raise CopilotError("the chat model names no server URL; set COPILOT_LLM_BASE_URL")
    return str(start())
