"""SQL execution accuracy of the SQL chain, on the text2sql benchmark and the golden set.

    python -m eval.sql_accuracy                                  # ../shared/benchmarks/text2sql
    python -m eval.sql_accuracy --golden examples/acme/golden.jsonl --workspace examples/acme

Each database becomes a workspace with one database source; its schema cards are ingested,
then the real SQL chain (retrieval of cards, the configured model, the guard, the read-only
connection, repairs) answers each question. Its final SQL is executed and compared with the
gold SQL's rows as bags, under column permutation; order counts only with ORDER BY.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

from copilot.chains.base import ChainContext
from copilot.config import Settings
from copilot.copilot import Workspace
from copilot.errors import CopilotError
from copilot.llm import ChatModel, open_chat_model
from eval.metrics import execution_match, percentile

REPO = Path(__file__).resolve().parents[1]
BENCHMARK = REPO.parent / "shared" / "benchmarks" / "text2sql" / "public_dev.jsonl"


def _rows(db_file: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(f"file:{db_file}?mode=ro", uri=True) as conn:
        return conn.execute(sql).fetchall()


def _workspace(folder: Path, name: str, db_file: Path) -> Path:
    (folder / "copilot.yaml").write_text(
        f"name: {name}\nsources:\n"
        f"  - type: database\n    name: {name}\n    url: 'sqlite:///{db_file}'\n"
        "    access: {default: {public: true}}\n"
        "sql: {row_limit: 100000, max_repairs: 2}\n"
    )
    return folder


def _score(
    workspace: Workspace, chat: ChatModel, item: dict[str, Any], db_file: Path
) -> dict[str, Any]:
    chain = workspace.sql_chain(chat)
    started = time.perf_counter()
    try:
        draft = chain.run(item["question"], ChainContext(workspace.principal(item.get("user"))))
        predicted = _rows(db_file, draft.sql) if draft.sql and not draft.refused else None
    except (CopilotError, sqlite3.Error):
        draft, predicted = None, None
    gold = _rows(db_file, item["gold_sql"])
    ordered = "order by" in item["gold_sql"].lower()
    return {
        "id": item.get("id"),
        "correct": predicted is not None and execution_match(predicted, gold, ordered),
        "executed": predicted is not None,
        "sql": draft.sql if draft else None,
        "ms": (time.perf_counter() - started) * 1000,
    }


def run_benchmark(path: Path, settings_env: Settings, limit: int) -> list[dict[str, Any]]:
    items = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    items = items[:limit] if limit else items
    rows: list[dict[str, Any]] = []
    for db_name in sorted({i["db_file"] for i in items}):
        db_file = (path.parent / db_name).resolve()
        with tempfile.TemporaryDirectory() as folder:
            name = db_name.split("-")[0]
            settings = Settings.load(_workspace(Path(folder), name, db_file))
            workspace = Workspace(settings)
            workspace.ingest()
            with open_chat_model(settings, settings.resolved_data_dir) as chat:
                rows += [
                    _score(workspace, chat, i, db_file) for i in items if i["db_file"] == db_name
                ]
    return rows


def run_golden(golden: Path, workspace_dir: Path) -> list[dict[str, Any]]:
    settings = Settings.load(workspace_dir)
    workspace = Workspace(settings)
    db_file = workspace_dir / "db" / "acme.sqlite"
    items = [json.loads(line) for line in golden.read_text().splitlines() if line.strip()]
    items = [i for i in items if i.get("gold_sql")]
    with open_chat_model(settings, settings.resolved_data_dir) as chat:
        return [_score(workspace, chat, i, db_file) for i in items]


def summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "questions": len(rows),
        "execution_accuracy": round(sum(r["correct"] for r in rows) / max(len(rows), 1), 3),
        "executed": round(sum(r["executed"] for r in rows) / max(len(rows), 1), 3),
        "latency_ms_p50": round(percentile([r["ms"] for r in rows], 50)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--benchmark", type=Path, default=BENCHMARK)
    parser.add_argument("--golden", type=Path)
    parser.add_argument("--workspace", type=Path, default=REPO / "examples" / "acme")
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if args.golden:
        rows = run_golden(args.golden, args.workspace)
    else:
        rows = run_benchmark(args.benchmark, Settings.load(None), args.limit)
    if args.out:
        args.out.write_text("".join(json.dumps(r) + "\n" for r in rows))
    print(json.dumps(summary(rows), indent=2))


if __name__ == "__main__":
    main()
