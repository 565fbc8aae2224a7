"""Render real answers on a workspace as the Slack bot would post them (Block Kit JSON).

    .venv/bin/python scripts/render_slack_example.py --workspace examples/acme \
        --user mei.tanaka@acme.example --out docs/slack_answer.json \
        "What's our current Q3 2026 revenue forecast?"

Each output file holds ``chat.postMessage``'s ``text`` and ``blocks``; paste the blocks into
Slack's Block Kit Builder to see them. The question is answered by the configured model (the
embedded one unless ``COPILOT_LLM_BASE_URL`` is set) for the user as in a DM, and the answer is
recorded in the workspace's audit log, so the feedback buttons carry a real audit id.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from copilot.audit import AuditLog, new_id
from copilot.config import Settings
from copilot.copilot import Workspace
from copilot.llm import open_chat_model
from ui.slack_blocks import render_answer


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workspace", type=Path, required=True)
    parser.add_argument("--user", help="the asker's email (their DM access)")
    parser.add_argument("--out", type=Path, action="append", required=True)
    parser.add_argument("question", nargs="+", help="one per --out, in order")
    args = parser.parse_args()
    if len(args.out) != len(args.question):
        parser.error("give one --out per question")
    settings = Settings.load(args.workspace)
    workspace = Workspace(settings)
    principal = workspace.principal(args.user)
    audit = AuditLog.from_catalog(workspace.catalog)
    with open_chat_model(settings, settings.resolved_data_dir) as chat:
        copilot = workspace.copilot(chat)
        for question, out in zip(args.question, args.out, strict=True):
            answer = copilot.answer(question, principal)
            audit_id = audit.record_answer(
                answer, surface="slack", asker=args.user, entry_id=new_id()
            )
            message = render_answer(answer, audit_id=audit_id)
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(json.dumps(message.to_dict(), indent=2, ensure_ascii=False) + "\n")
            print(f"wrote {out} ({len(message.blocks)} blocks)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
