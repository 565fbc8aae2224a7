"""The command line's contract: usage errors, exit codes, and errors without tracebacks."""

from pathlib import Path

import pytest

from copilot.cli import main
from tests.fakes.tiny_workspace import make_tiny_workspace


def test_ask_needs_a_question_or_a_batch(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workspace = make_tiny_workspace(tmp_path / "ws")
    assert main(["ask", "--workspace", str(workspace)]) == 2
    assert "either a question or --batch" in capsys.readouterr().err


def test_batch_needs_out(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    workspace = make_tiny_workspace(tmp_path / "ws")
    batch = tmp_path / "q.jsonl"
    batch.write_text("{}\n")
    assert main(["ask", "--workspace", str(workspace), "--batch", str(batch)]) == 2
    assert "--out" in capsys.readouterr().err


def test_missing_workspace_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ingest", "--workspace", str(tmp_path / "nowhere")]) == 2
    err = capsys.readouterr().err
    assert "no copilot.yaml" in err and "Traceback" not in err


def test_ask_before_ingest_says_what_to_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COPILOT_LLM_BASE_URL", "http://127.0.0.1:9/v1")  # never reached
    workspace = make_tiny_workspace(tmp_path / "ws")
    assert main(["ask", "--workspace", str(workspace), "anything?"]) == 1
    assert "copilot ingest" in capsys.readouterr().err


def test_unknown_user_is_refused_before_any_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workspace = make_tiny_workspace(tmp_path / "ws")
    code = main(["ask", "--workspace", str(workspace), "--user", "eve@evil.example", "hi"])
    assert code == 2 and "not in the users directory" in capsys.readouterr().err


def test_refresh_exit_codes_and_json_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    workspace = make_tiny_workspace(tmp_path / "ws")
    (workspace / "slack" / "channels.json").unlink()  # the Slack source is broken
    assert main(["refresh", "--workspace", str(workspace), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert set(report) >= {"added", "updated", "deleted", "unchanged", "failed"}
    assert set(report) >= {"chunks_embedded", "duration_s"}
    assert "slack" in report["failed"] and report["added"] == 2  # the docs still refreshed
    (workspace / "copilot.yaml").write_text("name: [broken")
    assert main(["refresh", "--workspace", str(workspace)]) == 2


def test_plain_answer_shows_sql_and_skips_empty_links() -> None:
    import io

    from copilot.cli import _print_answer
    from copilot.types import Answer, Citation

    cited = Citation(1, "sql:acme", "sql", "Query result from acme", "", "SQL: SELECT 1")
    answer = Answer("q", "There are 109 [1].", "sql", [cited], sql="SELECT 1 LIMIT 100")
    out = io.StringIO()
    _print_answer(answer, out)
    text = out.getvalue()
    assert "SQL: SELECT 1 LIMIT 100" in text and "[1] Query result from acme" in text
    assert "\n      \n" not in text
