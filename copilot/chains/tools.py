"""Tool chain: let the model call the tools this principal may use, then answer from results.

Small local models rarely call a tool on their own, so the first round *forces* the tool
whose name and description are most similar to the question (vLLM and llama.cpp both accept
a named ``tool_choice``); later rounds let the model choose or stop. Every call goes through
the registry, which refuses what the principal may not use, so even a model that names a
hidden tool gets an error back and nothing runs. Each successful result becomes evidence
that only this principal may see, and the answer cites results as ``[n]``.

A call to a tool that changes data is never run here: when the registry would accept it but
for the user's confirmation, the chain records it as a pending action (copilot/actions.py) and
its answer only asks the user to confirm that exact call; the surfaces then show Confirm and
Cancel. Proposals are made to one person only, since one person must answer for a write.
"""

from __future__ import annotations

import json
import re
from typing import Any, Protocol

import numpy as np

from copilot.chains.base import Chain, ChainContext
from copilot.citations import strip_markers
from copilot.errors import CopilotError
from copilot.llm import ChatMessage, ChatModel, Completion, ToolCall
from copilot.tools.base import Tool, ToolResult
from copilot.tools.registry import PreparedCall, ToolRegistry
from copilot.types import Access, Draft, Evidence, PendingAction, Principal
from indexes.embeddings import Embedder

NO_TOOLS = "I can't use any tool for you here."
NO_RESULT = "I couldn't get an answer from the tools I may use for you."

SYSTEM_PROMPT = (
    "You answer employees' questions by calling the tools you are given. Call a tool with "
    "arguments taken from the question. Each tool result is numbered like [1]; answer in one "
    "or two short sentences that end with the number of the result they use, like [1]."
)

ANSWER_PROMPT = (
    "You answer employees' questions from tool results. Use only facts in the results. "
    "Reply with one or two short sentences, each ending with its result number in brackets "
    "like [1]. If the results do not answer the question, reply: I don't know."
)

_MARKER = re.compile(r"\[(\d+)\]")
_MAX_CALLS_PER_STEP = 4


class Proposals(Protocol):
    """Where the chain records a write for the user to confirm (``copilot.actions.Actions``)."""

    def propose(self, call: PreparedCall, principal: Principal) -> PendingAction: ...


class ToolChain(Chain):
    route = "tool"

    def __init__(
        self,
        registry: ToolRegistry,
        chat: ChatModel,
        embedder: Embedder,
        max_steps: int = 3,
        max_offered: int = 5,
        proposals: Proposals | None = None,
    ) -> None:
        self._proposals = proposals
        self._registry = registry
        self._chat = chat
        self._embedder = embedder
        self._max_steps = max(1, max_steps)
        self._max_offered = max_offered

    def _run(self, question: str, context: ChainContext) -> Draft:
        tools = self._registry.visible_to(context.principal)
        if not tools:
            return Draft(text=NO_TOOLS, evidence=(), route="tool", refused=True)
        ranked = self.rank(question, tools)[: self._max_offered]
        run = _Run(question, context, ranked)
        answer = self._loop(run)
        if run.proposal is not None:
            return proposal_draft(run.proposal)
        if not run.evidence:
            return Draft(text=NO_RESULT, evidence=(), route="tool", refused=True)
        if answer is None:
            answer = self._final_answer(run)
        return Draft(text=answer, evidence=tuple(run.evidence), route="tool")

    def rank(self, question: str, tools: list[Tool]) -> list[Tool]:
        """Tools most similar to the question first (name and description, cosine)."""
        if len(tools) == 1:
            return tools
        described = np.stack(
            [self._embedder.embed_query(f"{t.name}: {t.description}") for t in tools]
        )
        scores = (described @ self._embedder.embed_query(question)).tolist()
        order = sorted(range(len(tools)), key=lambda i: -scores[i])
        return [tools[i] for i in order]

    def _loop(self, run: _Run) -> str | None:
        """Up to ``max_steps`` rounds of calls; the model's own cited reply if it gives one."""
        specs = [t.openai_spec() for t in run.tools]
        for step in range(self._max_steps):
            forced = run.tools[0].name if step == 0 else None
            with run.context.timed("generate"):
                reply = self._chat.complete(run.messages, tools=specs, tool_choice=forced)
            if not reply.tool_calls:
                return reply.text.strip() if _is_cited_answer(run, reply.text) else None
            self._execute(run, reply)
            if run.proposal is not None:
                return None
        return None

    def _execute(self, run: _Run, reply: Completion) -> None:
        calls = reply.tool_calls[:_MAX_CALLS_PER_STEP]
        run.messages.append(ChatMessage("assistant", reply.text, tool_calls=calls))
        for call in calls:
            with run.context.timed("tool"):
                result = self._call(run, call)
            if run.proposal is not None:
                return  # nothing after a proposed write runs: the user decides first
            run.messages.append(ChatMessage("tool", run.record(call, result), tool_call_id=call.id))

    def _call(self, run: _Run, call: ToolCall) -> ToolResult:
        """Run a read; a write that passes every check but confirmation becomes the run's
        proposal instead (its result is then never read). Without a place to record
        proposals, the registry refuses writes as it always does."""
        tool = self._registry.get(call.name)
        principal = run.context.principal
        if self._proposals is None or tool is None or not tool.writes:
            return self._registry.call(call.name, call.arguments, principal)
        prepared = self._registry.prepare(call.name, call.arguments, principal)
        if isinstance(prepared, ToolResult):
            return prepared
        try:  # an audience, not one person, or a catalog failure: the model hears why
            run.proposal = self._proposals.propose(prepared, principal)
        except CopilotError as exc:
            return ToolResult.failure(str(exc))
        return ToolResult.success({"proposed": run.proposal.id})

    def _final_answer(self, run: _Run) -> str:
        """A fresh, tool-less prompt with numbered results: the format small models follow."""
        results = "\n".join(f"[{n}] ({e.title}) {e.text}" for n, e in enumerate(run.evidence, 1))
        messages = [
            ChatMessage("system", ANSWER_PROMPT),
            ChatMessage("user", f"Tool results:\n{results}\n\nQuestion: {run.question}"),
        ]
        with run.context.timed("generate"):
            return self._chat.complete(messages).text.strip()


class _Run:
    """One question's conversation and the evidence its tool results became."""

    def __init__(self, question: str, context: ChainContext, tools: list[Tool]) -> None:
        self.question = question
        self.context = context
        self.tools = tools
        self.evidence: list[Evidence] = []
        self.proposal: PendingAction | None = None
        self.messages: list[ChatMessage] = [
            ChatMessage("system", SYSTEM_PROMPT),
            ChatMessage("user", question),
        ]

    def record(self, call: ToolCall, result: ToolResult) -> str:
        """The tool turn's text; a successful result is numbered and kept as evidence."""
        if not result.ok:
            return result.to_json()
        self.evidence.append(tool_evidence(call, result, self.context.principal))
        return f"[{len(self.evidence)}] {result.to_json()}"

    def cites_evidence(self, text: str) -> bool:
        numbers = [int(n) for n in _MARKER.findall(text)]
        return bool(numbers) and all(1 <= n <= len(self.evidence) for n in numbers)


def _is_cited_answer(run: _Run, text: str) -> bool:
    """A reply counts as the answer only if it cites a result and says something besides."""
    return run.cites_evidence(text) and len(strip_markers(text).split()) >= 3


def proposal_draft(action: PendingAction) -> Draft:
    """The answer to a question that asked for a write: the exact call, and a request to
    confirm it. It states no fact, so it cites nothing (and the verifier passes it as is)."""
    expires = action.expires_at.strftime("%H:%M UTC")
    text = (
        f"I can run {action.summary}. This changes data. Confirm to run it, or cancel "
        f"(this request expires at {expires})."
    )
    return Draft(text=text, evidence=(), route="tool", pending_action=action)


def tool_evidence(call: ToolCall, result: ToolResult, principal: Principal) -> Evidence:
    """A result seen by exactly this principal: a tool may answer differently for others."""
    return Evidence(
        source_id=f"tool:{call.name}",
        kind="tool",
        title=f"{call.name}({_arguments(call.arguments)})",
        url="",
        text=json.dumps(result.content, ensure_ascii=False, sort_keys=True, default=str),
        access=Access(users=frozenset(m.email for m in principal.members)),
    )


def _arguments(arguments: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(arguments.items()))
