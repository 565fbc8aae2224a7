"""Ingest, refresh gates and access-filtered hybrid retrieval, on the real embedding model."""

import json
import os
import time
from pathlib import Path

import pytest

from copilot.config import Settings
from copilot.copilot import Workspace
from copilot.errors import IndexNotReadyError
from copilot.types import Principal
from indexes.embeddings import SentenceTransformerEmbedder
from indexes.lock import RefreshLockedError, refresh_lock
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


def _set_mtime_days_ago(path: Path, days: int) -> None:
    past = time.time() - days * 86400
    os.utime(path, (past, past))


def test_gate_one_trusts_timestamps(workspace: Workspace) -> None:
    workspace.ingest()
    vpn = workspace.settings.ws.root / "docs" / "it" / "vpn.md"
    vpn.write_text(vpn.read_text().replace("90 days", "30 days"))
    _set_mtime_days_ago(vpn, 30)  # an edit the timestamp does not show is not looked at
    assert workspace.ingest().to_dict()["updated"] == 0
    vpn.touch()
    assert workspace.ingest().to_dict()["updated"] == 1


def test_touched_but_unchanged_file_is_stopped_by_the_hash(workspace: Workspace) -> None:
    workspace.ingest()
    (workspace.settings.ws.root / "docs" / "it" / "vpn.md").touch()
    report = workspace.ingest()
    assert report.chunks_embedded == 0 and report.to_dict()["unchanged"] == 4


def test_new_file_with_an_old_timestamp_is_still_added(workspace: Workspace) -> None:
    workspace.ingest()
    restored = workspace.settings.ws.root / "docs" / "it" / "badge.md"
    restored.write_text("# Badges\n\nLost badges are replaced at the front desk in room 12.\n")
    _set_mtime_days_ago(restored, 400)
    report = workspace.ingest()
    assert report.to_dict()["added"] == 1
    assert "docs:it/badge.md" in _ids(workspace, "lost badge replacement", ANN)


def test_late_reply_on_an_old_thread_is_found(workspace: Workspace) -> None:
    workspace.ingest()
    day = workspace.settings.ws.root / "slack" / "general" / "2026-01-05.json"
    messages = json.loads(day.read_text())
    reply_ts = f"{time.time() + 5:.6f}"
    late = {"type": "message", "user": "U1", "ts": reply_ts, "thread_ts": "1767600000.000100"}
    messages.append({**late, "text": "Update: the guest network moved to SSID acme-visitors."})
    day.write_text(json.dumps(messages))
    report = workspace.ingest()
    assert report.to_dict()["updated"] == 1
    top = workspace.retriever().search("guest network SSID acme-visitors", ANN, k=1)[0]
    assert top.source_id == "slack:C1:1767600000.000100" and "acme-visitors" in top.text


def test_dry_run_reports_and_changes_nothing(workspace: Workspace) -> None:
    workspace.ingest()
    vpn = workspace.settings.ws.root / "docs" / "it" / "vpn.md"
    vpn.write_text(vpn.read_text() + "\nCall the help desk at extension 4357.\n")
    dry = workspace.ingest(dry_run=True)
    assert dry.dry_run and dry.to_dict()["updated"] == 1 and dry.chunks_embedded > 0
    assert workspace.catalog.active_version() == 1
    assert workspace.ingest().to_dict()["updated"] == 1  # the checkpoint did not move


def test_report_is_stored_in_the_catalog(workspace: Workspace) -> None:
    report = workspace.ingest()
    stored = workspace.catalog.last_run()
    assert stored is not None and stored["status"] == "ok"
    assert stored["report"] == json.loads(json.dumps(report.to_dict()))


def test_one_refresh_at_a_time(workspace: Workspace) -> None:
    with (
        refresh_lock(workspace.settings.resolved_data_dir),
        pytest.raises(RefreshLockedError, match="another refresh is running"),
    ):
        workspace.ingest()
    assert workspace.ingest().version == 1  # the lock was released


def test_deleted_thread_disappears_from_search(workspace: Workspace) -> None:
    workspace.ingest()
    day = workspace.settings.ws.root / "slack" / "general" / "2026-01-05.json"
    kept = [m for m in json.loads(day.read_text()) if "wifi" not in m["text"].lower()]
    kept = [m for m in kept if m.get("thread_ts") != "1767600000.000100"]
    day.write_text(json.dumps(kept))
    report = workspace.ingest()
    assert report.to_dict()["deleted"] == 1
    assert "slack:C1:1767600000.000100" not in _ids(workspace, "guest wifi password", ANN)
