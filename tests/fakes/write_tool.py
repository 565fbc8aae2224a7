"""A write tool for the confirmation tests: the tiny workspace gets ``create_ticket``, an HTTP
tool that POSTs to the local ``StatusServer`` (which records every write), and a scripted model
that routes a ticket request to the tool route and calls the tool, through the real client."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.fakes.faithful_model import faithful_reply
from tests.fakes.openai_server import Message, tool_call

TICKET_QUESTION = "Open a ticket titled VPN down with priority high"
TICKET_ARGS = {"title": "VPN down", "priority": "high"}
TICKET_SUMMARY = 'create_ticket(priority="high", title="VPN down")'

_TOOLS = """tools:
  http:
    - name: create_ticket
      description: Open a new ticket in the IT tracker
      method: POST
      url: "URL"
      args:
        title: {description: a short title}
        priority: {description: "low, normal or high"}
      access_groups: [eng]
  allow_writes: ALLOW
  confirm_ttl_minutes: 15
router:
  examples:
    tool: ["Open a ticket titled VPN down with priority high", "File a ticket for my laptop"]
"""


def add_ticket_tool(root: Path, api_base_url: str, *, allow_writes: bool = True) -> Path:
    """Append the tool (usable by the ``eng`` group: Ann, not Bob) to ``copilot.yaml``."""
    block = _TOOLS.replace("URL", f"{api_base_url}/api/tickets")
    block = block.replace("ALLOW", "true" if allow_writes else "false")
    with (root / "copilot.yaml").open("a") as config:
        config.write(block)
    return root


def ticket_model(request: dict[str, Any]) -> Message:
    """Routes to the tool route, calls ``create_ticket`` when offered tools, and otherwise
    answers as the faithful model does (the verifier's judge included)."""
    fmt = request.get("response_format") or {}
    schema = fmt.get("schema") or (fmt.get("json_schema") or {}).get("schema") or {}
    if "route" in schema.get("properties", {}):
        return json.dumps({"route": "tool", "second": None, "reason": "scripted"})
    if request.get("tools"):
        return tool_call("create_ticket", TICKET_ARGS)
    return faithful_reply(request)
