"""External benchmarks read by path and turned into a workspace plus golden items, so the same
runner and report measure them: nothing is copied into the repository.

- ``hotpotqa``: ``corpus_public.jsonl`` as a documents source (one Markdown file per passage),
  ``public_dev_questions.jsonl`` as questions; cited ids map back to ``gold_passage_ids``.
- ``text2sql``: each SQLite database of ``public_dev.jsonl`` as a database source of its own
  workspace; scored by execution accuracy against ``gold_sql``.
- ``slack``: the Slack export as a Slack source; each thread that opens with a question asks
  that question, and the thread is the expected source (known-item retrieval: it measures
  finding the right thread among thousands and citing it, not answer quality).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from copilot.config import Settings
from copilot.copilot import Workspace
from copilot.errors import ConfigError
from eval.golden import GoldenItem
from eval.sql_accuracy import database_workspace
from eval.verifier import hotpot_workspace
from indexes.catalog import StoredChunk


@dataclass(frozen=True)
class Part:
    """One workspace and the questions asked of it (a benchmark may need several)."""

    name: str
    workspace: Path
    items: list[GoldenItem]


def _lines(path: Path) -> list[dict[str, object]]:
    if not path.is_file():
        raise ConfigError(f"{path} not found: pass --path the benchmark's folder")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def hotpotqa(folder: Path, workdir: Path) -> list[Part]:
    rows = _lines(folder / "public_dev_questions.jsonl")
    workspace = hotpot_workspace(folder, workdir / "hotpotqa")
    items = [
        GoldenItem(
            id=str(r["qid"]),
            question=str(r["question"]).strip(),
            user=None,
            expected_route="retrieval",
            expected_source_ids=tuple(f"docs:{p}.md" for p in r["gold_passage_ids"]),  # type: ignore[attr-defined]
            answer_facts=(str(r["answer"]),),
            answerable=True,
            kind=str(r.get("type", "hotpotqa")),
            answer=str(r["answer"]),
        )
        for r in rows
    ]
    _ingest(workspace)
    return [Part("hotpotqa", workspace, items)]


def text2sql(folder: Path, workdir: Path) -> list[Part]:
    rows = _lines(folder / "public_dev.jsonl")
    parts: list[Part] = []
    for db_file in sorted({str(r["db_file"]) for r in rows}):
        name = db_file.split("-")[0]
        workspace = workdir / f"text2sql-{name}"
        workspace.mkdir(parents=True, exist_ok=True)
        database_workspace(workspace, name, (folder / db_file).resolve())
        items = [
            GoldenItem(
                id=f"{name}-{number}",
                question=str(r["question"]),
                user=None,
                expected_route="sql",
                expected_source_ids=(),
                answer_facts=(),
                answerable=True,
                kind=name,
                gold_sql=str(r["gold_sql"]),
            )
            for number, r in enumerate(rows, 1)
            if r["db_file"] == db_file
        ]
        _ingest(workspace)
        parts.append(Part(f"text2sql-{name}", workspace, items))
    return parts


def slack(folder: Path, workdir: Path) -> list[Part]:
    export = folder / "slack_export" if (folder / "slack_export").is_dir() else folder
    workspace = workdir / "slack"
    workspace.mkdir(parents=True, exist_ok=True)
    (workspace / "copilot.yaml").write_text(
        f"name: slack-benchmark\nsources:\n  - type: slack_export\n    name: slack\n"
        f"    path: '{export.resolve()}'\n",
        encoding="utf-8",
    )
    # A thread's title is "#channel: <its first line>": how a question finds its thread.
    openings = {
        s.chunk.title.split(": ", 1)[-1]: s.chunk.doc_id
        for s in _ingest(workspace)
        if s.chunk.kind == "slack"
    }
    items = []
    for r in _lines(folder / "conversations_index.jsonl"):
        doc_id = _find_thread(openings, str(r["first_message"]))
        if r.get("starts_with_question") and doc_id:
            items.append(
                GoldenItem(
                    id=str(r["conversation_id"]),
                    question=str(r["first_message"]),
                    user=None,
                    expected_route="retrieval",
                    expected_source_ids=(doc_id,),
                    answer_facts=(),
                    answerable=True,
                    kind=str(r["channel"]),
                )
            )
    return [Part("slack", workspace, items)]


def _find_thread(openings: dict[str, str], first_message: str) -> str | None:
    head = first_message.split("\n")[0][:40].strip()
    return next((doc for text, doc in openings.items() if head and text.startswith(head)), None)


def _ingest(workspace: Path) -> list[StoredChunk]:
    copilot_workspace = Workspace(Settings.load(workspace))
    copilot_workspace.ingest()
    return copilot_workspace.catalog.all_chunks()


BENCHMARKS: dict[str, Callable[[Path, Path], list[Part]]] = {
    "hotpotqa": hotpotqa,
    "text2sql": text2sql,
    "slack": slack,
}
