"""The audit log: rows per question, feedback, export, the v3 migration, and the CLI."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from copilot.audit import AuditEntry, AuditError, AuditLog, export, parse_since
from copilot.cli import main
from copilot.errors import CopilotError
from copilot.types import Answer, Citation
from indexes.catalog import SCHEMA_VERSION, Catalog
from tests.fakes.openai_server import FakeOpenAIServer
from tests.fakes.tiny_workspace import make_tiny_workspace

CITED = Citation(1, "docs:it/vpn.md", "doc", "VPN", "https://d.example/vpn", "...")
VERDICTS = [{"sentence": "It is 90 days [1].", "verdict": "supported", "cited": [1]}]


@pytest.fixture(params=["sqlite", "postgres", "mariadb"])
def catalog(request: pytest.FixtureRequest, tmp_path: Path) -> Catalog:
    if request.param == "sqlite":
        return Catalog(f"sqlite:///{tmp_path}/c.sqlite")
    url: str = request.getfixturevalue(f"{request.param}_url")
    return Catalog(url)


def _answer() -> Answer:
    return Answer(
        question="How long are VPN certificates valid?",
        answer="It is 90 days [1].",
        route="retrieval",
        citations=[CITED],
        verified=True,
        verdicts=VERDICTS,
        timings_ms={"total": 1500},
    )


def test_answer_failure_and_feedback_round_trip(catalog: Catalog) -> None:
    log = AuditLog.from_catalog(catalog)
    answered = log.record_answer(
        _answer(), surface="slack", asker="ann@tiny.example", audience="#eng (3 members)"
    )
    failed = log.record_failure("Why?", "LLMError: down", surface="cli", asker=None, latency_ms=12)
    log.set_feedback(answered, "down", reason="wrong team")
    entry = log.get(answered)
    assert entry is not None
    assert (entry.surface, entry.asker, entry.audience) == (
        "slack",
        "ann@tiny.example",
        "#eng (3 members)",
    )
    assert entry.source_ids == ["docs:it/vpn.md"] and entry.verdicts == VERDICTS
    assert entry.verified and not entry.refused and entry.latency_ms == 1500
    assert (entry.feedback, entry.feedback_reason) == ("down", "wrong team")
    assert entry.feedback_at is not None and entry.feedback_at.tzinfo is not None
    assert entry.asked_at.tzinfo is not None
    log.set_feedback(answered, "up")  # a second click replaces the first, keeps the reason
    again = log.get(answered)
    assert again is not None and again.feedback == "up" and again.feedback_reason == "wrong team"
    broken = log.get(failed)
    assert broken is not None and broken.refused and broken.error == "LLMError: down"
    assert [e.id for e in log.entries()] == [answered, failed]


def test_feedback_for_an_unknown_question_is_an_error(tmp_path: Path) -> None:
    log = AuditLog.from_catalog(Catalog(f"sqlite:///{tmp_path}/c.sqlite"))
    with pytest.raises(AuditError, match="unknown question"):
        log.set_feedback("nope", "up")


def test_entries_since_filters_by_time(tmp_path: Path) -> None:
    log = AuditLog.from_catalog(Catalog(f"sqlite:///{tmp_path}/c.sqlite"))
    now = datetime.now(UTC)
    for days, qid in ((10, "old"), (1, "new")):
        log.record(
            AuditEntry(qid, now - timedelta(days=days), "a@x", None, "cli", qid, "retrieval")
        )
    assert [e.id for e in log.entries(now - timedelta(days=5))] == ["new"]
    assert [e.id for e in log.entries()] == ["old", "new"]


def test_export_jsonl_and_csv(tmp_path: Path) -> None:
    log = AuditLog.from_catalog(Catalog(f"sqlite:///{tmp_path}/c.sqlite"))
    log.record_answer(_answer(), surface="cli", asker="ann@tiny.example")
    lines = io.StringIO()
    assert export(log.entries(), "jsonl", lines) == 1
    row = json.loads(lines.getvalue())
    assert row["source_ids"] == ["docs:it/vpn.md"] and row["surface"] == "cli"
    assert datetime.fromisoformat(row["asked_at"]).tzinfo is not None
    table = io.StringIO()
    export(log.entries(), "csv", table)
    rows = list(csv.DictReader(io.StringIO(table.getvalue())))
    assert len(rows) == 1 and json.loads(rows[0]["verdicts"]) == VERDICTS
    assert rows[0]["question"] == "How long are VPN certificates valid?"


def test_parse_since() -> None:
    assert parse_since("2026-01-31") == datetime(2026, 1, 31, tzinfo=UTC)
    assert parse_since("2026-01-31T10:00:00+02:00") == datetime(2026, 1, 31, 8, tzinfo=UTC)
    with pytest.raises(CopilotError, match="not a date") as caught:
        parse_since("last week")
    assert caught.value.exit_code == 2


def test_a_v2_catalog_migrates_to_the_current_schema(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/c.sqlite"
    Catalog(url)
    first = Catalog(url).engine
    with first.begin() as conn:  # make it look like a catalog written by the v2 copilot
        conn.execute(text("DROP TABLE audit_log"))
        conn.execute(text("DROP TABLE slack_events"))
        conn.execute(text("UPDATE copilot_meta SET value = '2' WHERE key = 'schema'"))
    migrated = Catalog(url)
    assert {"audit_log", "slack_events"} <= set(inspect(migrated.engine).get_table_names())
    with migrated.engine.connect() as conn:
        schema = conn.execute(text("SELECT value FROM copilot_meta WHERE key = 'schema'"))
        assert schema.scalar() == str(SCHEMA_VERSION) == "4"  # v4: pending_actions
    AuditLog.from_catalog(migrated).record_answer(_answer(), surface="cli", asker=None)


def test_cli_ask_records_and_audit_exports(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    fake_llm: FakeOpenAIServer,
) -> None:
    monkeypatch.setenv("COPILOT_LLM_BASE_URL", fake_llm.base_url)
    monkeypatch.setenv("COPILOT_VERIFIER", "off")  # the verifier's calls are scripted elsewhere
    workspace = make_tiny_workspace(tmp_path / "ws")
    assert main(["ingest", "--workspace", str(workspace)]) == 0
    fake_llm.replies = [
        "VPN client certificates are renewed every 90 days [1].",
        json.dumps({"short_answer": "every 90 days"}),  # on by default with a served model
    ]
    question = "How often are VPN certificates renewed?"
    args = ["ask", "--workspace", str(workspace), "--user", "ann@tiny.example", question]
    assert main(args) == 0
    assert "\nAnswer: every 90 days\n\nVPN client" in capsys.readouterr().out
    out = tmp_path / "audit.csv"
    export_args = ["audit", "--workspace", str(workspace), "--since", "2000-01-01"]
    assert main([*export_args, "--format", "csv", "--out", str(out)]) == 0
    rows = list(csv.DictReader(out.open()))
    assert [(r["surface"], r["asker"], r["question"]) for r in rows] == [
        ("cli", "ann@tiny.example", question)
    ]
    assert json.loads(rows[0]["source_ids"]) == ["docs:it/vpn.md"]
    assert main([*export_args[:3], "--since", "2999-01-01"]) == 0
    assert capsys.readouterr().out == ""  # nothing asked in the future
