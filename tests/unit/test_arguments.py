"""``--out`` paths are checked when a long evaluation or benchmark starts, not when it ends."""

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

from copilot.arguments import output_file

REPO = Path(__file__).resolve().parents[2]


def test_a_file_in_a_folder_to_be_made_is_accepted(tmp_path: Path) -> None:
    assert output_file(str(tmp_path / "new" / "rows.json")) == tmp_path / "new" / "rows.json"


def test_a_folder_is_refused_with_a_file_to_use_instead(tmp_path: Path) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match=r"is a folder; give a file in it"):
        output_file(str(tmp_path))


def test_a_file_where_a_folder_should_be_is_refused(tmp_path: Path) -> None:
    blocker = tmp_path / "taken"
    blocker.write_text("x")
    with pytest.raises(argparse.ArgumentTypeError, match="is a file, not a folder"):
        output_file(str(blocker / "rows.json"))


@pytest.mark.parametrize("module", ["eval.sql_accuracy", "bench.index_types"])
def test_a_long_run_with_a_folder_for_out_stops_before_any_work(
    module: str, tmp_path: Path
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", module, "--out", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2  # argparse's usage error, before any model or index loads
    assert "is a folder; give a file in it" in done.stderr
    assert list(tmp_path.iterdir()) == []
