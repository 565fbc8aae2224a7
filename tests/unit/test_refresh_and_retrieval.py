"""Ingest, refresh gates and access-filtered hybrid retrieval, on the real embedding model."""

from pathlib import Path

import pytest

from copilot.config import Settings
from copilot.copilot import Workspace
from copilot.errors import IndexNotReadyError
from copilot.types import Principal
from indexes.embeddings import SentenceTransformerEmbedder
from tests.fakes.tiny_workspace import make_tiny_workspace

ANN = Principal.user("ann@tiny.example", frozenset({"eng"}))
BOB = Principal.user("bob@tiny.example", frozenset({"hr"}))
MOVE_THREAD = "slack:G1:1767600000.000500"


@pytest.fixture
def workspace(tmp_path: Path, embedder: SentenceTransformerEmbedder) -> Workspace:
    root = make_tiny_workspace(tmp_path / "ws")
    ws = Workspace(Settings.load(root))
    ws.embedder = embedder  # share the session's loaded model instead of loading it again
    return ws


def _ids(ws: Workspace, query: str, principal: Principal) -> list[str]:
    return [e.source_id for e in ws.retriever().search(query, principal, k=5)]


def test_first_ingest_indexes_everything(workspace: Workspace) -> None:
    report = workspace.ingest()
    assert report.to_dict()["added"] == 4  # 2 docs + 2 threads (the join is filtered)
    assert report.failed == {}
    assert report.chunks_embedded == report.chunks_total > 0
    assert workspace.catalog.active_version() == report.version == 1


def test_unchanged_second_run_embeds_nothing(workspace: Workspace) -> None:
    workspace.ingest()
    second = workspace.ingest()
    assert second.chunks_embedded == 0
    assert second.to_dict()["unchanged"] == 4
    assert second.version == 1


def test_edit_reembeds_only_that_document(workspace: Workspace) -> None:
    first = workspace.ingest()
    vpn = workspace.settings.ws.root / "docs" / "it" / "vpn.md"
    vpn.write_text(vpn.read_text().replace("90 days", "45 days"))
    second = workspace.ingest()
    assert second.to_dict()["updated"] == 1
    assert 0 < second.chunks_embedded < first.chunks_embedded
    top = workspace.retriever().search("how often are VPN certificates renewed", ANN, k=1)[0]
    assert "45 days" in top.text


def test_deleted_document_disappears_from_search(workspace: Workspace) -> None:
    workspace.ingest()
    (workspace.settings.ws.root / "docs" / "it" / "vpn.md").unlink()
    report = workspace.ingest()
    assert report.to_dict()["deleted"] == 1
    assert "docs:it/vpn.md" not in _ids(workspace, "VPN certificates error 809", ANN)


def test_failing_source_keeps_its_documents_and_others_refresh(workspace: Workspace) -> None:
    workspace.ingest()
    root = workspace.settings.ws.root
    (root / "slack" / "channels.json").unlink()
    (root / "slack" / "groups.json").unlink()
    (root / "docs" / "it" / "new.md").write_text("# New\n\nThe new badge office is in room 12.\n")
    report = workspace.ingest()
    assert "slack" in report.failed and "channels.json" in report.failed["slack"]
    assert report.sources["docs"].added == 1
    assert "slack:C1:1767600000.000100" in _ids(workspace, "guest wifi password", ANN)


def test_private_channel_only_for_members(workspace: Workspace) -> None:
    workspace.ingest()
    assert MOVE_THREAD in _ids(workspace, "when is the office move", BOB)
    assert MOVE_THREAD not in _ids(workspace, "when is the office move", ANN)
    assert MOVE_THREAD not in _ids(workspace, "office move Pier 39", Principal.anonymous())


def test_restricted_folder_only_for_its_group(workspace: Workspace) -> None:
    workspace.ingest()
    assert "docs:hr/pay.md" in _ids(workspace, "salary band adjustment", BOB)
    for principal in (ANN, Principal.anonymous()):
        assert "docs:hr/pay.md" not in _ids(workspace, "salary band adjustment", principal)


def test_retrieval_before_ingest_says_what_to_do(workspace: Workspace) -> None:
    with pytest.raises(IndexNotReadyError, match="copilot ingest"):
        workspace.retriever()


def test_a_crash_before_commit_leaves_the_old_version_serving(workspace: Workspace) -> None:
    workspace.ingest()
    # A refresh that died after writing its files but before committing leaves a folder the
    # catalog never pointed at; readers keep using version 1 and the next run cleans up.
    stray = workspace.store.folder(2)
    stray.mkdir(parents=True)
    (stray / "vectors.faiss").write_bytes(b"half written")
    assert workspace.catalog.active_version() == 1
    assert "docs:it/vpn.md" in _ids(workspace, "VPN error 809", ANN)
    vpn = workspace.settings.ws.root / "docs" / "it" / "vpn.md"
    vpn.write_text(vpn.read_text() + "\nAsk #it-help for anything else.\n")
    assert workspace.ingest().version == 2
    assert "docs:it/vpn.md" in _ids(workspace, "VPN error 809", ANN)
