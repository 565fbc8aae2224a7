"""SIGKILL a refresh at many moments: the previous version keeps answering, and the next
run converges. The refresh runs as a real `copilot refresh` subprocess."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from copilot.config import Settings
from copilot.copilot import Workspace
from copilot.types import Principal
from indexes.embeddings import SentenceTransformerEmbedder
from tests.fakes.tiny_workspace import make_tiny_workspace

pytestmark = pytest.mark.integration
ANN = Principal.user("ann@tiny.example", frozenset({"eng"}))


def _refresh(root: Path) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COPILOT_")}
    return subprocess.Popen(
        [sys.executable, "-m", "copilot.cli", "refresh", "--workspace", str(root), "--json"],
        env={**env, "HF_HUB_OFFLINE": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _write_runbooks(root: Path, marker: str) -> None:
    folder = root / "docs" / "runbooks"
    folder.mkdir(exist_ok=True)
    for i in range(120):
        body = " ".join(f"Step {j}: check service {i} shard {j} ({marker})." for j in range(40))
        (folder / f"service-{i}.md").write_text(f"# Service {i}\n\n## Recovery\n{body}\n")


def _serving_version(root: Path, embedder: SentenceTransformerEmbedder) -> int | None:
    ws = Workspace(Settings.load(root))
    ws.embedder = embedder
    hits = ws.retriever().search("VPN certificates renewed", ANN, k=3)
    assert hits and hits[0].source_id == "docs:it/vpn.md"  # the index loads and answers
    return ws.catalog.active_version()


def test_sigkill_at_any_moment_leaves_the_old_version_serving(
    tmp_path: Path, embedder: SentenceTransformerEmbedder
) -> None:
    root = make_tiny_workspace(tmp_path / "ws")
    _write_runbooks(root, "old")
    first = _refresh(root)
    assert first.wait(timeout=300) == 0, first.stderr.read() if first.stderr else ""
    _write_runbooks(root, "new")
    killed_at = []
    for delay in (1.0, 3.0, 5.0, 7.0, 9.0, 11.0, 13.0, 15.0):
        run = _refresh(root)
        time.sleep(delay)
        if run.poll() is not None:
            break  # this run finished before the kill; later delays would too
        run.send_signal(signal.SIGKILL)
        run.wait()
        killed_at.append(delay)
        assert _serving_version(root, embedder) in (1, 2)
    assert killed_at, "no run was killed mid-way: make the refresh slower"
    final = _refresh(root)
    out, err = final.communicate(timeout=300)
    assert final.returncode == 0, err
    report = json.loads(out)
    assert report["failed"] == {}
    ws = Workspace(Settings.load(root))
    ws.embedder = embedder
    hit = ws.retriever().search("service 7 shard recovery", ANN, k=1)[0]
    assert "(new)" in hit.text and "(old)" not in hit.text
    leftovers = [p.name for p in ws.store.root.iterdir() if p.name.startswith(".staging")]
    assert leftovers == [] or report["version"] is not None
