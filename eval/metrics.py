"""Metrics as plain functions, so each is easy to test and to reuse across runners."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence


def unique_in_order(ids: Iterable[str]) -> list[str]:
    seen: list[str] = []
    for item in ids:
        if item not in seen:
            seen.append(item)
    return seen


def recall_at_k(retrieved: Sequence[str], expected: Iterable[str], k: int) -> float:
    """Share of expected ids among the first ``k`` retrieved ids (1.0 when none expected)."""
    wanted = set(expected)
    if not wanted:
        return 1.0
    return len(wanted & set(retrieved[:k])) / len(wanted)


def reciprocal_rank(retrieved: Sequence[str], expected: Iterable[str]) -> float:
    wanted = set(expected)
    for rank, item in enumerate(retrieved, 1):
        if item in wanted:
            return 1.0 / rank
    return 0.0


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, round(q / 100 * len(ordered) + 0.4999))
    return float(ordered[min(rank, len(ordered)) - 1])


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.lower().replace("*", "")).strip()


def fact_recall(answer: str, facts: Iterable[str]) -> float:
    """Share of expected fact strings present in the answer (case and spacing ignored)."""
    wanted = list(facts)
    if not wanted:
        return 1.0
    text = _normalise(answer)
    return sum(_normalise(f) in text for f in wanted) / len(wanted)


def citation_precision(cited: Sequence[str], expected: Iterable[str]) -> float:
    """Share of cited ids that are expected sources (1.0 when nothing is cited)."""
    if not cited:
        return 1.0
    wanted = set(expected)
    return sum(c in wanted for c in cited) / len(cited)


def _cell(value: object) -> object:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return round(float(value), 6)
    return str(value).strip().lower()


def _row_key(row: Sequence[object]) -> tuple[str, ...]:
    """A row as a sorted tuple of normalised cells: blind to column order, as the
    test-suite convention asks (a permutation of columns does not change the answer)."""
    return tuple(sorted(repr(_cell(v)) for v in row))


def execution_match(
    predicted: Sequence[Sequence[object]], gold: Sequence[Sequence[object]], ordered: bool
) -> bool:
    """Bag-of-rows equality under column permutation; row order counts only if ``ordered``."""
    left = [_row_key(r) for r in predicted]
    right = [_row_key(r) for r in gold]
    return left == right if ordered else sorted(left) == sorted(right)


def citation_recall(cited: Sequence[str], expected: Iterable[str]) -> float:
    """Share of expected ids that were cited (1.0 when none expected)."""
    wanted = set(expected)
    if not wanted:
        return 1.0
    return len(wanted & set(cited)) / len(wanted)


def normalize_answer(text: str) -> str:
    """HotpotQA's (SQuAD's) normalisation: lowercase, no punctuation, articles or extra space."""
    text = "".join(ch for ch in text.lower() if ch not in _PUNCTUATION)
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())


_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


def exact_match(prediction: str, gold: str) -> float:
    return float(normalize_answer(prediction) == normalize_answer(gold))


def token_f1(prediction: str, gold: str) -> float:
    """HotpotQA's token F1; yes/no/noanswer must match exactly, as in its official script."""
    pred, ref = normalize_answer(prediction), normalize_answer(gold)
    special = {"yes", "no", "noanswer"}
    if (pred in special or ref in special) and pred != ref:
        return 0.0
    pred_tokens, ref_tokens = pred.split(), ref.split()
    common = sum(min(pred_tokens.count(t), ref_tokens.count(t)) for t in set(pred_tokens))
    if common == 0:
        return 0.0
    precision, recall = common / len(pred_tokens), common / len(ref_tokens)
    return 2 * precision * recall / (precision + recall)


def span_scores(text: str, short: str | None, gold: str) -> dict[str, float]:
    """Exact match and F1 of the short answer when there is one (else of the whole text), and
    whether the whole text holds the gold answer."""
    span = short or text
    return {
        "em": exact_match(span, gold),
        "f1": token_f1(span, gold),
        "answer_in": answer_in_text(text, gold),
    }


def answer_in_text(prediction: str, gold: str) -> float:
    """Whether the normalised gold answer occurs in the normalised prediction: the fair
    score for a sentence-long answer, which exact match always fails (ALCE's "EM recall")."""
    ref = normalize_answer(gold)
    return float(bool(ref) and f" {ref} " in f" {normalize_answer(prediction)} ")
