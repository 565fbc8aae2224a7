"""A tiny but complete workspace (docs, a Slack export with a private channel, users), built
in a temporary folder so tests can edit, delete and break its sources freely."""

from __future__ import annotations

import json
from pathlib import Path

CONFIG = """
name: tiny
users: users.yaml
sources:
  - {type: slack_export, name: slack, path: slack, workspace_url: "https://tiny.slack.com"}
  - type: documents
    name: docs
    path: docs
    access:
      default: {public: true}
      rules:
        - {pattern: "hr/*", groups: [hr]}
"""

USERS = """
users:
  - {email: ann@tiny.example, name: Ann Lee, slack_id: U1, groups: [eng]}
  - {email: bob@tiny.example, name: Bob Diaz, slack_id: U2, groups: [hr]}
"""

VPN = """# VPN

## Certificates
VPN client certificates are renewed every 90 days. Renewal is automatic on the office network.

## Troubleshooting
If the VPN fails with error 809, restart the GlobalProtect agent.
"""

PAY = """# Pay

## Bands
The 2026 salary band adjustment is 4.5 percent, effective April 1.
"""


def _message(user: str, text: str, ts: str, thread_ts: str) -> dict[str, object]:
    return {"type": "message", "user": user, "text": text, "ts": ts, "thread_ts": thread_ts}


def make_tiny_workspace(root: Path) -> Path:
    (root / "docs" / "it").mkdir(parents=True)
    (root / "docs" / "hr").mkdir(parents=True)
    (root / "copilot.yaml").write_text(CONFIG)
    (root / "users.yaml").write_text(USERS)
    (root / "docs" / "it" / "vpn.md").write_text(VPN)
    (root / "docs" / "hr" / "pay.md").write_text(PAY)
    slack = root / "slack"
    for name in ("general", "moving"):
        (slack / name).mkdir(parents=True)
    (slack / "channels.json").write_text(
        json.dumps([{"id": "C1", "name": "general", "members": ["U1", "U2"]}])
    )
    (slack / "groups.json").write_text(
        json.dumps([{"id": "G1", "name": "moving", "members": ["U2"]}])
    )
    users = [
        {"id": u, "name": n, "profile": {"email": e, "real_name": n}}
        for u, n, e in (
            ("U1", "Ann Lee", "ann@tiny.example"),
            ("U2", "Bob Diaz", "bob@tiny.example"),
        )
    ]
    (slack / "users.json").write_text(json.dumps(users))
    t = "1767600000.000100"
    general = [
        _message("U1", "What is the guest wifi password?", t, t),
        _message("U2", "It is acme-guest-2026, rotated monthly.", "1767600100.000200", t),
        {
            "type": "message",
            "subtype": "channel_join",
            "user": "U2",
            "text": "joined",
            "ts": "1767600200.000300",
        },
    ]
    (slack / "general" / "2026-01-05.json").write_text(json.dumps(general))
    m = "1767600000.000500"
    moving = [
        _message("U2", "The office move to Pier 39 is planned for March 3.", m, m),
        _message("U2", "Confirmed: movers arrive March 3 at 7am.", "1767600100.000600", m),
    ]
    (slack / "moving" / "2026-01-05.json").write_text(json.dumps(moving))
    return root
