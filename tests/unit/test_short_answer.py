"""The short answer: proposed by the model through the real chat client (a local
OpenAI-compatible server), accepted only when the verified text backs it word for word."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from copilot.chains.base import Chain, ChainContext
from copilot.config import Settings
from copilot.copilot import Copilot, Workspace
from copilot.llm import OpenAICompatibleChat
from copilot.router import RouteDecision
from copilot.short_answer import (
    ShortAnswerer,
    grounded,
    is_yes_no_question,
    parse_reply,
    single_cell,
)
from copilot.types import Access, Answer, Draft, Evidence, PendingAction, Principal, ResultTable
from tests.fakes.openai_server import FakeOpenAIServer

ANN = Principal.user("ann@x.example")
VPN_TEXT = "VPN client certificates are renewed every 90 days [1]. Renewal is automatic [1]."


def _reply(short: str) -> str:
    return json.dumps({"short_answer": short})


@pytest.fixture
def chat(settings: Settings, fake_llm: FakeOpenAIServer) -> OpenAICompatibleChat:
    return OpenAICompatibleChat(
        settings.model_copy(update={"llm_max_retries": 0}), fake_llm.base_url
    )


def _answer(text: str = VPN_TEXT, **changes: object) -> Answer:
    base: dict[str, object] = {
        "question": "How often are VPN certificates renewed?",
        "answer": text,
        "route": "retrieval",
        "citations": [],
    }
    base.update(changes)
    return Answer(**base)  # type: ignore[arg-type]


def test_a_span_of_the_verified_text_is_kept_as_written() -> None:
    assert grounded("every 90 days.", "They are renewed Every 90 days.", "How often?") == (
        "every 90 days"
    )
    assert grounded("Pete Sampras", "Pete Sampras defended his title.", "Who won?") == (
        "Pete Sampras"
    )


def test_words_the_verified_text_does_not_hold_are_refused() -> None:
    assert grounded("every 60 days", "They are renewed every 90 days.", "How often?") is None
    assert grounded("90 days renewed", "They are renewed every 90 days.", "How often?") is None
    assert grounded("", "They are renewed every 90 days.", "How often?") is None


def test_a_span_as_long_as_a_sentence_is_no_short_answer() -> None:
    text = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen"
    assert grounded(text, text, "Which?") is None
    assert grounded("one two three", text, "Which?") == "one two three"


def test_yes_and_no_only_answer_a_yes_or_no_question() -> None:
    text = "Both bands are from Canada."
    assert grounded("Yes", text, "Are both bands from Canada?") == "yes"
    assert grounded("no", text, "Did both bands form in 1990?") == "no"
    assert grounded("yes", text, "Which band is older?") is None
    assert grounded("yes", text, "Is Rush or Yes older?") is None


def test_yes_or_no_questions_open_with_an_auxiliary_verb() -> None:
    assert is_yes_no_question("Were Scott Derrickson and Ed Wood of the same nationality?")
    assert not is_yes_no_question("Who was born first, Scott Derrickson or Ed Wood?")
    assert not is_yes_no_question("Was Scott Derrickson or Ed Wood born first?")
    assert not is_yes_no_question("")


def test_an_unreadable_reply_proposes_nothing() -> None:
    assert parse_reply('{"short_answer": " 90 days "}') == "90 days"
    assert parse_reply("90 days") == ""
    assert parse_reply('{"short_answer": 90}') == ""
    assert parse_reply("{not json}") == ""


def test_one_cell_is_its_own_short_answer() -> None:
    assert single_cell(ResultTable(("overdue",), ((109,),))) == "109"
    assert single_cell(ResultTable(("a", "b"), ((1, 2),))) is None
    assert single_cell(ResultTable(("a",), ((1,), (2,)))) is None
    assert single_cell(ResultTable(("a",), ((None,),))) is None
    assert single_cell(None) is None


def test_the_model_sees_the_question_and_the_verified_text_without_markers(
    chat: OpenAICompatibleChat, fake_llm: FakeOpenAIServer
) -> None:
    fake_llm.replies = [_reply("every 90 days")]
    assert ShortAnswerer(chat).shorten(_answer()) == "every 90 days"
    request = fake_llm.requests[0]
    last = request["messages"][-1]["content"]
    assert "How often are VPN certificates renewed?" in last
    assert "every 90 days. Renewal is automatic." in last and "[1]" not in last
    assert "short_answer" in json.dumps(request["response_format"])


def test_a_proposal_the_text_does_not_back_is_dropped(
    chat: OpenAICompatibleChat, fake_llm: FakeOpenAIServer
) -> None:
    fake_llm.replies = [_reply("every 30 days")]
    assert ShortAnswerer(chat).shorten(_answer()) is None


def test_refusals_proposals_sql_and_tools_need_no_model(
    chat: OpenAICompatibleChat, fake_llm: FakeOpenAIServer
) -> None:
    shortener = ShortAnswerer(chat)
    action = PendingAction("a1", "create_ticket", {}, datetime(2026, 1, 1, tzinfo=UTC))
    table = ResultTable(("overdue",), ((109,),))
    assert shortener.shorten(_answer(refused=True)) is None
    assert shortener.shorten(_answer(pending_action=action)) is None
    assert shortener.shorten(_answer("109 invoices [1].", route="sql", sql_result=table)) == "109"
    assert shortener.shorten(_answer("Victor is on call [1].", route="tool")) is None
    assert fake_llm.requests == []


class _Chain(Chain):
    route = "retrieval"

    def __init__(self, draft: Draft) -> None:
        self._draft = draft

    def _run(self, question: str, context: ChainContext) -> Draft:
        return self._draft


class _Router:
    def route(self, question: str, principal: Principal | None = None) -> RouteDecision:
        return RouteDecision("retrieval", "scripted", ("retrieval",))


def test_the_copilot_shortens_its_final_answer_and_times_it(
    chat: OpenAICompatibleChat, fake_llm: FakeOpenAIServer
) -> None:
    evidence = Evidence("docs:vpn.md", "doc", "VPN", "", "renewed every 90 days", Access.public())
    draft = Draft("Certificates are renewed every 90 days [1].", (evidence,), "retrieval")
    copilot = Copilot(_Router(), {"retrieval": _Chain(draft)}, shortener=ShortAnswerer(chat))
    fake_llm.replies = [_reply("every 90 days")]
    answer = copilot.answer("How often are certificates renewed?", ANN)
    assert answer.short_answer == "every 90 days"
    assert answer.to_dict()["short_answer"] == "every 90 days"
    assert "shorten" in answer.timings_ms
    unshortened = Copilot(_Router(), {"retrieval": _Chain(draft)}).answer("q", ANN)
    assert unshortened.short_answer is None and len(fake_llm.requests) == 1


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, False),  # the embedded CPU server: seconds a call, off unless asked for
        ({"llm_base_url": "http://vllm:8000/v1"}, True),  # a served model: on
        ({"short_answer": True}, True),
        ({"llm_base_url": "http://vllm:8000/v1", "short_answer": False}, False),
    ],
)
def test_short_answers_are_on_by_default_only_with_a_served_model(
    settings: Settings, chat: OpenAICompatibleChat, changes: dict[str, object], expected: bool
) -> None:
    base = settings.model_copy(update={"llm_base_url": None, "short_answer": None})
    workspace = Workspace(base.model_copy(update=changes))
    assert (workspace.shortener(chat) is not None) is expected


def test_a_model_failure_loses_only_the_short_answer(
    chat: OpenAICompatibleChat, fake_llm: FakeOpenAIServer, caplog: pytest.LogCaptureFixture
) -> None:
    fake_llm.status = 503
    assert ShortAnswerer(chat).shorten(_answer()) is None
    assert "short answer skipped" in caplog.text
