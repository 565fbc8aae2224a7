"""The verifier with the real embedded chat model as its judge, on the tiny workspace: what
it shows is backed by visible evidence, and a planted falsehood never survives."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from copilot.citations import cited_numbers, split_sentences
from copilot.config import Settings
from copilot.copilot import Copilot, Workspace
from copilot.llm import ChatModel, open_chat_model
from copilot.types import Draft, Principal
from copilot.verifier import COULD_NOT_VERIFY
from indexes.embeddings import SentenceTransformerEmbedder
from tests.fakes.tiny_workspace import make_tiny_workspace

pytestmark = pytest.mark.integration

ANN = Principal.user("ann@tiny.example", frozenset({"eng"}))
QUESTIONS = (
    "How often are VPN client certificates renewed?",
    "What is the guest wifi password?",
    "What should I do when the VPN fails with error 809?",
)


@pytest.fixture(scope="module")
def workspace(
    tmp_path_factory: pytest.TempPathFactory, embedder: SentenceTransformerEmbedder
) -> Workspace:
    root = make_tiny_workspace(tmp_path_factory.mktemp("ws"))
    ws = Workspace(Settings.load(root).model_copy(update={"verifier": "strict"}))
    ws.embedder = embedder
    ws.ingest()
    return ws


@pytest.fixture(scope="module")
def chat(workspace: Workspace) -> Iterator[ChatModel]:
    with open_chat_model(workspace.settings, Path(workspace.settings.resolved_data_dir)) as model:
        yield model


@pytest.fixture(scope="module")
def copilot(workspace: Workspace, chat: ChatModel) -> Copilot:
    return workspace.copilot(chat)


@pytest.mark.parametrize("question", QUESTIONS)
def test_every_shown_sentence_is_cited_visible_and_judged(copilot: Copilot, question: str) -> None:
    answer = copilot.answer(question, ANN).to_dict()
    if answer["refused"]:
        assert answer["citations"] == []
        if answer["answer"] == COULD_NOT_VERIFY:
            assert answer["verdicts"] and answer["sources"]
        return
    assert answer["verified"] and "verify" in answer["timings_ms"]
    kept = [v for v in answer["verdicts"] if v["verdict"] == "supported"]
    sentences = split_sentences(answer["answer"])
    assert len(sentences) == len([v for v in kept if v["attempt"] == kept[-1]["attempt"]])
    numbers = {c["n"] for c in answer["citations"]}
    for sentence in sentences:
        assert cited_numbers(sentence) and set(cited_numbers(sentence)) <= numbers
    assert all(not c["source_id"].startswith("slack:G1") for c in answer["citations"])


def test_planted_falsehoods_never_survive(workspace: Workspace, chat: ChatModel) -> None:
    retriever = workspace.retriever()
    vpn = next(e for e in retriever.search("VPN certificates", ANN) if "vpn" in e.source_id)
    bob = Principal.user("bob@tiny.example", frozenset({"hr"}))
    move = next(e for e in retriever.search("office move Pier 39", bob) if "G1" in e.source_id)
    planted = {
        "45 days": "VPN client certificates are renewed every 45 days [1].",
        "Kravitz": "Renewal needs written approval from Zoltan Kravitz [1].",
        "Pier 39": "The office move to Pier 39 is planned for March 3 [2].",
        "manual": "Renewal of VPN certificates is always manual and never automatic [1].",
    }
    draft = Draft(" ".join(planted.values()), (vpn, move), "retrieval")
    verifier = workspace.verifier(chat)
    assert verifier is not None
    checked = verifier.check("How are VPN certificates renewed?", draft, ANN)
    assert checked.draft.refused and checked.draft.text == COULD_NOT_VERIFY
    assert [v.check for v in checked.verdicts[:3]] == ["cheap"] * 3
    # The contradiction passes every cheap check: only the judge can catch it. Its verdict is
    # not asserted (a small judge may miss it); the answer is refused whatever it says.
    assert checked.verdicts[3].check == "judge"
    assert [e.source_id for e in checked.sources] == [vpn.source_id]  # never the private one
