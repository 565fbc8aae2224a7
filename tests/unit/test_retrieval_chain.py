"""The retrieval chain and the copilot's steps, with the model scripted through its real
HTTP interface (a local OpenAI-compatible server) and real retrieval underneath."""

import pytest

from copilot.config import Settings
from copilot.copilot import Copilot, Workspace
from copilot.llm import OpenAICompatibleChat
from copilot.types import Principal
from indexes.embeddings import SentenceTransformerEmbedder
from tests.fakes.openai_server import FakeOpenAIServer
from tests.fakes.tiny_workspace import make_tiny_workspace

ANN = Principal.user("ann@tiny.example", frozenset({"eng"}))
BOB = Principal.user("bob@tiny.example", frozenset({"hr"}))


@pytest.fixture(scope="module")
def workspace(
    tmp_path_factory: pytest.TempPathFactory, embedder: SentenceTransformerEmbedder
) -> Workspace:
    settings = Settings.load(make_tiny_workspace(tmp_path_factory.mktemp("ws")))
    # These tests script the chain's own model calls; the verifier's and the short answer's
    # are scripted in their own tests.
    ws = Workspace(settings.model_copy(update={"verifier": "off", "short_answer": False}))
    ws.embedder = embedder
    ws.ingest()
    return ws


def _copilot(workspace: Workspace, server: FakeOpenAIServer) -> Copilot:
    chat = OpenAICompatibleChat(workspace.settings, server.base_url)
    return workspace.copilot(chat)


def _prompt(server: FakeOpenAIServer) -> str:
    return str(server.requests[-1]["messages"][-1]["content"])


def test_markers_become_citations(workspace: Workspace, fake_llm: FakeOpenAIServer) -> None:
    fake_llm.replies = ["VPN client certificates are renewed every 90 days [1]."]
    answer = _copilot(workspace, fake_llm).answer("How often are VPN certificates renewed?", ANN)
    assert answer.citations and answer.citations[0].source_id == "docs:it/vpn.md"
    assert answer.citations[0].url.endswith("vpn.md#certificates")
    assert answer.answer.endswith("[1].") and not answer.refused
    assert "[1]" in _prompt(fake_llm) and "90 days" in _prompt(fake_llm)
    assert set(answer.timings_ms) >= {"route", "retrieve", "generate", "total"}


def test_uncited_sentence_is_attributed(workspace: Workspace, fake_llm: FakeOpenAIServer) -> None:
    fake_llm.replies = ["The guest wifi password is acme-guest-2026 and it is rotated monthly."]
    answer = _copilot(workspace, fake_llm).answer("What is the guest wifi password?", ANN)
    assert [c.source_id for c in answer.citations] == ["slack:C1:1767600000.000100"]
    assert answer.answer.endswith("[1].")


def test_invented_marker_numbers_are_dropped(
    workspace: Workspace, fake_llm: FakeOpenAIServer
) -> None:
    fake_llm.replies = ["Restart the GlobalProtect agent [9]."]
    answer = _copilot(workspace, fake_llm).answer("How do I fix VPN error 809?", ANN)
    assert "[9]" not in answer.answer
    assert all(c.n <= len(answer.citations) for c in answer.citations)


def test_model_refusal_is_an_i_dont_know(workspace: Workspace, fake_llm: FakeOpenAIServer) -> None:
    fake_llm.replies = ["The sources do not mention the VPN vendor's stock price."]
    answer = _copilot(workspace, fake_llm).answer("What is the VPN vendor's stock price?", ANN)
    assert answer.refused and answer.citations == [] and answer.answer == "I don't know."


def test_nothing_relevant_means_no_model_call(
    workspace: Workspace, fake_llm: FakeOpenAIServer
) -> None:
    answer = _copilot(workspace, fake_llm).answer("Who won the 1998 football world cup?", ANN)
    assert answer.refused and answer.citations == []
    assert fake_llm.requests == []


def test_private_evidence_never_reaches_the_prompt_of_a_non_member(
    workspace: Workspace, fake_llm: FakeOpenAIServer
) -> None:
    fake_llm.replies = ["I don't know."] * 2
    copilot = _copilot(workspace, fake_llm)
    copilot.answer("When is the office move to Pier 39 planned?", ANN)
    assert all("Pier 39" not in str(r["messages"]) for r in fake_llm.requests)
    fake_llm.replies = ["The office move is planned for March 3 [1]."]
    answer = copilot.answer("When is the office move to Pier 39 planned?", BOB)
    assert "Pier 39" in _prompt(fake_llm)
    assert answer.citations[0].source_id == "slack:G1:1767600000.000500"


def test_llm_failure_propagates_as_copilot_error(
    workspace: Workspace, fake_llm: FakeOpenAIServer
) -> None:
    from copilot.errors import LLMError

    fake_llm.status = 500
    settings = workspace.settings.model_copy(update={"llm_max_retries": 0})
    copilot = workspace.copilot(OpenAICompatibleChat(settings, fake_llm.base_url))
    with pytest.raises(LLMError, match="HTTP 500"):
        copilot.answer("How often are VPN certificates renewed?", ANN)
