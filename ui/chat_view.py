"""What the Streamlit chat page shows for an answer: pure functions, no Streamlit, no I/O.

Everything the page renders that could be wrong (a marker linked to the wrong source, a
``file://`` link a browser will not open, a badge that says "verified" when the verifier did
not run, text that Streamlit would read as LaTeX or a colour directive) is decided here, where
a unit test can check it without a browser. ``ui/streamlit_app.py`` only lays it out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote

from copilot.types import Answer, Citation

BadgeColor = Literal["green", "orange", "red", "blue", "violet", "gray"]

_MARKER = re.compile(r"(\[\d+\])")
_LINKABLE = re.compile(r"^(https?|mailto):", re.IGNORECASE)
# Markdown and Streamlit's own syntax: emphasis, links, code, headings, tables, LaTeX ($),
# colour directives and emoji shortcodes (:red[...], :smile:), raw HTML.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]{}<>#|~$:])")

STAGE_LABELS = {
    "route": "Routing the question",
    "retrieve": "Retrieving sources you may see",
    "generate": "Drafting the answer",
    "verify": "Verifying each sentence against its sources",
    "attribute": "Matching each sentence to its sources",
    "regenerate": "Drafting again with the verifier's reasons",
    "shorten": "Putting the answer in a few words",
}
ROUTE_LABELS = {"retrieval": "documents & Slack", "sql": "SQL", "tool": "tool"}
KIND_ICONS = {"doc": "📄", "slack": "💬", "table": "🗄️", "sql": "🧮", "tool": "🛠️"}


def escape_markdown(text: str) -> str:
    """``text`` shown literally by ``st.markdown``: a model's ``$5 and $6`` is not LaTeX, its
    ``*`` is not emphasis, and no directive or HTML gets through."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def is_linkable(url: str) -> bool:
    """Only web links are clickable: a browser refuses ``file://`` from an http page, so a
    local document's path is shown as text to copy instead of a link that does nothing."""
    return bool(_LINKABLE.match(url))


def _safe_url(url: str) -> str:
    """A URL that cannot end the Markdown link early (spaces, parentheses, angle brackets)."""
    return quote(url, safe=":/?#[]@!$&'*+,;=%~-._")


def answer_markdown(answer: Answer) -> str:
    """The answer's text with every ``[n]`` a link to citation ``n`` (when it has a web URL),
    under its short answer in bold when it has one."""
    urls = {c.n: c.url for c in answer.citations}
    parts: list[str] = [headline(answer)]
    for piece in _MARKER.split(answer.answer):
        match = _MARKER.fullmatch(piece)
        if match is None:
            parts.append(escape_markdown(piece))
            continue
        label = escape_markdown(piece)
        url = urls.get(int(piece[1:-1]), "")
        parts.append(f"[{label}]({_safe_url(url)})" if is_linkable(url) else label)
    return "".join(parts)


def headline(answer: Answer) -> str:
    """The short answer as a bold first paragraph ("" when there is none)."""
    if not answer.short_answer:
        return ""
    return f"**{escape_markdown(answer.short_answer)}**\n\n"


def stream_chunks(markdown: str) -> Iterator[str]:
    """Word-sized pieces (each with its following space) for ``st.write_stream``.

    Whitespace never falls inside one of our links (URLs are quoted), so no piece ends in
    the middle of a link and each partial render is valid Markdown.
    """
    yield from (m.group(0) for m in re.finditer(r"\S+\s*|\s+", markdown))


@dataclass(frozen=True)
class Badge:
    label: str
    color: BadgeColor
    icon: str = ""


def route_badge(answer: Answer) -> Badge:
    return Badge(f"route: {ROUTE_LABELS.get(answer.route, answer.route)}", "blue", "🧭")


def verified_badge(answer: Answer) -> Badge:
    """Three states a reader must tell apart: checked, not checked (verifier off), refused;
    and a proposed write, which claims nothing and so is neither."""
    if answer.pending_action is not None:
        return Badge("needs your confirmation", "violet", "✋")
    if answer.refused:
        return Badge("no answer", "gray", "🚫")
    if answer.verified:
        return Badge("verified", "green", "✅")
    return Badge("not verified", "orange", "⚠️")


def answer_badges(answer: Answer) -> list[Badge]:
    return [route_badge(answer), verified_badge(answer)]


@dataclass(frozen=True)
class SourceItem:
    """One row of the sources panel: a citation, or (for a refusal) a source worth reading."""

    n: int | None
    title: str
    url: str
    kind: str
    snippet: str

    @property
    def linkable(self) -> bool:
        return is_linkable(self.url)

    def markdown(self) -> str:
        """``[n] icon title`` with the title linked, or the local path shown as code."""
        prefix = f"**\\[{self.n}\\]** " if self.n is not None else ""
        icon = KIND_ICONS.get(self.kind, "•")
        title = escape_markdown(self.title or self.url or "untitled")
        if self.linkable:
            return f"{prefix}{icon} [{title}]({_safe_url(self.url)})"
        location = f" — `{self.url.replace('`', '')}`" if self.url else ""
        return f"{prefix}{icon} {title}{location}"


def _item(citation: Citation, numbered: bool) -> SourceItem:
    return SourceItem(
        n=citation.n if numbered else None,
        title=citation.title,
        url=citation.url,
        kind=citation.kind,
        snippet=citation.snippet,
    )


def source_items(answer: Answer) -> list[SourceItem]:
    """The citations; for a refusal, the best sources to read instead (they back no claim,
    so they carry no number)."""
    if answer.citations:
        return [_item(c, numbered=True) for c in answer.citations]
    return [_item(c, numbered=False) for c in answer.sources]


def sources_heading(answer: Answer) -> str:
    if answer.citations:
        return f"Sources ({len(answer.citations)})"
    return f"Sources worth reading ({len(answer.sources)})" if answer.sources else ""


@dataclass(frozen=True)
class ResultView:
    """The SQL answer's result as columns and rows, ready for ``st.dataframe``."""

    columns: list[str]
    rows: list[list[Any]]
    truncated: bool

    def records(self) -> list[dict[str, Any]]:
        """Rows as column -> value; duplicate column names (``count(*)`` twice) get a suffix
        so no value is lost."""
        names: list[str] = []
        for column in self.columns:
            name, k = column, 2
            while name in names:
                name, k = f"{column} ({k})", k + 1
            names.append(name)
        return [dict(zip(names, row, strict=False)) for row in self.rows]


def result_view(answer: Answer) -> ResultView | None:
    if answer.sql_result is None:
        return None
    table = answer.sql_result.to_dict()
    return ResultView(table["columns"], table["rows"], table["truncated"])


def stage_label(stage: str) -> str:
    return STAGE_LABELS.get(stage, stage.replace("_", " ").capitalize())


def timing_caption(answer: Answer) -> str:
    """``answered in 3.4 s · route 12 ms · retrieve 40 ms ...`` for the curious."""
    timings = dict(answer.timings_ms)
    total = timings.pop("total", 0)
    steps = " · ".join(f"{name} {ms} ms" for name, ms in timings.items())
    return f"answered in {total / 1000:.1f} s" + (f" · {steps}" if steps else "")


def done_label(answer: Answer) -> str:
    """The progress box's last word: how long it took, and whether it was checked."""
    seconds = answer.timings_ms.get("total", 0) / 1000
    if answer.pending_action is not None:
        return f"Proposed an action to confirm in {seconds:.1f} s"
    if answer.refused:
        return f"No answer found in {seconds:.1f} s"
    checked = "Answered and verified" if answer.verified else "Answered (not verified)"
    return f"{checked} in {seconds:.1f} s"


def action_caption(answer: Answer) -> str:
    """Under a proposed write's buttons: that nothing has happened yet, and until when the
    proposal holds (escaped for ``st.caption``)."""
    action = answer.pending_action
    if action is None:
        return ""
    expires = action.expires_at.strftime("%H:%M UTC")
    return escape_markdown(f"Nothing has changed yet. This request expires at {expires}.")


def history_key(email: str | None) -> str:
    """History is kept per user: picking another user must not show them answers built
    from sources only the previous user may see."""
    return f"history:{email or 'anonymous'}"
