"""Retrieval chain: find the chunks the principal may see, number them, ask for a cited answer.

When nothing relevant is found the chain says "I don't know" without calling the model, so an
unanswerable question costs a search, not a generation. Small models often forget markers;
a sentence left uncited gets one to the evidence it is most similar to (embedding cosine),
and the verifier judges every marker later either way.
"""

from __future__ import annotations

import re

from copilot.chains.base import Chain, ChainContext
from copilot.citations import anchor_markers, split_sentences, strip_markers
from copilot.llm import ChatMessage, ChatModel
from copilot.types import Draft, Evidence
from indexes.embeddings import Embedder
from indexes.retriever import Retriever

DONT_KNOW = "I don't know."

SYSTEM_PROMPT = (
    "You answer employees' questions from the company's sources. Use only facts in the "
    "sources. Reply with one or two short sentences, each ending with its source number in "
    "brackets like [2]. If the sources do not answer the question, reply: I don't know."
)

# Two worked turns teach a small model the format better than any instruction does. The
# answered one comes last: a 0.5B model copies the nearest example, and with the refusal
# last it said "I don't know" even when source [1] held the answer (seen on 2026-11-21 after
# a llama.cpp rebuild changed its arithmetic slightly). Unsupported answers are the
# verifier's to remove; a needless refusal has no second chance.
_EXAMPLES: tuple[tuple[str, str], ...] = (
    (
        "Sources:\n[1] (Office guide) The office opens at 8:00.\n"
        "[2] (#random: lunch) Li: Tacos on Friday!\n\n"
        "Question: What is the company's stock ticker?",
        DONT_KNOW,
    ),
    (
        "Sources:\n"
        "[1] (Expenses policy) Meals on business travel are reimbursed up to $60 per day. "
        "Receipts are required above $25.\n"
        "[2] (#it-help: printer on floor 3) Dana: The floor 3 printer is PRN-3A; add it from "
        "Settings > Printers.\n\n"
        "Question: How much can I expense for meals when travelling?",
        "Meals on business travel are reimbursed up to $60 per day [1]. "
        "Receipts are required above $25 [1].",
    ),
)

RETRY_HINT = (
    "Answer the question again in one or two short sentences that state only what the "
    "sources say, each ending with its source number like [1]."
)

_REFUSALS = re.compile(
    r"^(i don'?t know|i do not know)|\b(not (specified|mentioned|provided|stated|found|"
    r"available) in the (provided )?sources?|sources? (do|does) not (say|mention|contain|"
    r"provide|specify))",
    re.IGNORECASE,
)


def format_evidence(evidence: list[Evidence]) -> str:
    return "\n".join(
        f"[{n}] ({item.title}) {' '.join(item.text.split())}" for n, item in enumerate(evidence, 1)
    )


def build_messages(
    question: str, evidence: list[Evidence], feedback: str = ""
) -> list[ChatMessage]:
    messages = [ChatMessage("system", SYSTEM_PROMPT)]
    for asked, answered in _EXAMPLES:
        messages += [ChatMessage("user", asked), ChatMessage("assistant", answered)]
    user = f"Sources:\n{format_evidence(evidence)}\n\nQuestion: {question}"
    if feedback:
        user += f"\n\nA reviewer rejected a previous answer:\n{feedback}\n{RETRY_HINT}"
    return [*messages, ChatMessage("user", user)]


def is_dont_know(text: str) -> bool:
    normalized = text.strip().replace("’", "'")
    return not normalized or bool(_REFUSALS.search(normalized))


class RetrievalChain(Chain):
    route = "retrieval"
    accepts_feedback = True

    def __init__(
        self,
        retriever: Retriever,
        chat: ChatModel,
        embedder: Embedder,
        min_relevance: float,
        attribution_threshold: float = 0.5,
        attribution_margin: float = 0.15,
        relevance_window: float = 1.0,
    ) -> None:
        self._retriever = retriever
        self._chat = chat
        self._embedder = embedder
        self._min_relevance = min_relevance
        self._attribution_threshold = attribution_threshold
        self._attribution_margin = attribution_margin
        self._relevance_window = relevance_window

    def _run(self, question: str, context: ChainContext) -> Draft:
        with context.timed("retrieve"):
            evidence = self._retriever.search(question, context.principal)
        best = max((e.relevance for e in evidence), default=0.0)
        if best < self._min_relevance:
            return Draft(text=DONT_KNOW, evidence=(), route="retrieval", refused=True)
        # Far weaker chunks mostly distract a small model; keep those near the best one.
        evidence = [e for e in evidence if e.relevance >= best - self._relevance_window]
        with context.timed("generate"):
            reply = self._chat.complete(build_messages(question, evidence, context.feedback))
        if is_dont_know(reply.text):
            return Draft(text=DONT_KNOW, evidence=tuple(evidence), route="retrieval", refused=True)
        with context.timed("attribute"):
            text = self._attribute(reply.text.strip(), evidence)
        return Draft(text=text, evidence=tuple(evidence), route="retrieval")

    def _attribute(self, text: str, evidence: list[Evidence]) -> str:
        sentences = split_sentences(text)
        if not sentences:
            return text
        vectors = self._embedder.embed_texts(
            [strip_markers(s) for s in sentences] + [e.text for e in evidence]
        )
        similarity = vectors[: len(sentences)] @ vectors[len(sentences) :].T
        return anchor_markers(
            sentences, similarity.tolist(), self._attribution_threshold, self._attribution_margin
        )
