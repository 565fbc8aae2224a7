"""The answer in a few words, taken from the verified answer so that it claims nothing new.

A reader scanning a Slack thread wants "Pete Sampras" before the sentence that backs it, and
short-answer benchmarks (HotpotQA's exact match and F1) score exactly that span. The model
proposes the span; code accepts it only when it is copied word for word from the verified
sentences, or is "yes"/"no" to a yes-or-no question, so the short answer is exactly as well
supported as the sentences it comes from. Anything else is dropped: no short answer is
better than an unchecked one.

An SQL answer of one cell needs no model: that cell is the short answer.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from copilot.citations import strip_markers
from copilot.errors import LLMError
from copilot.llm import ChatMessage, ChatModel, reply_object
from copilot.types import Answer, ResultTable

log = logging.getLogger(__name__)

MAX_WORDS = 12

SYSTEM_PROMPT = (
    "Copy from the answer the few words that answer the question (a name, date, number or "
    'phrase). A yes-or-no question gets "yes" or "no"; an answer that does not answer gets "".'
)

# Worked turns teach a small model the format better than instructions; the last one is a
# plain span, the common case (a 0.5B model copies the nearest example).
_EXAMPLES: tuple[tuple[str, str, str], ...] = (
    (
        "Are the Berlin and Lisbon offices in the same time zone?",
        "The Berlin office keeps Central European Time. The Lisbon office keeps Western "
        "European Time.",
        "no",
    ),
    (
        "Who approves production deploys?",
        "The office opens at 8:00.",
        "",
    ),
    (
        "How much can I expense for meals when travelling?",
        "Meals on business travel are reimbursed up to $60 per day. Receipts are required "
        "above $25.",
        "up to $60 per day",
    ),
)

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"short_answer": {"type": "string", "maxLength": 120}},
    "required": ["short_answer"],
    "additionalProperties": False,
}

_YES_NO_OPENERS = frozenset(
    {"is", "are", "was", "were", "am", "do", "does", "did", "can", "could", "has", "have"}
    | {"had", "will", "would", "shall", "should", "may", "might", "must"}
)
_WORD = re.compile(r"\w+")


class ShortAnswerer:
    """Adds ``Answer.short_answer``: one short model call on a retrieval answer, none on SQL."""

    def __init__(self, chat: ChatModel, *, model: str | None = None) -> None:
        self._chat = chat
        self._model = model

    def shorten(self, answer: Answer) -> str | None:
        if answer.refused or answer.pending_action is not None:
            return None
        if answer.route == "sql":
            return single_cell(answer.sql_result)
        if answer.route != "retrieval":
            return None  # a tool's reply is already the fact asked for
        text = strip_markers(answer.answer)
        try:
            reply = self._chat.complete(
                messages(answer.question, text),
                max_tokens=40,
                json_schema=SCHEMA,
                model=self._model,
            )
        except LLMError as exc:  # the verified answer stands without its short form
            log.warning("short answer skipped: %s", exc)
            return None
        return grounded(parse_reply(reply.text), text, answer.question)


def messages(question: str, answer_text: str) -> list[ChatMessage]:
    turns = [ChatMessage("system", SYSTEM_PROMPT)]
    for q, a, short in _EXAMPLES:
        turns.append(ChatMessage("user", _prompt(q, a)))
        turns.append(ChatMessage("assistant", json.dumps({"short_answer": short})))
    turns.append(ChatMessage("user", _prompt(question, answer_text)))
    return turns


def _prompt(question: str, answer_text: str) -> str:
    return f"Question: {question}\nVerified answer: {answer_text}"


def parse_reply(text: str) -> str:
    """The proposed span, or "" when the reply is not the JSON asked for."""
    value = reply_object(text, "short answer").get("short_answer")
    return value.strip() if isinstance(value, str) else ""


def grounded(short: str, answer_text: str, question: str) -> str | None:
    """``short`` if the verified text backs it word for word (yes/no only for a yes-or-no
    question), trimmed of edge punctuation; else ``None``. A span as long as a sentence is no
    short answer either."""
    short = short.strip(" \t\n.,;:!?\"'")
    words = _words(short)
    if not words or len(words) > MAX_WORDS:
        return None
    if words in (["yes"], ["no"]):
        return words[0] if is_yes_no_question(question) else None
    return short if _contains(_words(answer_text), words) else None


def is_yes_no_question(question: str) -> bool:
    """Opens with an auxiliary verb ("Are both ...", "Did she ..."), and offers no choice
    ("Is X or Y older?" wants a name)."""
    words = _words(question)
    return bool(words) and words[0] in _YES_NO_OPENERS and "or" not in words


def single_cell(result: ResultTable | None) -> str | None:
    """A result of exactly one value (a count, a sum, a name) is its own short answer."""
    if result is None or len(result.columns) != 1 or len(result.rows) != 1:
        return None
    value = result.rows[0][0]
    return None if value is None else str(value)


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def _contains(haystack: list[str], needle: list[str]) -> bool:
    width = len(needle)
    return any(haystack[i : i + width] == needle for i in range(len(haystack)))
