"""Refresh throughput: a first (full) run and a no-change run, per dataset.

    python -m bench.refresh                       # examples/acme and ../shared/benchmarks/slack
    python -m bench.refresh --slack-export PATH   # another Slack export

Each run is a separate process (as cron would start it), so peak memory is per run. The
target: a no-change refresh costs under 10% of the first run's time.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import print_table, write_rows
from copilot.arguments import output_file

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SLACK = REPO.parent / "shared" / "benchmarks" / "slack" / "slack_export"


def run_once(workspace: Path, data_dir: Path) -> dict[str, Any]:
    """One refresh in a child process; its report plus peak RSS (this process's children)."""
    code = (
        "import json, resource, sys\n"
        "from copilot.config import Settings\n"
        "from copilot.copilot import Workspace\n"
        "report = Workspace(Settings.load(__import__('pathlib').Path(sys.argv[1]))).ingest()\n"
        "data = report.to_dict()\n"
        "data['peak_rss_mb'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        "print(json.dumps(data))\n"
    )
    env = {**os.environ, "COPILOT_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1"}
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", code, str(workspace)],
        env=env, capture_output=True, text=True, check=True, cwd=REPO,
    )  # fmt: skip
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["process_s"] = round(time.monotonic() - started, 2)  # with start-up and imports
    return result


def slack_workspace(export: Path, folder: Path) -> Path:
    (folder / "copilot.yaml").write_text(
        "name: slack-benchmark\nsources:\n"
        f"  - {{type: slack_export, name: slack, path: {export}, "
        "workspace_url: 'https://example.slack.com'}\n"
    )
    return folder


def measure(name: str, workspace: Path) -> list[dict[str, Any]]:
    rows = []
    with tempfile.TemporaryDirectory() as data_dir:
        for label in ("first run", "no change"):
            report = run_once(workspace, Path(data_dir))
            docs = report["added"] + report["updated"] + report["unchanged"]
            seconds = report["duration_s"]
            rows.append(
                {
                    "dataset": name,
                    "run": label,
                    "documents": docs,
                    "chunks_embedded": report["chunks_embedded"],
                    "seconds": seconds,
                    "process_s": report["process_s"],
                    "docs_per_s": round(docs / seconds, 1),
                    "chunks_per_s": round(report["chunks_embedded"] / seconds, 1),
                    "peak_rss_mb": round(report["peak_rss_mb"]),
                }
            )
    rows[1]["share_of_first"] = f"{rows[1]['seconds'] / rows[0]['seconds']:.1%}"
    rows[1]["share_of_first_process"] = f"{rows[1]['process_s'] / rows[0]['process_s']:.1%}"
    return rows


def run(workspace: Path, slack_export: Path | None) -> list[dict[str, Any]]:
    """Both runs on ``workspace``, then on ``slack_export`` when given and present."""
    rows = measure(workspace.name, workspace)
    if slack_export is not None and (slack_export.is_dir() or slack_export.is_file()):
        with tempfile.TemporaryDirectory() as folder:
            export_ws = slack_workspace(slack_export.resolve(), Path(folder))
            rows += measure(slack_export.parent.name + " export", export_ws)
    elif slack_export is not None:
        print(f"(no Slack export at {slack_export}; pass --slack-export)", file=sys.stderr)
    return rows


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workspace", type=Path, default=REPO / "examples" / "acme")
    parser.add_argument("--slack-export", type=Path, default=DEFAULT_SLACK)
    parser.add_argument("--no-slack", action="store_true", help="only --workspace")
    parser.add_argument("--out", type=output_file, help="write the rows as JSON here")
    args = parser.parse_args(argv)
    rows = run(args.workspace, None if args.no_slack else args.slack_export)
    print_table(rows)
    write_rows(args.out, rows)
    return rows


if __name__ == "__main__":
    main()
