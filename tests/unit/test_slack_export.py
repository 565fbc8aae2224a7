"""The Slack export connector against small exports in Slack's real workspace-export layout."""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from connectors.slack import SlackExportConnector
from copilot.config import NameFilter, SlackExportSource
from copilot.directory import UserDirectory
from copilot.errors import ConnectorError
from copilot.types import Access, Document, Principal

WORKSPACE = "https://acme.slack.com"
DAY1 = 1709294400  # 2024-03-01 12:00 UTC
DAY2 = DAY1 + 86400  # 2024-03-02 12:00 UTC
PARENT_TS = f"{DAY1}.000100"
REPLY1_TS = f"{DAY1 + 60}.000200"
REPLY2_TS = f"{DAY2}.000300"
LONE_TS = f"{DAY2 + 120}.000400"
SECRET_TS = f"{DAY1 + 300}.000500"
DM_TS = f"{DAY1 + 400}.000600"
GENERAL_THREAD = f"slack:C01GEN:{PARENT_TS}"
GENERAL_LONE = f"slack:C01GEN:{LONE_TS}"
SECOPS_THREAD = f"slack:G01SEC:{SECRET_TS}"
DM_THREAD = f"slack:D01ABC:{DM_TS}"


def _user(uid: str, name: str, real: str, email: str) -> dict[str, Any]:
    return {
        "id": uid,
        "name": name,
        "real_name": real,
        "profile": {"real_name": real, "email": email},
    }


def _msg(user: str, ts: str, text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "message", "user": user, "ts": ts, "text": text, **extra}


def _reply(user: str, ts: str, text: str) -> dict[str, Any]:
    return _msg(user, ts, text, thread_ts=PARENT_TS, parent_user_id="U01ALICE")


def export_files(edited_ts: str | None = None) -> dict[str, Any]:
    parent = _msg(
        "U01ALICE",
        PARENT_TS,
        "Cert for <https://api.acme.test|the API> expires Friday, <@U01BOB> can you renew?",
        thread_ts=PARENT_TS,
        reply_count=2,
        reply_users=["U01BOB"],
        replies=[{"user": "U01BOB", "ts": REPLY1_TS}, {"user": "U01BOB", "ts": REPLY2_TS}],
    )
    reply1 = _reply("U01BOB", REPLY1_TS, "On it, using certbot.")
    if edited_ts:
        reply1["edited"] = {"user": "U01BOB", "ts": edited_ts}
    day1 = [
        _msg("U01CAROL", f"{DAY1 - 50}.000001", "<@U01CAROL> has joined", subtype="channel_join"),
        parent,
        reply1,
        _msg("", f"{DAY1 + 90}.000009", "Deploy finished", subtype="bot_message", bot_id="B01"),
    ]
    day2 = [
        _reply("U01BOB", REPLY2_TS, "Renewed, valid until June."),
        _msg("U01CAROL", f"{DAY2 + 10}.000002", "<@U01CAROL> has left", subtype="channel_leave"),
        _msg("U01BOT", f"{DAY2 + 20}.000003", "Automated digest", bot_id="B02"),
        _msg("U01CAROL", LONE_TS, "Lunch at noon"),
    ]
    members = ["U01ALICE", "U01BOB", "U01CAROL"]
    return {
        "channels.json": [{"id": "C01GEN", "name": "general", "members": members}],
        "groups.json": [{"id": "G01SEC", "name": "secops", "members": ["U01ALICE", "U01BOB"]}],
        "dms.json": [{"id": "D01ABC", "members": ["U01ALICE", "U01CAROL"]}],
        "users.json": [
            _user("U01ALICE", "alice", "Alice Ng", "Alice@Acme.test"),
            _user("U01BOB", "bob", "Bob Ruiz", "bob@acme.test"),
            _user("U01CAROL", "carol", "Carol Ito", "carol@acme.test"),
        ],
        "general/2024-03-01.json": day1,
        "general/2024-03-02.json": day2,
        "secops/2024-03-01.json": [_msg("U01BOB", SECRET_TS, "Rotate the root key tonight")],
        "D01ABC/2024-03-01.json": [_msg("U01ALICE", DM_TS, "Private chat")],
    }


def write_folder(root: Path, files: dict[str, Any]) -> Path:
    for name, content in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        raw = content if isinstance(content, str) else json.dumps(content)
        target.write_text(raw, encoding="utf-8")
    return root


def write_zip(path: Path, files: dict[str, Any], top: str = "") -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in files.items():
            raw = content if isinstance(content, str) else json.dumps(content)
            archive.writestr(top + name, raw)
    return path


def connector(path: Path, include_dms: bool = False) -> SlackExportConnector:
    config = SlackExportSource(
        type="slack_export",
        name="slack",
        path=path,
        workspace_url=WORKSPACE + "/",
        include_dms=include_dms,
    )
    return SlackExportConnector(config, path, UserDirectory.empty())


def load(path: Path, **kwargs: Any) -> dict[str, Document]:
    return {d.id: d for d in connector(path, **kwargs).load()}


@pytest.fixture
def export(tmp_path: Path) -> Path:
    return write_folder(tmp_path / "export", export_files())


def test_thread_is_one_document_with_message_permalinks(export: Path) -> None:
    doc = load(export)[GENERAL_THREAD]
    base = f"{WORKSPACE}/archives/C01GEN"
    thread = f"?thread_ts={PARENT_TS}&cid=C01GEN"
    assert doc.kind == "slack" and doc.source == "slack"
    assert [s.url for s in doc.sections] == [
        f"{base}/p{PARENT_TS.replace('.', '')}",
        f"{base}/p{REPLY1_TS.replace('.', '')}{thread}",
        f"{base}/p{REPLY2_TS.replace('.', '')}{thread}",
    ]
    assert doc.url == doc.sections[0].url
    assert doc.sections[1].text == "Bob Ruiz: On it, using certbot."
    assert doc.sections[2].text == "Bob Ruiz: Renewed, valid until June."
    assert doc.updated_at == datetime.fromtimestamp(float(REPLY2_TS), tz=UTC)


def test_system_and_bot_messages_are_filtered(export: Path) -> None:
    docs = load(export)
    assert set(docs) == {GENERAL_THREAD, GENERAL_LONE, SECOPS_THREAD}
    text = "\n".join(d.text for d in docs.values())
    for noise in ("has joined", "has left", "Deploy finished", "Automated digest"):
        assert noise not in text
    assert docs[GENERAL_LONE].text == "Carol Ito: Lunch at noon"


def test_mentions_and_links_are_rendered_readably(export: Path) -> None:
    parent = load(export)[GENERAL_THREAD].sections[0].text
    assert parent == (
        "Alice Ng: Cert for the API (https://api.acme.test) expires Friday, "
        "@Bob Ruiz can you renew?"
    )


def test_public_channel_is_public_and_private_channel_is_members_only(export: Path) -> None:
    docs = load(export)
    assert docs[GENERAL_THREAD].access == Access.public()
    secret = docs[SECOPS_THREAD].access
    assert secret == Access(users=frozenset({"alice@acme.test", "bob@acme.test"}))
    assert secret.allows(Principal.user("bob@acme.test"))
    assert secret.allows(Principal.user("alice@acme.test"))
    assert not secret.allows(Principal.user("carol@acme.test"))
    assert not secret.allows(Principal.anonymous())


@pytest.mark.parametrize("top", ["", "acme-export/"])
def test_zip_export_gives_identical_documents(export: Path, tmp_path: Path, top: str) -> None:
    archive = write_zip(tmp_path / "export.zip", export_files(), top=top)
    from_folder = sorted(connector(export).load(), key=lambda d: d.id)
    from_zip = sorted(connector(archive).load(), key=lambda d: d.id)
    assert from_zip == from_folder
    assert [d.content_hash for d in from_zip] == [d.content_hash for d in from_folder]


def test_malformed_day_file_is_reported_and_other_days_load(tmp_path: Path) -> None:
    files = export_files()
    files["general/2024-03-01.json"] = '[{"type": "message", "ts": '
    source = connector(write_folder(tmp_path / "export", files))
    docs = {d.id: d for d in source.load()}
    assert len(source.problems) == 1
    assert "general/2024-03-01.json" in source.problems[0]
    # The reply from the second day still loads, as a thread of its own parent id.
    assert [s.text for s in docs[GENERAL_THREAD].sections] == [
        "Bob Ruiz: Renewed, valid until June."
    ]
    assert SECOPS_THREAD in docs and GENERAL_LONE in docs


def test_missing_export_raises_connector_error(tmp_path: Path) -> None:
    with pytest.raises(ConnectorError, match="does not exist"):
        list(connector(tmp_path / "nowhere").load())


def test_folder_without_channels_json_raises_connector_error(tmp_path: Path) -> None:
    files = {k: v for k, v in export_files().items() if k != "channels.json"}
    with pytest.raises(ConnectorError, match=r"channels\.json"):
        list(connector(write_folder(tmp_path / "export", files)).load())


def test_since_returns_only_threads_updated_after_it(export: Path) -> None:
    since = datetime.fromtimestamp(DAY1 + 3600, tz=UTC)
    assert set(load(export)) == {GENERAL_THREAD, GENERAL_LONE, SECOPS_THREAD}
    assert {d.id for d in connector(export).load(since=since)} == {GENERAL_THREAD, GENERAL_LONE}
    late = datetime.fromtimestamp(DAY2 + 60, tz=UTC)
    assert {d.id for d in connector(export).load(since=late)} == {GENERAL_LONE}


def test_edited_message_moves_updated_at(tmp_path: Path) -> None:
    edited = f"{DAY2 + 7200}.000000"
    plain = load(write_folder(tmp_path / "plain", export_files()))[GENERAL_THREAD]
    changed = load(write_folder(tmp_path / "edited", export_files(edited_ts=edited)))
    assert changed[GENERAL_THREAD].updated_at == datetime.fromtimestamp(DAY2 + 7200, tz=UTC)
    assert changed[GENERAL_THREAD].updated_at > plain.updated_at
    since = datetime.fromtimestamp(DAY2 + 3600, tz=UTC)
    edited_export = tmp_path / "edited"
    assert GENERAL_THREAD in {d.id for d in connector(edited_export).load(since=since)}


def test_list_ids_matches_loaded_ids(export: Path) -> None:
    source = connector(export)
    assert sorted(source.list_ids()) == sorted(d.id for d in source.load())


def test_dms_are_excluded_by_default_and_included_when_configured(export: Path) -> None:
    assert DM_THREAD not in load(export)
    with_dms = load(export, include_dms=True)
    assert DM_THREAD in with_dms
    dm = with_dms[DM_THREAD]
    assert dm.text == "Alice Ng: Private chat"
    assert dm.access == Access(users=frozenset({"alice@acme.test", "carol@acme.test"}))
    assert not dm.access.allows(Principal.user("bob@acme.test"))


def _channel_names(export: Path, **channels: list[str]) -> set[str]:
    config = SlackExportSource(
        type="slack_export",
        name="slack",
        path=export,
        channels=NameFilter(**channels),
    )
    docs = SlackExportConnector(config, export, UserDirectory.empty()).load()
    return {str(d.metadata["channel"]) for d in docs}


def test_channels_included_and_excluded_by_pattern(export: Path) -> None:
    every = _channel_names(export)
    assert len(every) >= 2
    first = sorted(every)[0]
    assert _channel_names(export, include=[first]) == {first}
    assert _channel_names(export, exclude=[first]) == every - {first}
    assert _channel_names(export, include=["*"], exclude=["*"]) == set()


def test_list_ids_match_loaded_ids(export: Path) -> None:
    source = connector(export)
    assert set(source.list_ids()) == {d.id for d in source.load()}
