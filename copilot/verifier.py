"""The verifier: every sentence shown must be backed by evidence its reader may see.

``Verifier.verify`` splits a draft into sentences and gives each a verdict (``supported``,
``contradicted`` or ``not_mentioned``). A sentence with no marker at all is first anchored to
the visible item it is most like (if it is like it enough), one whose cited passages lack a
number it states moves to the one visible passage that has it (``repointed``), and a
question claims nothing.
Then come the cheap checks of ``verify_checks`` (valid,
visible citations; numbers and names present in the cited evidence, for SQL in the result
rows), then embedding similarity, and only then the chat model as a judge under a JSON schema.
All sentences that reach the judge go in *one* call: llama.cpp serves one request at a time,
so one prompt with the evidence once is cheaper than a call per sentence.

``Verifier.check`` applies the policy: drop what is not kept (strict keeps only supported
sentences; lenient also keeps those the judge found merely not mentioned), regenerate once
with the judge's reasons when the core of the answer fails (its first sentence, half of it,
or, says the judge in the same call, it does not answer the question), and refuse after
that, pointing at the best sources instead of citing them. A proposed write that waits for
the user's confirmation is the one draft that passes unjudged (see ``check``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from copilot.citations import (
    cited_numbers,
    number_evidence,
    set_markers,
    split_sentences,
    strip_markers,
)
from copilot.llm import ChatMessage, ChatModel, reply_object
from copilot.types import Draft, Evidence, Principal
from copilot.verify_checks import (
    PASSAGE_KINDS,
    Check,
    Label,
    Verdict,
    cheap_verdict,
    missing_numbers,
    visible_citations,
)
from indexes.embeddings import Embedder

COULD_NOT_VERIFY = "I couldn't verify an answer from the sources you can see."
LABELS = ("supported", "contradicted", "not_mentioned")
_REASON_CHARS = 160

JUDGE_PROMPT = (
    "You check claims against sources. For each claim, read only the sources it cites and "
    "decide: supported (the sources state it), contradicted (the sources state something "
    "different) or not_mentioned (the sources do not say it). Give a short reason first."
)

ANSWERS_PROMPT = (
    " Then say whether the claims, taken together, answer the question (answers_question): "
    "true claims about something else are no answer."
)

Strictness = Literal["lenient", "strict"]
Regenerate = Callable[[str], Draft]


@dataclass(frozen=True)
class Checked:
    """The draft after the policy: only kept sentences, or a refusal with sources to read."""

    draft: Draft
    verdicts: tuple[Verdict, ...]
    sources: tuple[Evidence, ...] = ()
    regenerated: bool = False


@dataclass(frozen=True)
class Claim:
    """A sentence without its markers, and the evidence items it cites."""

    text: str
    sources: tuple[Evidence, ...]


@dataclass(frozen=True)
class Judgement:
    """The judge's labels, one per claim (``None``: it gave none), and whether the claims
    answer the question."""

    labels: list[tuple[Label, str] | None]
    answers_question: bool


@dataclass(frozen=True)
class _Pending:
    """A sentence that passed the cheap checks, waiting for similarity and the judge."""

    index: int
    sentence: str
    cited: tuple[int, ...]
    claim: Claim

    def verdict(self, label: Label, reason: str, check: Check) -> Verdict:
        return Verdict(self.sentence, self.cited, label, reason, check)


class Verifier:
    def __init__(
        self,
        judge: ChatModel,
        embedder: Embedder,
        strictness: Strictness = "strict",
        min_similarity: float = 0.15,
        best_sources: int = 3,
        judge_model: str | None = None,
        anchor_similarity: float = 0.35,
        ask_if_answered: bool = True,
    ) -> None:
        self._anchor_similarity = anchor_similarity
        self._ask_if_answered = ask_if_answered
        self._judge = judge
        self._judge_model = judge_model
        self._embedder = embedder
        self._strictness = strictness
        self._min_similarity = min_similarity
        self._best_sources = best_sources

    def verify(self, question: str, draft: Draft, principal: Principal) -> list[Verdict]:
        """One verdict per sentence of the draft, in order: cheap checks, then similarity,
        then the judge, each seeing only what the one before let through."""
        return self._review(question, draft, principal)[0]

    def _review(
        self, question: str, draft: Draft, principal: Principal
    ) -> tuple[list[Verdict], bool]:
        """The verdicts, and whether the judge found that the claims answer the question."""
        sentences = self._anchored(split_sentences(draft.text), draft.evidence, principal)
        sentences = [repointed(s, draft.evidence, principal, question) for s in sentences]
        verdicts: dict[int, Verdict] = {}
        pending: list[_Pending] = []
        for index, sentence in enumerate(sentences):
            if is_question(sentence):
                verdicts[index] = Verdict(sentence, (), "not_mentioned", "not a claim", "cheap")
                continue
            cited, problems = visible_citations(sentence, draft.evidence, principal)
            cheap = cheap_verdict(sentence, cited, problems, draft.evidence, question)
            if cheap is not None:
                verdicts[index] = cheap
                continue
            sources = tuple(draft.evidence[n - 1] for n in cited)
            claim = Claim(strip_markers(sentence), sources)
            pending.append(_Pending(index, sentence, tuple(cited), claim))
        verdicts.update(self._unlike(pending))
        judged, answers = self._judged(question, [p for p in pending if p.index not in verdicts])
        verdicts.update(judged)
        return [verdicts[i] for i in range(len(sentences))], answers

    def _anchored(
        self, sentences: list[str], evidence: Sequence[Evidence], principal: Principal
    ) -> list[str]:
        """A sentence with no marker at all gets one to the visible item it is most like, if
        it is like it enough; the judge then decides as for any other. (Small models often
        state the key fact in an unmarked sentence; a made-up marker is never repaired.)"""
        bare = [i for i, s in enumerate(sentences) if not cited_numbers(s) and not is_question(s)]
        items = citable_passages(evidence, principal)
        if not bare or not items:
            return sentences
        vectors = self._embedder.embed_texts(
            [sentences[i] for i in bare] + [evidence[n - 1].text for n in items]
        )
        scores = vectors[: len(bare)] @ vectors[len(bare) :].T
        out = list(sentences)
        for row, i in enumerate(bare):
            best = int(scores[row].argmax())
            if scores[row][best] >= self._anchor_similarity:
                out[i] = set_markers(sentences[i], [items[best]])
        return out

    def _unlike(self, pending: Sequence[_Pending]) -> dict[int, Verdict]:
        scores = self.similarity([p.claim for p in pending])
        return {
            p.index: p.verdict(
                "not_mentioned", f"too unlike its cited evidence (cosine {score:.2f})", "cheap"
            )
            for p, score in zip(pending, scores, strict=True)
            if score < self._min_similarity
        }

    def _judged(
        self, question: str, pending: Sequence[_Pending]
    ) -> tuple[dict[int, Verdict], bool]:
        asked = question if self._ask_if_answered else None
        judgement = self.judge([p.claim for p in pending], asked)
        verdicts = {
            p.index: p.verdict(*label, "judge")
            if label
            else p.verdict("not_mentioned", "the judge gave no verdict", "unjudged")
            for p, label in zip(pending, judgement.labels, strict=True)
        }
        return verdicts, judgement.answers_question

    def keeps(self, verdict: Verdict) -> bool:
        lenient = self._strictness == "lenient" and verdict.check == "judge"
        return verdict.supported or (lenient and verdict.verdict == "not_mentioned")

    def check(
        self,
        question: str,
        draft: Draft,
        principal: Principal,
        regenerate: Regenerate | None = None,
    ) -> Checked:
        """Verify, drop what is not kept; regenerate once if the core fails; else refuse.

        A draft that proposes a write (``pending_action``) passes unjudged: it states no fact,
        only the exact call it would make once the user confirms, and that text is built from
        the validated arguments, not written by the model. Judging it could only strip or
        refuse the confirmation prompt, leaving the user unable to confirm."""
        if draft.pending_action is not None:
            return Checked(draft, ())
        verdicts, answers = self._review(question, draft, principal)
        if answers and self._core_kept(verdicts):
            return Checked(self._kept(draft, verdicts), tuple(verdicts))
        if regenerate is not None:
            retry = regenerate(self._feedback(verdicts, answers))
            again: list[Verdict] = []
            answers = False
            if not retry.refused:
                again, answers = self._review(question, retry, principal)
            verdicts += [replace(v, attempt=2) for v in again]
            if answers and self._core_kept(again):
                return Checked(self._kept(retry, again), tuple(verdicts), regenerated=True)
        return self._refusal(draft, verdicts, principal, regenerated=regenerate is not None)

    def judge(self, claims: Sequence[Claim], question: str | None = None) -> Judgement:
        """(label, reason) for each claim, from one call; ``None`` where the reply has none
        (the caller treats that as unsupported: an unreadable judge lets nothing through).
        Given the question, the judge also says whether the claims answer it: true, supported
        sentences about something else are no answer (an unanswerable question's usual trap)."""
        if not claims:
            return Judgement([], True)
        reply = self._judge.complete(
            judge_messages(claims, question),
            max_tokens=50 + 70 * len(claims),
            json_schema=judge_schema(len(claims), with_question=question is not None),
            model=self._judge_model,
        )
        parsed, answers = parse_judgement(reply.text)
        return Judgement([parsed.get(i) for i in range(1, len(claims) + 1)], answers)

    def similarity(self, claims: Sequence[Claim]) -> list[float]:
        """Each claim's best cosine with the items it cites; 1.0 where embeddings say nothing
        (SQL rows and tool JSON embed poorly, so their numbers decide instead)."""
        comparable = [
            i for i, c in enumerate(claims) if all(e.kind in PASSAGE_KINDS for e in c.sources)
        ]
        scores = [1.0] * len(claims)
        if not comparable:
            return scores
        items = list(dict.fromkeys(e for i in comparable for e in claims[i].sources))
        vectors = self._embedder.embed_texts(
            [claims[i].text for i in comparable] + [e.text for e in items]
        )
        position = {e: len(comparable) + j for j, e in enumerate(items)}
        for row, i in enumerate(comparable):
            cosines = (float(vectors[row] @ vectors[position[e]]) for e in claims[i].sources)
            scores[i] = max(cosines)
        return scores

    def _core_kept(self, verdicts: Sequence[Verdict]) -> bool:
        """The first sentence kept, and at least half of all: otherwise the answer's point
        is unsupported and a trimmed remainder would mislead."""
        claims = [v for v in verdicts if not is_question(v.sentence)]
        kept = sum(self.keeps(v) for v in claims)
        return bool(claims) and self.keeps(claims[0]) and 2 * kept >= len(claims)

    def _kept(self, draft: Draft, verdicts: Sequence[Verdict]) -> Draft:
        text = " ".join(set_markers(v.sentence, v.cited) for v in verdicts if self.keeps(v))
        return replace(draft, text=text)

    @staticmethod
    def _feedback(verdicts: Sequence[Verdict], answers: bool) -> str:
        lines = [
            f'- "{strip_markers(v.sentence)}": {v.verdict.replace("_", " ")}, {v.reason}'
            for v in verdicts
            if not v.supported
        ]
        return "\n".join(lines if answers else ["- it does not answer the question", *lines])

    def _refusal(
        self, draft: Draft, verdicts: list[Verdict], principal: Principal, *, regenerated: bool
    ) -> Checked:
        visible = [e for e in draft.evidence if e.access.allows(principal)]
        best: list[Evidence] = []
        for item in sorted(visible, key=lambda e: -e.relevance):
            if item.source_id not in {b.source_id for b in best}:
                best.append(item)
        refused = replace(draft, text=COULD_NOT_VERIFY, refused=True)
        return Checked(
            refused, tuple(verdicts), tuple(best[: self._best_sources]), regenerated=regenerated
        )


def repointed(
    sentence: str, evidence: Sequence[Evidence], principal: Principal, question: str
) -> str:
    """A sentence whose cited passages lack a number it states, re-pointed to the one other
    visible passage that has them all; otherwise unchanged.

    Small models often put the right number under the wrong marker (a table row from [2]
    cited as [1], the document's heading chunk). Only the citation moves; the cheap checks
    and the judge then decide on the passage that holds the number, so nothing unsupported
    gets through. Two candidates would be a guess, so neither is taken, and SQL and tool
    results are never re-pointed to (their numbers need their own query or call)."""
    cited, problems = visible_citations(sentence, evidence, principal)
    if not cited or problems or not all(evidence[n - 1].kind in PASSAGE_KINDS for n in cited):
        return sentence
    claim = strip_markers(sentence)
    if not missing_numbers(claim, [evidence[n - 1] for n in cited], question):
        return sentence
    holders = [
        n
        for n in citable_passages(evidence, principal)
        if n not in cited and not missing_numbers(claim, [evidence[n - 1]], question)
    ]
    return set_markers(sentence, holders) if len(holders) == 1 else sentence


def citable_passages(evidence: Sequence[Evidence], principal: Principal) -> list[int]:
    """Marker numbers a citation may be moved to: passages (not SQL or tool results, whose
    claims need their own query or call) that the reader may see."""
    return [
        n
        for n, item in enumerate(evidence, 1)
        if item.kind in PASSAGE_KINDS and item.access.allows(principal)
    ]


def is_question(sentence: str) -> bool:
    """A question in an answer (small models copy them from threads, or echo the one asked,
    "... does the match vest? [1].") claims nothing."""
    return strip_markers(sentence).rstrip().rstrip(".").rstrip().endswith("?")


def judge_messages(claims: Sequence[Claim], question: str | None = None) -> list[ChatMessage]:
    """Sources numbered once for the whole batch; each claim lists the numbers it cites."""
    sources = list(dict.fromkeys(e for c in claims for e in c.sources))
    listed = "\n".join(
        f"{i}. {c.text} (cites {', '.join(f'[{sources.index(e) + 1}]' for e in c.sources)})"
        for i, c in enumerate(claims, 1)
    )
    user = f"Sources:\n{number_evidence(sources)}\n\nClaims:\n{listed}"
    if question is None:
        return [ChatMessage("system", JUDGE_PROMPT), ChatMessage("user", user)]
    user = f"Question: {question}\n\n{user}"
    return [ChatMessage("system", JUDGE_PROMPT + ANSWERS_PROMPT), ChatMessage("user", user)]


def judge_schema(count: int, *, with_question: bool = False) -> dict[str, Any]:
    """Exactly ``count`` verdicts, each with a short reason written before the label; then,
    with the question, whether the claims answer it."""
    item = {
        "type": "object",
        "properties": {
            "claim": {"type": "integer"},
            "reason": {"type": "string", "maxLength": _REASON_CHARS},
            "verdict": {"type": "string", "enum": list(LABELS)},
        },
        "required": ["claim", "reason", "verdict"],
        "additionalProperties": False,
    }
    verdicts = {"type": "array", "items": item, "minItems": count, "maxItems": count}
    properties: dict[str, Any] = {"verdicts": verdicts}
    if with_question:
        properties["answers_question"] = {"type": "boolean"}
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def parse_judgement(text: str) -> tuple[dict[int, tuple[Label, str]], bool]:
    """Claim number -> (label, reason) from the judge's JSON, and whether the claims answer
    the question (only an explicit ``false`` says no: the labels are the main check).
    Whatever is unreadable is left out; the caller treats a missing claim as not_mentioned."""
    data = reply_object(text, "verifier judge")
    rows = data.get("verdicts")
    parsed: dict[int, tuple[Label, str]] = {}
    for row in rows if isinstance(rows, list) else []:
        claim = row.get("claim") if isinstance(row, dict) else None
        if isinstance(claim, int) and row.get("verdict") in LABELS:
            parsed.setdefault(claim, (row["verdict"], str(row.get("reason", ""))))
    return parsed, data.get("answers_question") is not False
