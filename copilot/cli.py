"""The command line, a contract that tests, benchmarks and operators rely on (ARCHITECTURE.md).

Exit codes: 0 ok; 1 something failed (a source, the model, a batch line); 2 bad configuration
or usage. A ``CopilotError`` prints its message, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from copilot.config import Settings
from copilot.copilot import Copilot, Workspace
from copilot.embedded_model import ensure_model, verify_model
from copilot.errors import CopilotError, LLMError
from copilot.llm import open_chat_model
from copilot.types import Answer

log = logging.getLogger("copilot")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="copilot", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    for name, summary in (
        ("ingest", "full ingest (first run) or incremental"),
        ("refresh", "the nightly job: exit 0 ok, 1 some sources failed, 2 bad configuration"),
    ):
        job = commands.add_parser(name, help=summary)
        job.add_argument("--workspace", type=Path, required=True)
        job.add_argument("--json", action="store_true", help="print the report as JSON")
        job.add_argument("--dry-run", action="store_true", help="report, change nothing")

    ask = commands.add_parser("ask", help="answer a question, or a batch of them")
    ask.add_argument("--workspace", type=Path, required=True)
    ask.add_argument("--user", help="email of the asking user (access is checked for them)")
    ask.add_argument("--json", action="store_true", help="print the answer JSON")
    ask.add_argument("--batch", type=Path, help="JSONL of {id, question, user?}")
    ask.add_argument("--out", type=Path, help="where --batch writes its answers (JSONL)")
    ask.add_argument("question", nargs="?")

    setup = commands.add_parser("setup-model", help="assemble and verify the embedded model")
    setup.add_argument("--verify", action="store_true", help="hash the installed file in full")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings.load(getattr(args, "workspace", None))
        logging.basicConfig(
            level=settings.log_level.upper(),
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
            stream=sys.stderr,
        )
        handlers = {"ingest": _refresh, "refresh": _refresh, "ask": _ask, "setup-model": _setup}
        handler = handlers[args.command]
        return handler(args, settings)
    except CopilotError as exc:
        print(f"copilot: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130


def _setup(args: argparse.Namespace, settings: Settings) -> int:
    path = ensure_model(settings.model_dir, progress=lambda m: print(m, flush=True))
    if args.verify:
        verify_model(settings.model_dir)
        print(f"verified sha256 of {path}")
    print(path)
    return 0


def _refresh(args: argparse.Namespace, settings: Settings) -> int:
    report = Workspace(settings).ingest(dry_run=args.dry_run)
    if args.json:
        print(json.dumps(report.to_dict(), indent=2))
    else:
        data = report.to_dict()
        verb = "would change" if args.dry_run else "refreshed"
        print(
            f"{verb} {settings.ws.name}: {data['added']} added, {data['updated']} updated, "
            f"{data['deleted']} deleted, {data['unchanged']} unchanged; "
            f"{data['chunks_embedded']} chunks embedded ({data['chunks_total']} in the index) "
            f"in {data['duration_s']:.1f}s"
        )
        for source, problems in data["problems"].items():
            for problem in problems:
                print(f"  skipped in {source}: {problem}")
        for source, reason in data["failed"].items():
            print(f"  FAILED {source}: {reason}", file=sys.stderr)
    return 1 if report.failed else 0


def _ask(args: argparse.Namespace, settings: Settings) -> int:
    if (args.batch is None) == (args.question is None):
        raise _usage("ask needs either a question or --batch FILE (not both)")
    if args.batch is not None and args.out is None:
        raise _usage("--batch needs --out FILE for the answers")
    workspace = Workspace(settings)
    principal = workspace.principal(args.user)  # an unknown user fails before any work
    with open_chat_model(settings, settings.resolved_data_dir) as chat:
        copilot = workspace.copilot(chat)
        if args.batch is not None:
            return _ask_batch(copilot, workspace, args)
        answer = copilot.answer(args.question, principal)
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False))
    else:
        _print_answer(answer, sys.stdout)
    return 0


def _usage(message: str) -> CopilotError:
    error = CopilotError(message)
    error.exit_code = 2
    return error


def _ask_batch(copilot: Copilot, workspace: Workspace, args: argparse.Namespace) -> int:
    """Answer every line; a bad line or a failed answer is written as an error, not lost."""
    failures = 0
    lines = args.batch.read_text(encoding="utf-8").splitlines()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as out:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            record = _answer_line(copilot, workspace, args.user, line, number)
            failures += "error" in record
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            out.flush()
    answered = sum(1 for line in lines if line.strip()) - failures
    print(f"answered {answered} questions, {failures} failed; wrote {args.out}", file=sys.stderr)
    return 1 if failures else 0


def _answer_line(
    copilot: Copilot, workspace: Workspace, default_user: str | None, line: str, number: int
) -> dict[str, Any]:
    try:
        item = json.loads(line)
        question = item["question"]
        qid = str(item.get("id", number))
    except (ValueError, KeyError, TypeError) as exc:
        return {"id": str(number), "error": f"line {number} is not {{id, question, user?}}: {exc}"}
    try:
        principal = workspace.principal(item.get("user") or default_user)
        return copilot.answer(question, principal, qid=qid).to_dict()
    except LLMError:
        raise  # the model is down: stop the batch rather than fail every line the same way
    except CopilotError as exc:
        return {"id": qid, "question": question, "error": str(exc)}


def _print_answer(answer: Answer, out: TextIO) -> None:
    out.write(answer.answer + "\n")
    if answer.sql:
        out.write(f"\nSQL: {answer.sql}\n")
    if answer.citations:
        out.write("\nSources:\n")
        for c in answer.citations:
            out.write(f"  [{c.n}] {c.title}\n")
            if c.url:
                out.write(f"      {c.url}\n")
    out.flush()


if __name__ == "__main__":
    raise SystemExit(main())
