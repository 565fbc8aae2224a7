"""The router with the real MiniLM and a scripted model behind the real OpenAI client."""

from __future__ import annotations

import json

import pytest

from copilot.config import RouterConfig, Settings
from copilot.copilot import Workspace
from copilot.llm import OpenAICompatibleChat
from copilot.router import ROUTES, RouteDecision, Router
from indexes.embeddings import SentenceTransformerEmbedder
from tests.fakes.openai_server import FakeOpenAIServer
from tests.fakes.tiny_workspace import make_tiny_workspace

# No example is close to it: the fast path leaves it to the model.
UNSURE = "Tell me about the new office"
ODD_TOOL = "What's the weather at the Berlin office today?"
TRUST_MODEL = RouterConfig(llm_floor=0.0)  # accept whatever route the model picks


def _chat(server: FakeOpenAIServer) -> OpenAICompatibleChat:
    settings = Settings(_env_file=None, llm_max_retries=0)  # type: ignore[call-arg]
    return OpenAICompatibleChat(settings, server.base_url, json_mode="json_object")


def _router(
    embedder: SentenceTransformerEmbedder,
    server: FakeOpenAIServer | None,
    config: RouterConfig | None = None,
    available: set[str] | None = None,
) -> Router:
    chat = _chat(server) if server is not None else None
    routes = available if available is not None else set(ROUTES)
    return Router(embedder, chat, config or RouterConfig(), routes)  # type: ignore[arg-type]


def _reply(route: str, second: str | None = None, reason: str = "scripted") -> str:
    return json.dumps({"route": route, "second": second, "reason": reason})


@pytest.mark.parametrize(
    ("question", "route"),
    [
        ("Who's on call for SRE tonight?", "tool"),
        ("How many tickets did enterprise customers open last week?", "sql"),
        ("What's the policy on working from abroad?", "retrieval"),
    ],
)
def test_clear_questions_take_the_fast_path(
    embedder: SentenceTransformerEmbedder, fake_llm: FakeOpenAIServer, question: str, route: str
) -> None:
    decision = _router(embedder, fake_llm).route(question)
    assert (decision.route, decision.plan, decision.fast_path) == (route, (route,), True)
    assert decision.reason.startswith("fast path")
    assert set(decision.scores) == set(ROUTES)
    assert fake_llm.requests == []


def test_unsure_question_asks_the_model_with_a_schema(
    embedder: SentenceTransformerEmbedder, fake_llm: FakeOpenAIServer
) -> None:
    fake_llm.replies = [_reply("sql", reason="wants a figure")]
    decision = _router(embedder, fake_llm, TRUST_MODEL).route(UNSURE)
    assert (decision.route, decision.plan, decision.fast_path) == ("sql", ("sql",), False)
    assert "wants a figure" in decision.reason
    response_format = fake_llm.requests[0]["response_format"]
    assert response_format["type"] == "json_object"
    schema = response_format["schema"]
    assert schema["properties"]["route"]["enum"] == list(ROUTES)
    assert schema["required"] == ["route", "second", "reason"]


def test_malformed_reply_falls_back_with_a_reason(
    embedder: SentenceTransformerEmbedder, fake_llm: FakeOpenAIServer
) -> None:
    fake_llm.replies = ["route: sql, probably"]
    decision = _router(embedder, fake_llm).route(UNSURE)
    assert decision.route == "retrieval" and not decision.fast_path
    assert "invalid model reply" in decision.reason and "in doubt, retrieval" in decision.reason


def test_model_down_falls_back_without_raising(
    embedder: SentenceTransformerEmbedder, fake_llm: FakeOpenAIServer
) -> None:
    fake_llm.status = 500
    decision = _router(embedder, fake_llm).route(UNSURE)
    assert decision.route == "retrieval"
    assert "chat model failed" in decision.reason
    assert len(fake_llm.requests) == 1


def test_unavailable_routes_are_never_returned(
    embedder: SentenceTransformerEmbedder, fake_llm: FakeOpenAIServer
) -> None:
    assert _router(embedder, None, available={"retrieval", "sql"}).route(
        "Who's on call for SRE tonight?"
    ).route in {"retrieval", "sql"}
    never_fast = RouterConfig(fast_threshold=1.01, fast_margin=1.0)  # always ask the model
    router = _router(embedder, fake_llm, never_fast, available={"retrieval", "sql"})
    fake_llm.replies = [_reply("tool", second="tool")]
    decision = router.route("Who's on call for SRE tonight?")
    assert (decision.route, decision.plan) == ("retrieval", ("retrieval",))
    enum = fake_llm.requests[-1]["response_format"]["schema"]["properties"]["route"]["enum"]
    assert "tool" not in enum


def test_config_examples_change_a_decision(embedder: SentenceTransformerEmbedder) -> None:
    assert _router(embedder, None).fast_route(ODD_TOOL) is None
    config = RouterConfig(examples={"tool": ["What's the weather like at the office right now?"]})
    decision = _router(embedder, None, config).fast_route(ODD_TOOL)
    assert decision is not None and decision.route == "tool" and decision.fast_path


def test_two_step_plan_from_the_models_second(
    embedder: SentenceTransformerEmbedder, fake_llm: FakeOpenAIServer
) -> None:
    fake_llm.replies = [_reply("sql", second="retrieval", reason="a count and its policy")]
    decision = _router(embedder, fake_llm, TRUST_MODEL).route(UNSURE)
    assert decision == RouteDecision(
        "sql", "model: a count and its policy", ("sql", "retrieval"), False, decision.scores
    )


def test_model_cannot_leave_retrieval_without_a_plausible_example(
    embedder: SentenceTransformerEmbedder, fake_llm: FakeOpenAIServer
) -> None:
    fake_llm.replies = [_reply("sql", reason="sounds numeric")]
    router = _router(embedder, fake_llm, RouterConfig(llm_floor=0.99))
    decision = router.route(UNSURE)
    assert decision.route == "retrieval" and decision.plan == ("retrieval",)
    assert "model chose sql" in decision.reason and "in doubt, retrieval" in decision.reason


# Asked about a private Slack channel (#moving, Bob only) in words no example resembles.
MOVERS = "When do the movers arrive at Pier 39?"


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    workspace = Workspace(Settings.load(make_tiny_workspace(tmp_path_factory.mktemp("ws"))))
    workspace.ingest()
    return workspace


def test_a_visible_document_decides_retrieval_on_the_fast_path(tiny: Workspace) -> None:
    router = tiny.router(None, set(ROUTES), tiny.retriever())
    bob = tiny.principal("bob@tiny.example")
    assert router.fast_route(MOVERS) is None  # the examples alone are not sure
    decision = router.fast_route(MOVERS, bob)
    assert decision is not None and decision.route == "retrieval"
    assert "document the asker may see" in decision.reason
    assert router.rank(MOVERS, bob).documents >= RouterConfig().fast_threshold


def test_a_document_the_asker_may_not_see_does_not_count(tiny: Workspace) -> None:
    router = tiny.router(None, set(ROUTES), tiny.retriever())
    ann = tiny.principal("ann@tiny.example")  # not in #moving
    ranked = router.rank(MOVERS, ann)
    assert ranked.documents < router.rank(MOVERS, tiny.principal("bob@tiny.example")).documents
    assert ranked.documents < RouterConfig().fast_threshold - 2 * RouterConfig().fast_margin
    assert router.fast_route(MOVERS, ann) is None


def test_a_workspace_of_databases_only_sends_doubt_to_sql(
    embedder: SentenceTransformerEmbedder,
) -> None:
    """With nothing but schema cards to search, "in doubt, retrieval" would answer a data
    question from the schema; such a workspace sends it to sql instead (tools still win)."""
    question = "What's the policy on working from abroad?"
    databases_only = Router(embedder, None, RouterConfig(), {"sql", "tool"}, nothing_to_search=True)
    with_documents = _router(embedder, None, available={"sql", "tool"})
    decided = databases_only.route(question)
    assert with_documents.route(question).route == "retrieval"
    assert (decided.route, decided.plan) == ("sql", ("sql",))
    assert "only databases" in decided.reason
    assert databases_only.route("Who's on call for SRE tonight?").route == "tool"
    no_sql = Router(embedder, None, RouterConfig(), {"tool"}, nothing_to_search=True)
    assert no_sql.route(question).route == "retrieval"  # nowhere better to send it
