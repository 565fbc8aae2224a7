"""The golden dataset format (one JSON object per line), loaded with errors that name the line.

Fields: ``id``, ``question``, ``user`` (email), ``expected_route`` (retrieval | sql | tool),
``expected_source_ids``, ``answer_facts`` (strings a correct answer contains), ``answerable``;
optional ``kind``, ``forbidden_source_ids``, ``gold_sql``, ``notes``, ``answer`` (a short
reference answer, scored by exact match and F1; without it the facts joined are the reference)
and ``database`` (the database source ``gold_sql`` runs on, when the workspace has several).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from copilot.errors import ConfigError

_REQUIRED = (
    "id",
    "question",
    "expected_route",
    "expected_source_ids",
    "answer_facts",
    "answerable",
)


@dataclass(frozen=True)
class GoldenItem:
    id: str
    question: str
    user: str | None
    expected_route: str
    expected_source_ids: tuple[str, ...]
    answer_facts: tuple[str, ...]
    answerable: bool
    kind: str = ""
    forbidden_source_ids: tuple[str, ...] = field(default_factory=tuple)
    gold_sql: str | None = None
    answer: str | None = None
    database: str | None = None

    @property
    def reference(self) -> str:
        """What exact match and F1 compare an answer with."""
        return self.answer if self.answer else " ".join(self.answer_facts)


def load_golden(path: Path) -> list[GoldenItem]:
    items: list[GoldenItem] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            missing = [k for k in _REQUIRED if k not in raw]
            if missing:
                raise ValueError(f"missing {', '.join(missing)}")
            items.append(
                GoldenItem(
                    id=str(raw["id"]),
                    question=str(raw["question"]),
                    user=raw.get("user"),
                    expected_route=str(raw["expected_route"]),
                    expected_source_ids=tuple(raw["expected_source_ids"]),
                    answer_facts=tuple(raw["answer_facts"]),
                    answerable=bool(raw["answerable"]),
                    kind=str(raw.get("kind", "")),
                    forbidden_source_ids=tuple(raw.get("forbidden_source_ids") or ()),
                    gold_sql=raw.get("gold_sql"),
                    answer=raw.get("answer"),
                    database=raw.get("database"),
                )
            )
        except (ValueError, TypeError) as exc:
            raise ConfigError(f"{path}:{number}: not a golden item ({exc})") from exc
    return items
