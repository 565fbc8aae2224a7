"""SQL execution accuracy of the SQL chain, on the text2sql benchmark and the golden set.

    python -m eval.sql_accuracy                                  # ../shared/benchmarks/text2sql
    python -m eval.sql_accuracy --golden examples/acme/golden.jsonl --workspace examples/acme
    python -m eval.sql_accuracy --per-db 10 --sql-only --out rows.jsonl  # a quick fixed subset

Each database becomes a workspace with one database source; its schema cards are ingested,
then the real SQL chain (retrieval of cards, the configured model, the guard, the read-only
connection, repairs) answers each question. Its final SQL is executed and compared with the
gold SQL's rows as bags, under column permutation; order counts only with ORDER BY.
``--sql-only`` stops before the prose answer (same SQL, less time); the summary has figures
overall and per database.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

from copilot.arguments import output_file
from copilot.chains.base import ChainContext
from copilot.chains.sql import SqlChain
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


def database_workspace(folder: Path, name: str, db_file: Path) -> Path:
    """A workspace whose one source is the SQLite file ``db_file``, readable by anyone."""
    (folder / "copilot.yaml").write_text(
        f"name: {name}\nsources:\n"
        f"  - type: database\n    name: {name}\n    url: 'sqlite:///{db_file}'\n"
        "    access: {default: {public: true}}\n"
        "sql: {row_limit: 100000, max_repairs: 2}\n"
    )
    return folder


def _final_sql(chain: SqlChain, question: str, context: ChainContext, sql_only: bool) -> str | None:
    """The SQL the chain settled on; ``sql_only`` skips the prose answer (faster to measure)."""
    if sql_only:
        found = chain.query(question, context)
        return found.sql if found.result is not None else None
    draft = chain.run(question, context)
    return None if draft.refused else draft.sql


def _score(
    workspace: Workspace,
    chat: ChatModel,
    item: dict[str, Any],
    db_file: Path,
    sql_only: bool = False,
) -> dict[str, Any]:
    chain = workspace.sql_chain(chat)
    started = time.perf_counter()
    context = ChainContext(workspace.principal(item.get("user")))
    try:
        sql = _final_sql(chain, item["question"], context, sql_only)
        predicted = _rows(db_file, sql) if sql else None
    except (CopilotError, sqlite3.Error):
        sql, predicted = None, None
    gold = _rows(db_file, item["gold_sql"])
    ordered = "order by" in item["gold_sql"].lower()
    return {
        "id": item.get("id"),
        "db": item.get("db_id", "golden"),
        "question": item["question"],
        "correct": predicted is not None and execution_match(predicted, gold, ordered),
        "executed": predicted is not None,
        "sql": sql,
        "ms": (time.perf_counter() - started) * 1000,
    }


def select(items: list[dict[str, Any]], limit: int, per_db: int) -> list[dict[str, Any]]:
    """The first ``limit`` questions, or the first ``per_db`` of each database (a fixed
    subset that still covers every database), or all of them."""
    if per_db:
        taken: dict[str, int] = {}
        chosen = []
        for item in items:
            if taken.get(item["db_file"], 0) < per_db:
                taken[item["db_file"]] = taken.get(item["db_file"], 0) + 1
                chosen.append(item)
        items = chosen
    return items[:limit] if limit else items


def run_benchmark(
    path: Path, settings_env: Settings, limit: int, per_db: int = 0, sql_only: bool = False
) -> list[dict[str, Any]]:
    items = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    items = select(items, limit, per_db)
    rows: list[dict[str, Any]] = []
    for db_name in sorted({i["db_file"] for i in items}):
        db_file = (path.parent / db_name).resolve()
        with tempfile.TemporaryDirectory() as folder:
            name = db_name.split("-")[0]
            settings = Settings.load(database_workspace(Path(folder), name, db_file))
            workspace = Workspace(settings)
            workspace.ingest()
            with open_chat_model(settings, settings.resolved_data_dir) as chat:
                rows += [
                    _score(workspace, chat, i, db_file, sql_only)
                    for i in items
                    if i["db_file"] == db_name
                ]
    return rows


def run_golden(golden: Path, workspace_dir: Path, sql_only: bool = False) -> list[dict[str, Any]]:
    settings = Settings.load(workspace_dir)
    workspace = Workspace(settings)
    db_file = workspace_dir / "db" / "acme.sqlite"
    items = [json.loads(line) for line in golden.read_text().splitlines() if line.strip()]
    items = [i for i in items if i.get("gold_sql")]
    with open_chat_model(settings, settings.resolved_data_dir) as chat:
        return [_score(workspace, chat, i, db_file, sql_only) for i in items]


def summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The figures over all rows, and the same per database."""
    per_db = {
        db: _figures([r for r in rows if r["db"] == db]) for db in sorted({r["db"] for r in rows})
    }
    return {**_figures(rows), "per_database": per_db}


def _figures(rows: list[dict[str, Any]]) -> dict[str, Any]:
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
    parser.add_argument("--per-db", type=int, default=0, help="the first N of each database")
    parser.add_argument("--out", type=output_file)
    parser.add_argument(
        "--sql-only", action="store_true", help="score the SQL without writing the answer"
    )
    args = parser.parse_args()
    if args.golden:
        rows = run_golden(args.golden, args.workspace, args.sql_only)
    else:
        rows = run_benchmark(
            args.benchmark, Settings.load(None), args.limit, args.per_db, args.sql_only
        )
    print(json.dumps(summary(rows), indent=2))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text("".join(json.dumps(r) + "\n" for r in rows))


if __name__ == "__main__":
    main()
