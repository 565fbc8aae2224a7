"""The verifier's cheap checks, as pure functions: no model, no I/O.

They run before the LLM judge so that the commonest failures of a small model (a marker to
evidence that does not exist or that the reader may not see, a number that appears in no
source or only without the unit the claim gives it, a name or a coded identifier like "v3"
the sources never mention) cost nothing and cannot be talked past a lenient judge. A
sentence that fails here is never sent to the judge.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from copilot.citations import cited_numbers, strip_markers
from copilot.types import Evidence, Principal

Label = Literal["supported", "contradicted", "not_mentioned"]
Check = Literal["cheap", "judge", "unjudged"]  # unjudged: the judge's reply left it out
# Evidence written as prose (documents, threads, schema cards), unlike SQL result rows and
# tool JSON: what embeds well, what a citation may be moved to, where units are written out.
PASSAGE_KINDS = frozenset({"doc", "slack", "table"})

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_WORD_NUMBERS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
]
_WORD = re.compile(r"[A-Za-z][\w'’-]*")
# A capitalised word that does not start a sentence is a name (of a person, a product, a
# place) unless it is one of these; names absent from the sources are likely invented.
_NOT_NAMES = frozenset(
    [
        "I",
        "The",
        "A",
        "An",
        "It",
        "Its",
        "This",
        "That",
        "These",
        "Those",
        "There",
        "Their",
        "They",
        "He",
        "She",
        "We",
        "You",
        "Our",
        "Your",
        "If",
        "In",
        "On",
        "At",
        "For",
        "From",
        "By",
        "To",
        "Of",
        "And",
        "Or",
        "But",
        "With",
        "As",
        "Yes",
        "No",
        "Not",
        "Also",
        "However",
        "Please",
        "Note",
    ]
)


@dataclass(frozen=True)
class Verdict:
    """One sentence's verdict; ``check`` says whether a cheap check or the judge decided."""

    sentence: str
    cited: tuple[int, ...]
    verdict: Label
    reason: str
    check: Check
    attempt: int = 1  # 2: the verdict on the regenerated draft

    @property
    def supported(self) -> bool:
        return self.verdict == "supported"

    def to_dict(self) -> dict[str, Any]:
        return {
            "sentence": self.sentence,
            "cited": list(self.cited),
            "verdict": self.verdict,
            "reason": self.reason,
            "check": self.check,
            "attempt": self.attempt,
        }


# The wording of a citation dropped for access; copilot.metrics counts it in the reasons.
NOT_VISIBLE = "may not see"


def visible_citations(
    sentence: str, evidence: Sequence[Evidence], principal: Principal
) -> tuple[list[int], list[str]]:
    """The sentence's marker numbers that resolve to evidence this principal may see, and a
    reason for each one that does not (no such evidence, or evidence they may not see)."""
    kept: list[int] = []
    problems: list[str] = []
    for n in cited_numbers(sentence):
        if not 1 <= n <= len(evidence):
            problems.append(f"[{n}] points at no evidence")
        elif not evidence[n - 1].access.allows(principal):
            problems.append(f"[{n}] is a source this reader {NOT_VISIBLE}")
        else:
            kept.append(n)
    return kept, problems


def _canonical(number: str) -> str:
    """``"1,200"`` and ``"1200.0"`` -> ``"1200"``; ``"4.50"`` -> ``"4.5"``. (``_NUMBER``
    ends on a digit, so a sentence's closing period is never part of it.)"""
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", number):
        number = number.replace(",", "")
    number = number.replace(",", ".") if number.count(",") == 1 and "." not in number else number
    if "." in number:
        number = number.rstrip("0").rstrip(".")
    return number.lstrip("0") or "0"


def numbers_in(text: str, *, words: bool = False) -> set[str]:
    """Every number written in digits, canonicalised; with ``words``, number words up to
    twenty as well (for evidence: a claim's "3" may come from "three", while a claim's "one"
    is too often not a number to be checked)."""
    found = {_canonical(m.group(0)) for m in _NUMBER.finditer(text)}
    if words:
        present = set(re.findall(r"[a-z]+", text.lower()))
        found |= {str(i) for i, word in enumerate(_WORD_NUMBERS) if word in present}
    return found


def sql_rows(item: Evidence) -> str:
    """The result rows of a SQL evidence item (the SQL itself is not a source of numbers)."""
    _, marker, rows = item.text.partition("Result:")
    return rows if marker else item.text


def checkable_text(item: Evidence) -> str:
    return sql_rows(item) if item.kind == "sql" else f"{item.title}\n{item.text}"


def missing_numbers(claim: str, sources: Sequence[Evidence], question: str) -> list[str]:
    """Numbers the claim states that none of its sources (nor the question itself) has."""
    known = numbers_in(question, words=True)
    for item in sources:
        known |= numbers_in(checkable_text(item), words=True)
    return sorted(numbers_in(claim) - known)


# Units a quantity is stated in, by their spellings (lower case). A claim's "16 bytes" whose
# source has 16 only as "--replicas 16" borrowed a number and invented its unit.
_UNIT_SPELLINGS = {
    "millisecond": "ms milliseconds millisecond",
    "second": "sec secs second seconds",
    "minute": "min mins minute minutes",
    "hour": "h hr hrs hour hours",
    "day": "day days",
    "week": "wk wks week weeks",
    "month": "month months",
    "year": "yr yrs year years",
    "byte": "byte bytes",
    "kilobyte": "kb kib kilobyte kilobytes",
    "megabyte": "mb mib megabyte megabytes",
    "gigabyte": "gb gib gigabyte gigabytes",
    "terabyte": "tb tib terabyte terabytes",
    "percent": "% percent per-cent",
    "dollar": "$ usd dollar dollars",
    "euro": "€ eur euro euros",
    "pound": "£ gbp",
}
_UNITS = {spelling: unit for unit, words in _UNIT_SPELLINGS.items() for spelling in words.split()}
_QUANTITY = re.compile(r"([$€£])?\s?(\d+(?:[.,]\d+)*)(?:\s?-?\s?(%|[A-Za-z]+))?")
_UNIT_WINDOW = 60  # characters around a number where a table header or label may name its unit


def quantities_in(text: str) -> set[tuple[str, str]]:
    """(number, unit) pairs stated with a known unit: "$60", "90-day", "16 KB", "4%"."""
    found: set[tuple[str, str]] = set()
    for match in _QUANTITY.finditer(text):
        unit = _UNITS.get((match.group(1) or match.group(3) or "").lower())
        if unit is not None:
            found.add((_canonical(match.group(2)), unit))
    return found


def _unit_near(text: str, number: str, unit: str) -> bool:
    """Whether ``number`` appears in ``text`` with a spelling of ``unit`` close by."""
    lowered = text.lower()
    for match in _NUMBER.finditer(lowered):
        if _canonical(match.group(0)) != number:
            continue
        around = lowered[max(0, match.start() - _UNIT_WINDOW) : match.end() + _UNIT_WINDOW]
        words = set(re.findall(r"[a-z]+|[$€£%]", around))
        if any(_UNITS.get(word) == unit for word in words):
            return True
    return False


def misplaced_units(claim: str, sources: Sequence[Evidence], question: str) -> list[str]:
    """Quantities the claim states with a unit ("16 bytes") whose number its sources have,
    but never with that unit nearby: the number was borrowed from something else (a replica
    count, a version). A number no source has is ``missing_numbers``' to report.

    Only prose is checked: SQL rows and tool results hold bare numbers whose units live in
    a column name or a key ("total": 12.5), so the judge decides those."""
    if not all(e.kind in PASSAGE_KINDS for e in sources):
        return []
    texts = [question, *(checkable_text(e) for e in sources)]
    known = set().union(*(numbers_in(t) for t in texts))
    return sorted(
        f"{number} {unit}s"
        for number, unit in quantities_in(claim)
        if number in known and not any(_unit_near(t, number, unit) for t in texts)
    )


def _possessive(word: str) -> str:
    return re.sub(r"['’]s?$", "", word)


def names_in(text: str) -> list[str]:
    """Capitalised words that do not open a sentence (nor follow a colon)."""
    names: list[str] = []
    for match in _WORD.finditer(text):
        before = text[: match.start()].rstrip()
        if before and before[-1] not in '.!?:"(' and match.group(0)[0].isupper():
            names.append(match.group(0))
    return names


def missing_names(claim: str, sources: Sequence[Evidence], question: str) -> list[str]:
    """Capitalised names in the claim that appear neither in its sources nor the question."""
    haystack = " ".join([question, *(checkable_text(e) for e in sources)]).lower()
    names = {_possessive(word) for word in names_in(claim)}
    return sorted(n for n in names if n not in _NOT_NAMES and n.lower() not in haystack)


# A coded name: letters, then a digit (v3, INC-2026-014, FY2026, p99, L4, ACME-4001).
_IDENTIFIER = re.compile(r"(?<![\w-])[A-Za-z]+-?\d[\w-]*")


def _squeezed(text: str) -> str:
    """Lower case without spaces, hyphens and underscores: "FY 2026" and "FY2026" meet."""
    return re.sub(r"[\s_-]+", "", text.lower())


def missing_identifiers(claim: str, sources: Sequence[Evidence]) -> list[str]:
    """Coded names (v3, INC-2026-014) the claim states that none of its sources has, even
    when the question names them: "the v3 API's limits" answered from a page on the
    unversioned API is a false premise, not a restatement. An SQL source's query counts
    (its WHERE clause holds the ticket id its rows are about)."""
    haystack = _squeezed(" ".join(f"{e.title} {e.text}" for e in sources))
    found = {m.group(0).rstrip("-") for m in _IDENTIFIER.finditer(claim)}
    return sorted(i for i in found if _squeezed(i) not in haystack)


def cheap_verdict(
    sentence: str,
    cited: Sequence[int],
    problems: Sequence[str],
    evidence: Sequence[Evidence],
    question: str,
) -> Verdict | None:
    """A verdict the cheap checks can give on their own, or ``None`` to ask the judge."""
    cites = tuple(cited)
    claim = strip_markers(sentence)
    if not cites:
        why = "; ".join(problems) or "it cites no evidence"
        return Verdict(sentence, cites, "not_mentioned", why, "cheap")
    sources = [evidence[n - 1] for n in cites]
    numbers = missing_numbers(claim, sources, question)
    if numbers:
        where = "result rows" if any(e.kind == "sql" for e in sources) else "cited evidence"
        why = f"{', '.join(numbers)} not in the {where}"
        return Verdict(sentence, cites, "not_mentioned", why, "cheap")
    units = misplaced_units(claim, sources, question)
    if units:
        why = f"{', '.join(units)}: the number is in the cited evidence, the unit is not"
        return Verdict(sentence, cites, "not_mentioned", why, "cheap")
    names = missing_names(claim, sources, question) or missing_identifiers(claim, sources)
    if names:
        why = f"{', '.join(names)} not in the cited evidence"
        return Verdict(sentence, cites, "not_mentioned", why, "cheap")
    return None
