"""A scripted chat model that answers the tiny workspace's questions from what it is shown,
as a faithful model would: the answer only when its evidence is in the prompt, the verifier's
judge finding every claim supported, the router's JSON choosing retrieval, and the short
answer the span of the verified answer it was shown.

For tests of surfaces (the Streamlit page, the browser test) that drive the whole copilot
through the real client, where scripting each call in order would couple them to the number
of model calls a question takes."""

from __future__ import annotations

import json
from typing import Any

# (evidence that must be in the prompt, the answer given when it is, its short answer)
ANSWERS = (
    ("Pier 39", "The office move to Pier 39 is planned for March 3 [1].", "March 3"),
    (
        "acme-guest-2026",
        "The guest wifi password is acme-guest-2026, rotated monthly [1].",
        "acme-guest-2026",
    ),
    ("90 days", "VPN client certificates are renewed every 90 days [1].", "every 90 days"),
)


def _schema(request: dict[str, Any]) -> dict[str, Any]:
    fmt = request.get("response_format") or {}
    return fmt.get("schema") or (fmt.get("json_schema") or {}).get("schema") or {}


def faithful_reply(request: dict[str, Any]) -> str:
    properties = _schema(request).get("properties", {})
    if "verdicts" in properties:  # the verifier's judge: one verdict per claim
        count = int(properties["verdicts"].get("minItems", 1))
        rows = [
            {"claim": i, "reason": "stated", "verdict": "supported"} for i in range(1, count + 1)
        ]
        return json.dumps({"verdicts": rows})
    if "route" in properties:  # the router's model path
        return json.dumps({"route": "retrieval", "second": None, "reason": "scripted"})
    if "short_answer" in properties:  # the span of the verified answer in the last turn
        shown = str(request["messages"][-1]["content"])
        short = next((s for evidence, _, s in ANSWERS if evidence in shown), "")
        return json.dumps({"short_answer": short})
    prompt = json.dumps(request["messages"])
    for evidence, answer, _ in ANSWERS:
        if evidence in prompt:
            return answer
    return "I don't know."
