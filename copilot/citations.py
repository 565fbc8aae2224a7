"""Citation markers, as pure functions: parse ``[n]`` markers, keep the valid ones, renumber.

A chain numbers its evidence 1..N in the prompt; the model answers with ``[n]`` markers.
This module turns that into the text shown (markers renumbered 1..M in order of first use)
and the citation list, dropping markers that point at no evidence. Nothing here does I/O.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from copilot.types import Citation, Draft, Evidence

# [1], [1, 2], [1][2], [1-3] (a range the small models like to write)
_MARKER = re.compile(r"\[(\d+(?:\s*(?:,|-|–)\s*\d+)*)\]")
_SNIPPET_CHARS = 240


def parse_marker_numbers(body: str) -> list[int]:
    """Numbers in one marker body such as ``"1, 3-4"`` -> ``[1, 3, 4]``."""
    numbers: list[int] = []
    for part in re.split(r"\s*,\s*", body.strip()):
        if not part:
            continue
        bounds = re.split(r"\s*[-–]\s*", part)
        if len(bounds) == 2 and bounds[0].isdigit() and bounds[1].isdigit():
            low, high = int(bounds[0]), int(bounds[1])
            if 0 < high - low < 20:
                numbers.extend(range(low, high + 1))
                continue
        numbers.extend(int(b) for b in bounds if b.isdigit())
    return numbers


def cited_numbers(text: str) -> list[int]:
    """Every evidence number the text cites, in order of first appearance, without repeats."""
    seen: list[int] = []
    for match in _MARKER.finditer(text):
        for n in parse_marker_numbers(match.group(1)):
            if n not in seen:
                seen.append(n)
    return seen


def strip_markers(text: str) -> str:
    return _tidy(_MARKER.sub("", text))


def _tidy(text: str) -> str:
    text = re.sub(r"[ \t]+([.,;:!?])", r"\1", text)
    return re.sub(r"[ \t]{2,}", " ", text).strip()


def snippet(text: str, limit: int = _SNIPPET_CHARS) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def resolve(text: str, evidence: Sequence[Evidence]) -> tuple[str, list[Citation]]:
    """Renumber valid markers 1..M by first use, drop invalid ones, build the citations.

    Several evidence items from the same source collapse into one citation, so a reader
    sees each thread or document once.
    """
    by_source: dict[str, int] = {}
    citations: list[Citation] = []
    renumber: dict[int, int] = {}
    for n in cited_numbers(text):
        if not 1 <= n <= len(evidence):
            continue
        item = evidence[n - 1]
        if item.source_id not in by_source:
            by_source[item.source_id] = len(citations) + 1
            citations.append(_citation(len(citations) + 1, item))
        renumber[n] = by_source[item.source_id]

    def rewrite(match: re.Match[str]) -> str:
        kept: list[int] = []
        for n in parse_marker_numbers(match.group(1)):
            new = renumber.get(n)
            if new is not None and new not in kept:
                kept.append(new)
        return "".join(f"[{n}]" for n in kept)

    return _tidy(_MARKER.sub(rewrite, text)), citations


def _citation(n: int, item: Evidence) -> Citation:
    return Citation(
        n=n,
        source_id=item.source_id,
        kind=item.kind,
        title=item.title,
        url=item.url,
        snippet=snippet(item.text),
    )


def number_evidence(evidence: Sequence[Evidence]) -> str:
    """The evidence block of a prompt: ``[n] title`` headers over each text."""
    blocks = [f"[{i}] {item.title}\n{item.text.strip()}" for i, item in enumerate(evidence, 1)]
    return "\n\n".join(blocks)


_SENTENCE_END = re.compile(r"(?<=[.!?])(?:\s*(?:\[\d[^\]]*\])+)?\s+(?=[A-Z0-9\"'(])")
_WORD_BEFORE_PERIOD = re.compile(r"([\w.]+)\.$")
_DOTTED = re.compile(r"(?:[A-Za-z]{1,3}\.)+[A-Za-z]{1,3}")  # U.S, e.g, Ph.D; not 2.5
# Words a period follows without ending the sentence, lower-cased. Left out: words that end
# sentences as often as not ("etc.", "Inc.", "No.").
_ABBREVIATION_WORDS = (
    "mr mrs ms dr prof st mt ft jr sr vs gen col lt sgt capt gov sen rep rev hon "
    "jan feb mar apr jun jul aug sep sept oct nov dec approx dept est fig vol"
)
_ABBREVIATIONS = frozenset(_ABBREVIATION_WORDS.split())


def _is_abbreviation(text: str, period_end: int) -> bool:
    """Whether the period just before ``period_end`` closes an initial ("John C."), a title
    ("Dr.", "St.") or a dotted abbreviation ("U.S.", "e.g."), not a sentence."""
    found = _WORD_BEFORE_PERIOD.search(text, 0, period_end)
    if found is None:
        return False
    word = found.group(1)
    if len(word) == 1:
        return word.isupper()
    return word.lower() in _ABBREVIATIONS or bool(_DOTTED.fullmatch(word))


def split_sentences(text: str) -> list[str]:
    """Sentences with their trailing markers attached (``"It is 90 days [1]."`` stays whole).

    A period after an initial or an abbreviation ("John C. Calhoun", "St. Louis", "U.S.
    Army") ends nothing unless a marker follows it: cut there, "Calhoun." became a sentence
    of its own that cited nothing, and the verifier dropped the half of the name it held."""
    parts: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        if "[" not in match.group(0) and _is_abbreviation(text, match.start()):
            continue
        end = match.end()
        parts.append(text[start:end].strip())
        start = end
    parts.append(text[start:].strip())
    return [p for p in parts if p]


def anchor_markers(
    sentences: Sequence[str],
    similarity: Sequence[Sequence[float]],
    threshold: float,
    margin: float,
) -> str:
    """Make each sentence cite the evidence it is most similar to, when the model did not.

    ``similarity[i][j]`` compares sentence ``i`` with evidence ``j + 1``. An uncited sentence
    gets a marker to its best evidence if that reaches ``threshold``; a cited one keeps its
    markers unless another item beats every cited one by ``margin`` (small models tend to
    write ``[1]`` whatever they used). The verifier still judges every marker afterwards.
    """
    out: list[str] = []
    for sentence, row in zip(sentences, similarity, strict=True):
        best = max(range(len(row)), key=lambda j: row[j])
        cited = [n for n in cited_numbers(sentence) if 1 <= n <= len(row)]
        cited_best = max((row[n - 1] for n in cited), default=-1.0)
        if row[best] < threshold or (cited and row[best] - cited_best < margin):
            out.append(sentence)
            continue
        out.append(set_markers(sentence, [best + 1]))
    return " ".join(out)


def set_markers(sentence: str, numbers: Sequence[int]) -> str:
    """The sentence with its markers replaced by ``numbers``, placed before its final stop
    (no numbers: no markers)."""
    body = strip_markers(sentence).rstrip()
    end = body[-1] if body and body[-1] in ".!?" else ""
    markers = "".join(f"[{n}]" for n in numbers)
    return f"{body[: len(body) - len(end)]} {markers}{end}" if markers else body


def shift_markers(text: str, offset: int) -> str:
    """Add ``offset`` to every marker number, so two drafts' evidence lists can be joined."""

    def shifted(match: re.Match[str]) -> str:
        return "".join(f"[{n + offset}]" for n in parse_marker_numbers(match.group(1)))

    return _MARKER.sub(shifted, text) if offset else text


def merge_drafts(drafts: Sequence[Draft]) -> Draft:
    """One draft from a plan's steps: texts joined, evidence concatenated, markers shifted.

    Refused steps add nothing unless every step refused; the first step names the route.
    """
    answered = [d for d in drafts if not d.refused] or list(drafts[:1])
    texts: list[str] = []
    evidence: list[Evidence] = []
    for draft in answered:
        texts.append(shift_markers(draft.text, len(evidence)))
        evidence.extend(draft.evidence)
    return Draft(
        text=" ".join(t for t in texts if t),
        evidence=tuple(evidence),
        route=drafts[0].route,
        sql=next((d.sql for d in drafts if d.sql), None),
        refused=all(d.refused for d in drafts),
        sql_result=next((d.sql_result for d in drafts if d.sql_result), None),
    )
