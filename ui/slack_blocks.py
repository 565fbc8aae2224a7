"""Answers as Slack Block Kit messages: pure functions, no Slack client, no I/O.

Slack rejects a message with more than 50 blocks or a section whose text exceeds 3,000
characters (``invalid_blocks``), and such a rejection would leave a question unanswered. So
every limit is enforced here, where it can be unit-tested: long answers are split across
sections at word boundaries, and what still does not fit is cut with a visible note instead of
being silently lost. ``[n]`` markers become links to the cited source, so a reader can check a
sentence in one click; only http(s) links are made clickable (a ``file://`` path on the
copilot's host means nothing in a Slack client, so it is shown as text).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from copilot.types import Answer, Citation, PendingAction

MAX_BLOCKS = 50
MAX_SECTION_CHARS = 3000
MAX_FALLBACK_CHARS = 3000  # the notification text; Slack allows more, nobody reads more
MAX_SOURCES = 20
FEEDBACK_UP = "copilot_feedback_up"
FEEDBACK_DOWN = "copilot_feedback_down"
FEEDBACK_REASON_VIEW = "copilot_feedback_reason"
FEEDBACK_REASON_BLOCK = "reason"
FEEDBACK_REASON_ACTION = "reason_input"
ACTION_CONFIRM = "copilot_action_confirm"
ACTION_CANCEL = "copilot_action_cancel"
ACTION_BLOCK = "copilot_action"
TRUNCATED = "… _(cut here: Slack limits a message's length)_"

Block = dict[str, Any]
_MARKER = re.compile(r"\[(\d+)\]")
_LINKABLE = re.compile(r"^(https?|mailto):", re.IGNORECASE)
_SQL_FENCE = "```"


@dataclass(frozen=True)
class SlackMessage:
    """What ``chat.postMessage`` takes: notification ``text`` plus the ``blocks`` shown."""

    text: str
    blocks: list[Block] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "blocks": self.blocks}


def escape(text: str) -> str:
    """Slack's mrkdwn control characters; anything else is literal."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def link(url: str, label: str) -> str:
    """A clickable ``<url|label>`` for web links; other URLs fall back to the plain label."""
    if not _LINKABLE.match(url):
        return escape(label)
    safe_url = url.replace("|", "%7C").replace(">", "%3E").replace("<", "%3C")
    return f"<{safe_url}|{escape(label)}>"


def link_markers(text: str, citations: Sequence[Citation]) -> str:
    """Escape ``text`` and turn each ``[n]`` into a link to citation ``n``'s URL."""
    urls = {c.n: c.url for c in citations}

    def rewrite(match: re.Match[str]) -> str:
        url = urls.get(int(match.group(1)), "")
        return link(url, match.group(0)) if url else match.group(0)

    return _MARKER.sub(rewrite, escape(text))


def split_text(text: str, limit: int = MAX_SECTION_CHARS) -> list[str]:
    """Pieces of at most ``limit`` characters, cut at whitespace so links stay whole.

    A single word longer than ``limit`` (a pasted token, say) is cut hard: it is the only way
    to keep under the limit, and such a word is never one of our ``<url|[n]>`` links.
    """
    pieces: list[str] = []
    current = ""
    for word in re.split(r"(?<=\s)", text):
        while len(word) > limit:
            if current:
                pieces.append(current)
                current = ""
            pieces.append(word[:limit])
            word = word[limit:]
        if len(current) + len(word) > limit:
            pieces.append(current)
            current = ""
        current += word
    if current.strip() or not pieces:
        pieces.append(current)
    return [p.strip() for p in pieces if p.strip()] or [""]


def section(text: str) -> Block:
    """A mrkdwn section; the caller keeps ``text`` within the limit, this only guards it."""
    if len(text) > MAX_SECTION_CHARS:
        text = text[: MAX_SECTION_CHARS - len(TRUNCATED)] + TRUNCATED
    return {"type": "section", "text": {"type": "mrkdwn", "text": text or " "}}


def context(*texts: str) -> Block:
    return {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": t[:MAX_SECTION_CHARS]} for t in texts[:10]],
    }


def answer_sections(answer: Answer) -> list[Block]:
    """The short answer in bold first, when there is one, then the cited sentences."""
    body = [section(p) for p in split_text(link_markers(answer.answer, answer.citations))]
    if not answer.short_answer:
        return body
    return [section(f"*{escape(answer.short_answer)}*"), *body]


def sql_section(sql: str) -> Block:
    """The SQL that produced the figures, in a code block, so a reader can rerun it; a query
    too long for a section is cut inside the block, which stays closed."""
    head, note = f"*SQL*\n{_SQL_FENCE}", f"\n{TRUNCATED}"
    room = MAX_SECTION_CHARS - len(head) - len(_SQL_FENCE) - len(note)
    body = escape(sql.strip().replace(_SQL_FENCE, "'''"))
    if len(body) <= room:
        note = ""
    return section(f"{head}{body[:room]}{_SQL_FENCE}{note}")


def source_line(citation: Citation) -> str:
    """``[n] title`` linked to its permalink or document; a non-web URL is shown as text."""
    title = citation.title or citation.source_id
    if _LINKABLE.match(citation.url):
        return f"[{citation.n}] {link(citation.url, title)}"
    where = f" `{escape(citation.url)}`" if citation.url else ""
    return f"[{citation.n}] {escape(title)}{where}"


def sources_sections(citations: Sequence[Citation]) -> list[Block]:
    """The sources list, packed into as few sections as the character limit allows."""
    if not citations:
        return []
    lines = [source_line(c)[: MAX_SECTION_CHARS - 20] for c in citations[:MAX_SOURCES]]
    if len(citations) > MAX_SOURCES:
        lines.append(f"_… and {len(citations) - MAX_SOURCES} more_")
    blocks: list[Block] = []
    current = "*Sources*"
    for line in lines:
        if len(current) + 1 + len(line) > MAX_SECTION_CHARS:
            blocks.append(section(current))
            current = line
        else:
            current += "\n" + line
    blocks.append(section(current))
    return blocks


def badge(answer: Answer) -> str:
    """How far to trust the answer: refused, verified, or not verified (with the tally); a
    proposed write instead says that nothing has changed yet."""
    if answer.pending_action is not None:
        return ":raised_hand: Needs your confirmation: nothing has changed yet"
    if answer.refused:
        return ":no_entry_sign: No answer: the sources I may use here do not say"
    tally = verdict_tally(answer.verdicts)
    if answer.verified:
        return ":white_check_mark: Verified against the sources" + tally
    return ":warning: Not verified: check the sources" + tally


def verdict_tally(verdicts: Sequence[dict[str, Any]]) -> str:
    """`` (2/3 sentences supported)`` from the verifier's per-sentence verdicts, if any."""
    labels = Counter(str(v.get("verdict", "")) for v in verdicts if isinstance(v, dict))
    total = sum(labels.values())
    if not total:
        return ""
    return f" ({labels.get('supported', 0)}/{total} sentences supported)"


def footer(answer: Answer, note: str | None) -> Block:
    parts = [badge(answer), f"route: {answer.route}"]
    total_ms = answer.timings_ms.get("total")
    if total_ms is not None:
        parts.append(f"{total_ms / 1000:.1f} s")
    texts = [" · ".join(parts)]
    if note:
        texts.append(escape(note))
    return context(*texts)


def feedback_actions(audit_id: str) -> Block:
    """👍 / 👎 buttons; their ``value`` is the audit entry the feedback belongs to."""
    return {
        "type": "actions",
        "block_id": "copilot_feedback",
        "elements": [
            _button(":+1: Helpful", FEEDBACK_UP, audit_id),
            _button(":-1: Not helpful", FEEDBACK_DOWN, audit_id),
        ],
    }


def action_buttons(action: PendingAction) -> Block:
    """Confirm / Cancel for a proposed write; their ``value`` is the pending action's id,
    which only the person it was proposed to can use."""
    return {
        "type": "actions",
        "block_id": ACTION_BLOCK,
        "elements": [
            _button(":white_check_mark: Confirm", ACTION_CONFIRM, action.id, style="primary"),
            _button(":x: Cancel", ACTION_CANCEL, action.id, style="danger"),
        ],
    }


def _button(label: str, action_id: str, value: str, style: str | None = None) -> Block:
    button: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": label, "emoji": True},
        "action_id": action_id,
        "value": value,
    }
    if style:
        button["style"] = style
    return button


def fit(body: list[Block], tail: list[Block], limit: int = MAX_BLOCKS) -> list[Block]:
    """``body`` then ``tail`` within ``limit`` blocks: the body is cut (with a note), never
    the tail, which holds the sources, the badge and the feedback buttons."""
    room = limit - len(tail)
    if len(body) > room:
        body = [*body[: max(room - 1, 0)], section(TRUNCATED)] if room > 0 else []
    return [*body, *tail][:limit]


def render_answer(
    answer: Answer, *, audit_id: str | None = None, note: str | None = None
) -> SlackMessage:
    """The whole answer message: text with linked markers, SQL, sources, badge, Confirm /
    Cancel for a proposed write, feedback."""
    body = answer_sections(answer)
    if answer.sql:
        body.append(sql_section(answer.sql))
    tail = [*sources_sections(answer.citations), footer(answer, note)]
    if answer.pending_action is not None:
        tail.append(action_buttons(answer.pending_action))
    if audit_id:
        tail.append(feedback_actions(audit_id))
    return SlackMessage(text=fallback_text(answer.answer), blocks=fit(body, tail))


def fallback_text(text: str) -> str:
    """The notification text: the answer itself, escaped and short."""
    plain = escape(text.strip()) or "(empty answer)"
    if len(plain) > MAX_FALLBACK_CHARS:
        return plain[: MAX_FALLBACK_CHARS - 1] + "…"
    return plain


def decided_by(verb: str, user_id: str) -> str:
    """``Confirmed by @ann``: a mention of the Slack user who clicked (escaped, so a forged
    id cannot add markup)."""
    return f"{verb.capitalize()} by <@{escape(user_id)}>"


def render_outcome(answer: Answer, *, verb: str, user_id: str) -> SlackMessage:
    """What a confirmation or cancellation did, posted in the thread: the report (a run's
    result linked to its citation), and who decided."""
    emoji = ":warning:" if answer.refused else ":white_check_mark:"
    text = link_markers(answer.answer, answer.citations)
    body = [section(f"{emoji} {piece}") for piece in split_text(text, MAX_SECTION_CHARS - 20)]
    tail = [*sources_sections(answer.citations), context(decided_by(verb, user_id))]
    return SlackMessage(text=fallback_text(answer.answer), blocks=fit(body, tail))


def settled_blocks(blocks: Sequence[Block], note: str) -> list[Block]:
    """The proposal message once decided: its Confirm / Cancel buttons replaced by ``note``
    (mrkdwn, e.g. ``decided_by``), so the decided action is not clicked again."""
    kept = [b for b in blocks if b.get("block_id") != ACTION_BLOCK]
    return [*kept, context(note)][:MAX_BLOCKS]


def render_notice(message: str, *, emoji: str = ":warning:") -> SlackMessage:
    """A short message (a failure, a rate limit): never silent, never a traceback."""
    text = f"{emoji} {escape(message)}"
    return SlackMessage(text=fallback_text(message), blocks=[section(text)])


def feedback_reason_view(audit_id: str) -> Block:
    """The modal that asks, optionally, why an answer was not helpful."""
    return {
        "type": "modal",
        "callback_id": FEEDBACK_REASON_VIEW,
        "private_metadata": audit_id,
        "title": {"type": "plain_text", "text": "Not helpful"},
        "submit": {"type": "plain_text", "text": "Send"},
        "close": {"type": "plain_text", "text": "Skip"},
        "blocks": [
            {
                "type": "input",
                "block_id": FEEDBACK_REASON_BLOCK,
                "optional": True,
                "label": {"type": "plain_text", "text": "What was wrong? (optional)"},
                "element": {
                    "type": "plain_text_input",
                    "action_id": FEEDBACK_REASON_ACTION,
                    "multiline": True,
                    "max_length": 1000,
                },
            }
        ],
    }
