"""The live Slack connector against a local fake of the Slack Web API, through slack_sdk.

The fake serves the very data the export connector's tests use, so both connectors can be held
to the same documents; then pagination, rate limits, incremental loads and failures.
"""

from __future__ import annotations

import copy
import logging
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from connectors.registry import build_connector
from connectors.slack import SlackExportConnector
from connectors.slack_api import SlackApiConnector
from copilot.config import NameFilter, SlackApiSource, SlackExportSource, WorkspaceConfig
from copilot.directory import DirectoryUser, UserDirectory
from copilot.errors import ConfigError, ConnectorError
from copilot.types import Access, Document, Principal
from tests.fakes.slack_api_server import FakeChannel, FakeSlackServer, FakeWorkspace
from tests.unit.test_slack_export import (
    DAY1,
    DAY2,
    DM_THREAD,
    GENERAL_LONE,
    GENERAL_THREAD,
    PARENT_TS,
    REPLY1_TS,
    SECOPS_THREAD,
    WORKSPACE,
    export_files,
    write_folder,
)

TOKEN = "xoxb-1111-2222-SeCrEtToKeN"
METHODS = (
    "users.list",
    "conversations.list",
    "conversations.members",
    "conversations.history",
    "conversations.replies",
)


def workspace_from_export(files: dict[str, Any]) -> FakeWorkspace:
    """The export's channels, members, users and messages, as the live API would hold them."""
    listings = (("channels.json", "public_channel"), ("groups.json", "private_channel"))
    channels = []
    for listing, kind in (*listings, ("dms.json", "im")):
        for entry in files[listing]:
            name = entry.get("name") or entry["id"]
            days = [v for k, v in sorted(files.items()) if k.startswith(f"{name}/")]
            messages = copy.deepcopy([m for day in days for m in day])
            channels.append(FakeChannel(entry["id"], name, kind, list(entry["members"]), messages))
    return FakeWorkspace(users=copy.deepcopy(files["users.json"]), channels=channels)


def connector(
    server: FakeSlackServer,
    token: str = TOKEN,
    directory: UserDirectory | None = None,
    **options: Any,
) -> SlackApiConnector:
    config = SlackApiSource(
        type="slack_api",
        name="slack",
        api_url=server.api_url,
        workspace_url=WORKSPACE + "/",
        **options,
    )
    return SlackApiConnector(config, token, directory or UserDirectory.empty())


def load(server: FakeSlackServer, since: datetime | None = None, **kw: Any) -> dict[str, Document]:
    return {d.id: d for d in connector(server, **kw).load(since)}


def message(user: str, ts: str, text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "message", "user": user, "ts": ts, "text": text, **extra}


def at(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


@pytest.fixture
def slack() -> Iterator[FakeSlackServer]:
    with FakeSlackServer(workspace_from_export(export_files()), token=TOKEN) as server:
        yield server


def test_documents_equal_the_export_connectors(slack: FakeSlackServer, tmp_path: Path) -> None:
    export = write_folder(tmp_path / "export", export_files())
    config = SlackExportSource(
        type="slack_export",
        name="slack",
        path=export,
        workspace_url=WORKSPACE + "/",
        include_dms=True,
    )
    from_export = sorted(
        SlackExportConnector(config, export, UserDirectory.empty()).load(), key=lambda d: d.id
    )
    from_api = sorted(connector(slack, include_dms=True).load(), key=lambda d: d.id)
    assert [d.id for d in from_api] == sorted(
        [GENERAL_THREAD, GENERAL_LONE, SECOPS_THREAD, DM_THREAD]
    )
    assert from_api == from_export
    assert [d.content_hash for d in from_api] == [d.content_hash for d in from_export]
    thread = next(d for d in from_api if d.id == GENERAL_THREAD)
    assert [s.text for s in thread.sections] == [
        "Alice Ng: Cert for the API (https://api.acme.test) expires Friday, "
        "@Bob Ruiz can you renew?",
        "Bob Ruiz: On it, using certbot.",
        "Bob Ruiz: Renewed, valid until June.",
    ]
    assert thread.sections[1].url == (
        f"{WORKSPACE}/archives/C01GEN/p{REPLY1_TS.replace('.', '')}"
        f"?thread_ts={PARENT_TS}&cid=C01GEN"
    )


def test_noise_is_filtered_and_dms_are_excluded_by_default(slack: FakeSlackServer) -> None:
    docs = load(slack)
    assert set(docs) == {GENERAL_THREAD, GENERAL_LONE, SECOPS_THREAD}
    text = "\n".join(d.text for d in docs.values())
    for noise in ("has joined", "has left", "Deploy finished", "Automated digest"):
        assert noise not in text
    listing = slack.calls("conversations.list")[0].params
    assert listing["types"] == "public_channel,private_channel"
    assert listing["exclude_archived"] in ("true", "1")
    assert {c.params["channel"] for c in slack.calls("conversations.history")} == {
        "C01GEN",
        "G01SEC",
    }


def test_private_channel_is_visible_to_its_members_only(slack: FakeSlackServer) -> None:
    secret = load(slack)[SECOPS_THREAD].access
    assert secret == Access(users=frozenset({"alice@acme.test", "bob@acme.test"}))
    assert secret.allows(Principal.user("bob@acme.test"))
    assert not secret.allows(Principal.user("carol@acme.test"))
    assert not secret.allows(Principal.anonymous())
    assert load(slack)[GENERAL_THREAD].access == Access.public()
    # The users directory wins over Slack's profile email.
    bob = DirectoryUser(email="robert@acme.test", name="Bob", slack_id="U01BOB")
    remapped = load(slack, directory=UserDirectory([bob]))[SECOPS_THREAD].access
    assert remapped.allows(Principal.user("robert@acme.test"))
    assert not remapped.allows(Principal.user("bob@acme.test"))


def test_private_channels_can_be_left_out(slack: FakeSlackServer) -> None:
    assert set(load(slack, include_private=False)) == {GENERAL_THREAD, GENERAL_LONE}
    assert slack.calls("conversations.list")[-1].params["types"] == "public_channel"


def big_workspace() -> FakeWorkspace:
    """Enough of everything that a page size of 2 needs several pages of each listing."""
    users = [
        {
            "id": f"U{i}",
            "name": f"user{i}",
            "profile": {"real_name": f"User {i}", "email": f"u{i}@x.test"},
        }
        for i in range(5)
    ]
    channels = [
        FakeChannel(
            f"C{i}", f"chan-{i}", messages=[message("U0", f"{DAY1 + i}.000100", f"hello {i}")]
        )
        for i in range(5)
    ]
    parent = message("U0", f"{DAY1}.000001", "Who owns the build?")
    replies = [
        message(f"U{i}", f"{DAY1 + 10 + i}.000001", f"reply {i}", thread_ts=parent["ts"])
        for i in range(5)
    ]
    lone = [message("U1", f"{DAY2 + i}.000001", f"note {i}") for i in range(4)]
    members = [f"U{i}" for i in range(5)]
    channels.append(
        FakeChannel("G1", "team", "private_channel", members, [parent, *replies, *lone])
    )
    return FakeWorkspace(users=users, channels=channels)


def test_every_listing_is_paginated_with_cursors() -> None:
    with FakeSlackServer(big_workspace(), token=TOKEN) as server:
        docs = load(server, page_size=2)
        requests = list(server.requests)
    assert len(docs) == 5 + 1 + 4
    thread = docs[f"slack:G1:{DAY1}.000001"]
    assert [s.text for s in thread.sections] == [
        "User 0: Who owns the build?",
        *(f"User {i}: reply {i}" for i in range(5)),
    ]
    assert thread.access == Access(users=frozenset(f"u{i}@x.test" for i in range(5)))
    for method in METHODS:
        calls = [r for r in requests if r.method == method]
        assert all(r.params["limit"] == "2" for r in calls), method
        assert any("cursor" in r.params for r in calls), f"{method} was not paginated"
    # 6 channels at 2 a page; 1 + 5 replies at 2 a page.
    assert len([r for r in requests if r.method == "conversations.list"]) == 3
    assert len([r for r in requests if r.method == "conversations.replies"]) == 3


def test_rate_limits_are_waited_out(slack: FakeSlackServer) -> None:
    slack.rate_limit_next(2)
    docs = load(slack, max_retries=3)
    assert set(docs) == {GENERAL_THREAD, GENERAL_LONE, SECOPS_THREAD}
    assert [r.status for r in slack.requests[:3]] == [429, 429, 200]
    assert slack.requests[0].method == slack.requests[2].method == "users.list"


def test_rate_limits_beyond_the_retries_fail_the_source(slack: FakeSlackServer) -> None:
    slack.rate_limit_next(1)
    with pytest.raises(ConnectorError, match=r"ratelimited.*max_retries"):
        list(connector(slack, max_retries=0).load())


def test_channel_include_and_exclude_patterns() -> None:
    names = ["eng-api", "eng-web", "eng-secret", "random"]
    channels = [
        FakeChannel(f"C{i}", name, messages=[message("U1", f"{DAY1 + i}.000100", name)])
        for i, name in enumerate(names)
    ]
    with FakeSlackServer(FakeWorkspace(channels=channels), token=TOKEN) as server:
        only = NameFilter(include=["eng-*"], exclude=["eng-secret"])
        docs = load(server, channels=only)
        read = {r.params["channel"] for r in server.calls("conversations.history")}
        assert {d.metadata["channel"] for d in docs.values()} == {"eng-api", "eng-web"}
        assert read == {"C0", "C1"}
        docs = load(server, channels=NameFilter(exclude=["eng-*"]))
        assert {d.metadata["channel"] for d in docs.values()} == {"random"}


def test_dms_are_included_when_configured(slack: FakeSlackServer) -> None:
    dm = load(slack, include_dms=True)[DM_THREAD]
    assert dm.text == "Alice Ng: Private chat"
    assert dm.access == Access(users=frozenset({"alice@acme.test", "carol@acme.test"}))
    assert not dm.access.allows(Principal.user("bob@acme.test"))
    assert slack.calls("conversations.list")[0].params["types"].endswith(",im,mpim")


def test_since_finds_a_new_reply_on_an_old_thread(slack: FakeSlackServer) -> None:
    assert set(load(slack, since=at(DAY1 + 3600))) == {GENERAL_THREAD, GENERAL_LONE}
    since = at(DAY2 + 3600)
    before = len(slack.calls("conversations.replies"))
    assert load(slack, since=since) == {}
    assert len(slack.calls("conversations.replies")) == before  # no thread was re-read
    late_ts = f"{DAY2 + 7200}.000700"
    slack.workspace.add_message(
        "C01GEN", message("U01CAROL", late_ts, "Reminder: renew again in May", thread_ts=PARENT_TS)
    )
    docs = load(slack, since=since)
    assert set(docs) == {GENERAL_THREAD}
    thread = docs[GENERAL_THREAD]
    assert thread.sections[-1].text == "Carol Ito: Reminder: renew again in May"
    assert len(thread.sections) == 4
    assert thread.updated_at == at(float(late_ts))
    assert len(slack.calls("conversations.replies")) == before + 1


def test_edits_change_the_content_hash_and_are_found_since(slack: FakeSlackServer) -> None:
    plain = load(slack)[GENERAL_THREAD]
    slack.workspace.edit_message("C01GEN", REPLY1_TS, "On it, using acme.sh.", f"{DAY2 + 60}.0")
    edited = load(slack)[GENERAL_THREAD]
    assert edited.sections[1].text == "Bob Ruiz: On it, using acme.sh."
    assert edited.content_hash != plain.content_hash
    assert edited.updated_at == at(DAY2 + 60)
    since = at(DAY2 + 3600)
    slack.workspace.edit_message(
        "C01GEN", PARENT_TS, "Cert renewed, thanks all", f"{DAY2 + 7200}.0"
    )
    docs = load(slack, since=since)
    assert set(docs) == {GENERAL_THREAD}
    assert docs[GENERAL_THREAD].sections[0].text == "Alice Ng: Cert renewed, thanks all"


def test_list_ids_follow_deletions(slack: FakeSlackServer) -> None:
    source = connector(slack)
    assert sorted(source.list_ids()) == sorted(d.id for d in source.load())
    replies_before = len(slack.calls("conversations.replies"))
    assert set(source.list_ids()) == {GENERAL_THREAD, GENERAL_LONE, SECOPS_THREAD}
    assert len(slack.calls("conversations.replies")) == replies_before  # history only
    # A deleted parent leaves a tombstone: its replies still form the thread.
    slack.workspace.delete_message("C01GEN", PARENT_TS)
    assert GENERAL_THREAD in set(source.list_ids())
    assert [s.text for s in load(slack)[GENERAL_THREAD].sections] == [
        "Bob Ruiz: On it, using certbot.",
        "Bob Ruiz: Renewed, valid until June.",
    ]
    slack.workspace.delete_thread("C01GEN", PARENT_TS)
    slack.workspace.delete_message("G01SEC", SECOPS_THREAD.rsplit(":", 1)[1])
    assert set(source.list_ids()) == {GENERAL_LONE}


def test_invalid_auth_fails_without_leaking_the_token(
    slack: FakeSlackServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = "xoxb-9999-WrOnGsEcReT"
    with pytest.raises(ConnectorError) as failure:
        list(connector(slack, token=wrong).load())
    message_text = str(failure.value)
    assert "invalid_auth" in message_text and "SLACK_BOT_TOKEN" in message_text
    assert wrong not in message_text and failure.value.__cause__ is None
    load(slack)  # a good run, logged at DEBUG too
    assert wrong not in caplog.text and TOKEN not in caplog.text


def test_not_in_channel_is_reported_and_other_channels_load(slack: FakeSlackServer) -> None:
    general = slack.workspace.channel("C01GEN")
    assert general is not None
    general.history_error = "not_in_channel"
    source = connector(slack)
    docs = {d.id for d in source.load()}
    assert docs == {SECOPS_THREAD}
    assert len(source.problems) == 1
    assert "#general" in source.problems[0] and "not_in_channel" in source.problems[0]


def test_unreachable_api_is_a_connector_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = SlackApiSource(type="slack_api", name="slack", api_url=f"http://127.0.0.1:{port}/api/")
    with pytest.raises(ConnectorError, match="cannot reach the Slack API"):
        list(SlackApiConnector(config, TOKEN, UserDirectory.empty()).load())


def test_registry_reads_the_token_from_the_named_variable(
    slack: FakeSlackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = SlackApiSource(
        type="slack_api", name="live", token_env="ACME_SLACK_TOKEN", api_url=slack.api_url
    )
    workspace = WorkspaceConfig(name="acme", root=tmp_path, sources=[source])
    monkeypatch.setenv("ACME_SLACK_TOKEN", TOKEN)
    built = build_connector(source, workspace, UserDirectory.empty())
    assert isinstance(built, SlackApiConnector)
    assert set(built.list_ids()) == {GENERAL_THREAD, GENERAL_LONE, SECOPS_THREAD}
    monkeypatch.delenv("ACME_SLACK_TOKEN")
    with pytest.raises(ConfigError, match="ACME_SLACK_TOKEN") as missing:
        build_connector(source, workspace, UserDirectory.empty())
    assert TOKEN not in str(missing.value)
