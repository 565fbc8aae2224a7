"""End to end through the command line on the sample workspace, with the real embedded model
(llama.cpp + Qwen2.5-Coder-0.5B) and the real embeddings: what a user of the CLI sees.

The verifier is off here: with it on, every answer swaps the embedded server to the 1.5B
judge and back (about a minute per answer on 2 cores), which would put this file alone past
the suite's time budget. The verifier on the real models is tested end to end in
``test_verifier_embedded.py``; routing, SQL, tools, access and the batch format are what
this file checks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ACME

pytestmark = pytest.mark.integration

COPILOT = [sys.executable, "-m", "copilot.cli"]
FORECAST = "slack:G0FINLEAD1:1787846400.001059"  # #finance-leads, private


def _env(data_dir: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COPILOT_")}
    return {
        **env,
        "COPILOT_DATA_DIR": str(data_dir),
        "COPILOT_VERIFIER": "off",
        "HF_HUB_OFFLINE": "1",
        **(extra or {}),
    }


# Off by default on the embedded server (it costs seconds there); these tests turn it on.
SHORT_ANSWERS = {"COPILOT_SHORT_ANSWER": "true"}


def _run(
    args: list[str], data_dir: Path, extra: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = _env(data_dir, extra)
    return subprocess.run([*COPILOT, *args], env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("acme-data")
    result = _run(["ingest", "--workspace", str(ACME), "--json"], folder)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["added"] >= 250 and report["failed"] == {} and report["chunks_total"] > 0
    return folder


def _ask(
    data_dir: Path, question: str, user: str | None = None, extra: dict[str, str] | None = None
) -> dict[str, Any]:
    args = ["ask", "--workspace", str(ACME), "--json", question]
    result = _run([*args, "--user", user] if user else args, data_dir, extra)
    assert result.returncode == 0, result.stderr
    answer: dict[str, Any] = json.loads(result.stdout)
    return answer


def _exists_in_acme(source_id: str) -> bool:
    kind, _, rest = source_id.partition(":")
    if kind == "docs":
        return (ACME / "docs" / rest).is_file()
    if kind == "slack":
        channel, _, thread_ts = rest.partition(":")
        folders = [p for p in (ACME / "slack").iterdir() if p.is_dir()]
        return bool(channel) and any(
            thread_ts in f.read_text() for d in folders for f in d.iterdir()
        )
    return kind == "db"


def test_second_ingest_embeds_nothing(data_dir: Path) -> None:
    result = _run(["ingest", "--workspace", str(ACME), "--json"], data_dir)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["chunks_embedded"] == 0 and report["added"] == 0 and report["unchanged"] >= 250


def test_answer_json_cites_real_sources(data_dir: Path) -> None:
    question = "How long are VPN device certificates valid?"
    answer = _ask(data_dir, question, "marcus.chen@acme.example", SHORT_ANSWERS)
    assert set(answer) >= {
        "answer",
        "route",
        "citations",
        "sql",
        "verified",
        "refused",
        "timings_ms",
    }
    assert answer["route"] == "retrieval" and not answer["refused"]
    assert answer["citations"], answer
    assert all(_exists_in_acme(c["source_id"]) for c in answer["citations"])
    assert "90 days" in answer["answer"] or any(
        "90 days" in c["snippet"] for c in answer["citations"]
    )
    assert f"[{answer['citations'][0]['n']}]" in answer["answer"]
    assert answer["timings_ms"]["total"] >= answer["timings_ms"]["retrieve"]
    short = answer["short_answer"]  # the words that answer, copied from the verified text
    assert short and "90" in short and len(short.split()) <= 4, answer
    assert short.lower() in answer["answer"].lower().replace("*", "")


def test_private_channel_answers_members_only(data_dir: Path) -> None:
    question = "What's our current Q3 2026 revenue forecast?"
    member = _ask(data_dir, question, "mei.tanaka@acme.example")
    assert FORECAST in [c["source_id"] for c in member["citations"]]
    assert "18.4" in member["answer"]
    outsider = _ask(data_dir, question, "jessica.moore@acme.example")
    assert FORECAST not in [c["source_id"] for c in outsider["citations"]]
    assert "18.4" not in json.dumps(outsider)


def test_batch_writes_every_line_and_reports_bad_ones(data_dir: Path, tmp_path: Path) -> None:
    batch = tmp_path / "questions.jsonl"
    batch.write_text(
        json.dumps({"id": "q1", "question": "What is the hotel cap per night in EMEA?"})
        + "\nnot json\n"
        + json.dumps({"id": "q3", "question": "Who won the 1998 World Cup?"})
        + "\n"
    )
    out = tmp_path / "answers.jsonl"
    args = ["ask", "--workspace", str(ACME), "--batch", str(batch), "--out", str(out)]
    result = _run([*args, "--user", "jessica.moore@acme.example"], data_dir)
    assert result.returncode == 1  # one line was bad
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["id"] for line in lines] == ["q1", "2", "q3"]
    assert lines[0]["citations"] and "error" in lines[1] and "line 2" in lines[1]["error"]
    assert lines[2]["refused"] and lines[2]["citations"] == []


def test_unknown_user_is_a_configuration_error(data_dir: Path) -> None:
    args = ["ask", "--workspace", str(ACME), "--user", "mallory@evil.example", "hi"]
    result = _run(args, data_dir)
    assert result.returncode == 2 and "not in the users directory" in result.stderr


def test_questions_are_routed_to_sql_and_tools(data_dir: Path, tmp_path: Path) -> None:
    batch = tmp_path / "routed.jsonl"
    batch.write_text(
        json.dumps({"id": "s", "question": "How many invoices are overdue right now?"})
        + "\n"
        + json.dumps({"id": "t", "question": "Who is the SRE on call on 2026-03-18?"})
        + "\n"
    )
    out = tmp_path / "routed_out.jsonl"
    args = ["ask", "--workspace", str(ACME), "--batch", str(batch), "--out", str(out)]
    result = _run([*args, "--user", "mei.tanaka@acme.example"], data_dir, SHORT_ANSWERS)
    assert result.returncode == 0, result.stderr
    sql, tool = (json.loads(line) for line in out.read_text().splitlines())
    assert sql["route"] == "sql" and sql["sql"].upper().startswith("SELECT")
    assert "LIMIT" in sql["sql"].upper()  # the guard's row limit
    assert [c["source_id"] for c in sql["citations"]][:1] == ["sql:acme"]
    assert "109" in sql["citations"][0]["snippet"]  # the real count in db/acme.sqlite
    assert sql["short_answer"] == "109"  # one cell is its own short answer
    assert tool["route"] == "tool"
    assert [c["source_id"] for c in tool["citations"]] == ["tool:oncall"]
    assert "victor.ivanov@acme.example" in tool["citations"][0]["snippet"]
