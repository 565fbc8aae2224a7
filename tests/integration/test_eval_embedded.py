"""`copilot eval` end to end on the sample workspace with the real embedded model: ours with
the verifier off and on, and both baselines on the same server, into the three report files.

Two questions (one document question, one SQL question) keep this within the suite's budget;
the figures themselves come from longer runs (see docs/evaluation.md)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ACME

pytestmark = pytest.mark.integration

ASKED = ("r001", "s001")


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COPILOT_")}
    return {**env, "COPILOT_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1"}


def _copilot(args: list[str], data_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "copilot.cli", *args],
        env=_env(data_dir),
        capture_output=True,
        text=True,
        timeout=900,
    )


def test_eval_writes_a_report_with_ours_beside_both_baselines(tmp_path: Path) -> None:
    data_dir, report_dir = tmp_path / "data", tmp_path / "report"
    assert _copilot(["ingest", "--workspace", str(ACME)], data_dir).returncode == 0
    lines = (ACME / "golden.jsonl").read_text(encoding="utf-8").splitlines()
    dataset = tmp_path / "two.jsonl"
    dataset.write_text(
        "\n".join(line for line in lines if json.loads(line)["id"] in ASKED) + "\n",
        encoding="utf-8",
    )
    args = ["eval", "--workspace", str(ACME), "--dataset", str(dataset)]
    result = _copilot([*args, "--report", str(report_dir), "--no-judge"], data_dir)
    assert result.returncode == 0, result.stderr[-3000:]

    report = json.loads((report_dir / "report.json").read_text(encoding="utf-8"))
    systems = report["systems"]
    assert set(systems) == {
        "ours",
        "ours_verifier_off",
        "llamaindex_vectorstoreindex",
        "langchain_sql_query_chain",
    }
    ours = systems["ours"]
    assert ours["questions"] == 2 and ours["access_leaks"] == 0
    assert "route_accuracy" in ours and "total" in ours["latency_ms"]
    assert "sql_accuracy" in systems["langchain_sql_query_chain"]
    assert "citation_precision" in report["comparisons"]["llamaindex_vectorstoreindex"]["figures"]
    # The document question's sources are found by retrieval (embeddings are deterministic).
    assert report["retrieval"]["questions"] == 1 and report["retrieval"]["recall_at_k"] > 0
    rows = {(r["id"], r["system"]): r for r in report["rows"]}
    langchain = rows[("s001", "langchain_sql_query_chain")]
    assert "customers" in (langchain["sql"] or langchain["error"] or "").lower()
    assert rows[("r001", "llamaindex_vectorstoreindex")]["cited"], "the baseline used no source"
    page = (report_dir / "report.html").read_text(encoding="utf-8")
    assert "data:image/png;base64," in page and "ours / baseline" in page
    assert "## Ours beside" in (report_dir / "report.md").read_text(encoding="utf-8")
