"""The verifier on and off, in one run, on the golden set and on HotpotQA.

    python -m eval.verifier --workspace examples/acme --dataset examples/acme/golden.jsonl \
        --hotpotqa ../shared/benchmarks/hotpotqa [--limit N] [--hotpot-limit N] [--out DIR]

Each question is answered twice with the same chat model: verifier off, then on. The model's
replies are memoised, so both runs see the *same* draft and differ only by what the verifier
did (its judge calls and any regeneration are real calls): the comparison is paired, and the
added latency is the ``verify`` plus ``regenerate`` time of the second run.

Reported per dataset and mode: citation precision and recall by gold source ids, and
ALCE-style by a judge (a sentence's recall: its cited evidence supports it; a citation's
precision: the supported sentence needs it, or it supports the sentence alone); the share of
shown sentences the judge finds unsupported; refusal rates (on the golden set also for the
unanswerable questions); HotpotQA answer exact match, F1 and gold-answer-in-text; latency.

The ALCE judge is ``--judge-model`` on the same server (default: the verifier's own judge
model, so it partly grades its own work: a stronger, independent judge would be fairer). The
evidence it reads for a citation is the source's chunks that retrieval returns for the
question, or the citation's snippet (SQL results, tool results) where retrieval has none.

HotpotQA passages become one Markdown file each (``{passage_id}.md``) in a workspace under
``--hotpot-dir`` (default: a folder in the system temp dir, reused between runs), so a
citation's source id maps back to ``gold_passage_ids``; nothing is copied into the repository.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from copilot.citations import cited_numbers, split_sentences, strip_markers
from copilot.config import Settings
from copilot.copilot import Copilot, Workspace
from copilot.llm import ChatMessage, ChatModel, Completion, open_chat_model
from copilot.types import Access, Evidence, Principal
from copilot.verifier import Claim, Verifier
from eval.golden import load_golden
from eval.metrics import (
    citation_precision,
    citation_recall,
    fact_recall,
    percentile,
    span_scores,
)

MODES = ("off", "on")
_EVIDENCE_CHARS = 1500  # per citation for the ALCE judge: a slow CPU judge reads every token


class MemoChat:
    """A ``ChatModel`` that answers a repeated request from memory, so the verifier-on run
    sees exactly the drafts of the verifier-off run."""

    def __init__(self, chat: ChatModel) -> None:
        self._chat = chat
        self._memo: dict[str, Completion] = {}

    def complete(self, messages: Sequence[ChatMessage], **options: Any) -> Completion:
        key = json.dumps([repr(m) for m in messages] + [repr(sorted(options.items()))])
        if key not in self._memo:
            self._memo[key] = self._chat.complete(messages, **options)
        return self._memo[key]


@dataclass(frozen=True)
class Item:
    """One question of either dataset, with what scoring needs."""

    id: str
    question: str
    user: str | None
    gold_ids: tuple[str, ...]  # empty: not scored by gold ids
    answerable: bool
    kind: str
    answer: str = ""  # HotpotQA's gold answer
    facts: tuple[str, ...] = ()  # the golden set's answer facts


def golden_items(path: Path) -> list[Item]:
    return [
        Item(
            g.id,
            g.question,
            g.user,
            g.expected_source_ids if g.expected_route == "retrieval" else (),
            g.answerable,
            g.kind or g.expected_route,
            facts=g.answer_facts,
        )
        for g in load_golden(path)
    ]


def per_kind(items: list[Item], limit: int) -> list[Item]:
    """The first ``limit`` items of each kind (all when 0): a small run still covers
    retrieval, SQL, tools, unanswerable questions and access probes."""
    if not limit:
        return items
    counts: dict[str, int] = {}
    kept: list[Item] = []
    for item in items:
        counts[item.kind] = counts.get(item.kind, 0) + 1
        if counts[item.kind] <= limit:
            kept.append(item)
    return kept


def hotpot_items(folder: Path) -> list[Item]:
    lines = (folder / "public_dev_questions.jsonl").read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines if line.strip()]
    return [
        Item(
            r["qid"],
            r["question"].strip(),
            None,
            tuple(f"docs:{p}.md" for p in r["gold_passage_ids"]),
            True,
            r.get("type", "hotpotqa"),
            answer=r["answer"],
        )
        for r in rows
    ]


def hotpot_workspace(folder: Path, target: Path) -> Path:
    """A workspace whose documents are the corpus passages, one Markdown file each."""
    docs = target / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    corpus = (folder / "corpus_public.jsonl").read_text(encoding="utf-8").splitlines()
    for line in corpus:
        if line.strip():
            p = json.loads(line)
            page = docs / f"{p['passage_id']}.md"
            text = f"# {p['title']}\n\n{p['text'].strip()}\n"
            if not page.is_file() or page.read_text(encoding="utf-8") != text:
                page.write_text(text, encoding="utf-8")
    config = "name: hotpotqa\nsources:\n  - type: documents\n    name: docs\n    path: docs\n"
    config += "    access: {default: {public: true}}\n"
    (target / "copilot.yaml").write_text(config, encoding="utf-8")
    return target


class Scorer:
    """Scores one answer: gold ids, answer text, and the ALCE-style judge."""

    def __init__(self, workspace: Workspace, judge: Verifier) -> None:
        self._retriever = workspace.retriever()
        self._judge = judge

    def score(
        self, item: Item, principal: Principal, answer: dict[str, Any], mode: str
    ) -> dict[str, Any]:
        cited = [c["source_id"] for c in answer["citations"]]
        text = strip_markers(answer["answer"])
        timings = answer["timings_ms"]
        row: dict[str, Any] = {
            "id": item.id,
            "mode": mode,
            "kind": item.kind,
            "answerable": item.answerable,
            "refused": answer["refused"],
            "answer": answer["answer"],
            "short_answer": answer.get("short_answer"),
            "cited": cited,
            "gold_precision": citation_precision(cited, item.gold_ids) if cited else None,
            "gold_recall": citation_recall(cited, item.gold_ids),
            "total_ms": timings.get("total", 0),
            "added_ms": timings.get("verify", 0) + timings.get("regenerate", 0),
        }
        if not item.gold_ids:
            row["gold_precision"] = row["gold_recall"] = None
        if item.answer:
            row.update(span_scores(text, answer.get("short_answer"), item.answer))
        if item.facts:
            row["facts"] = fact_recall(text, item.facts)
        if not answer["refused"]:
            row.update(self._alce(item.question, principal, answer))
        return row

    def _alce(self, question: str, principal: Principal, answer: dict[str, Any]) -> dict[str, Any]:
        evidence = self._evidence(question, principal, answer["citations"])
        sentences = split_sentences(answer["answer"])
        cites = [[n for n in cited_numbers(s) if n in evidence] for s in sentences]
        claims: list[Claim] = []
        for sentence, ns in zip(sentences, cites, strict=True):
            claims += alce_claims(strip_markers(sentence), [evidence[n] for n in ns])
        # One call per answer: on a CPU the judge's calls dominate the run.
        verdicts = self._judge.judge(claims).labels
        supported = iter([v is not None and v[0] == "supported" for v in verdicts])
        recall, precise, citations = [], 0, 0
        for ns in cites:
            full, alone, rest = alce_take(supported, len(ns))
            recall.append(float(full))
            citations += len(ns)
            precise += sum(full and (a or not r) for a, r in zip(alone, rest, strict=True))
        return {
            "sentences": len(sentences),
            "unsupported_shown": sum(1 for r in recall if r < 1.0),
            "alce_recall": sum(recall) / len(recall) if recall else 0.0,
            "alce_precision": precise / citations if citations else None,
        }

    def _evidence(
        self, question: str, principal: Principal, citations: list[dict[str, Any]]
    ) -> dict[int, Evidence]:
        found = self._retriever.search(question, principal)
        out: dict[int, Evidence] = {}
        for c in citations:
            chunks = [e.text for e in found if e.source_id == c["source_id"]]
            text = "\n".join(chunks)[:_EVIDENCE_CHARS] or c["snippet"]
            out[c["n"]] = Evidence(c["source_id"], c["kind"], c["title"], "", text, Access())
        return out


def alce_claims(claim: str, sources: list[Evidence]) -> list[Claim]:
    """The judge questions ALCE asks of one sentence: all its citations together, then, when
    there are several, each alone and all but each."""
    claims = [Claim(claim, tuple(sources))]
    if len(sources) > 1:
        claims += [Claim(claim, (s,)) for s in sources]
        claims += [Claim(claim, tuple(o for o in sources if o is not s)) for s in sources]
    return claims


def alce_take(answers: Iterator[bool], count: int) -> tuple[bool, list[bool], list[bool]]:
    """Read back one sentence's answers in ``alce_claims`` order."""
    if count == 0:
        return False, [], []
    full = next(answers)
    if count == 1:
        return full, [full], [False]
    alone = [next(answers) for _ in range(count)]
    rest = [next(answers) for _ in range(count)]
    return full, alone, rest


def _mean(values: list[Any]) -> float | None:
    kept = [float(v) for v in values if v is not None]
    return round(sum(kept) / len(kept), 3) if kept else None


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """One mode's figures on one dataset."""
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    shown = sum(r.get("sentences", 0) for r in rows)
    summary = {
        "questions": len(rows),
        "refusal_rate": _mean([r["refused"] for r in rows]),
        "refusal_rate_answerable": _mean([r["refused"] for r in answerable]),
        "refusal_rate_unanswerable": _mean([r["refused"] for r in unanswerable]),
        "citation_precision_gold": _mean([r["gold_precision"] for r in rows]),
        "citation_recall_gold": _mean([r["gold_recall"] for r in rows]),
        "citation_precision_alce": _mean([r.get("alce_precision") for r in rows]),
        "citation_recall_alce": _mean([r.get("alce_recall") for r in rows]),
        "shown_sentences": shown,
        "shown_unsupported_share": round(
            sum(r.get("unsupported_shown", 0) for r in rows) / shown, 3
        )
        if shown
        else None,
        "exact_match": _mean([r.get("em") for r in rows]),
        "f1": _mean([r.get("f1") for r in rows]),
        "answer_in_text": _mean([r.get("answer_in") for r in rows]),
        "fact_recall": _mean([r.get("facts") for r in answerable]),
        "total_ms_p50": percentile([r["total_ms"] for r in rows], 50),
        "added_ms_p50": percentile([r["added_ms"] for r in rows], 50),
        "added_ms_p95": percentile([r["added_ms"] for r in rows], 95),
    }
    return {k: v for k, v in summary.items() if v is not None}


def run_dataset(
    settings: Settings,
    items: list[Item],
    judge_model: str | None,
    progress: Callable[[str], None],
) -> list[dict[str, Any]]:
    """Answer every item with the verifier off and on (the same drafts), and score both."""
    off = Workspace(settings.model_copy(update={"verifier": "off"}))
    on = Workspace(settings if settings.verifier != "off" else _strict(settings))
    on.embedder = off.embedder
    rows: list[dict[str, Any]] = []
    with open_chat_model(settings, settings.resolved_data_dir) as chat:
        memo = MemoChat(chat)
        copilots: dict[str, Copilot] = {"off": off.copilot(memo), "on": on.copilot(memo)}
        judge = Verifier(memo, off.embedder, judge_model=judge_model or on.judge_model())
        scorer = Scorer(off, judge)
        for number, item in enumerate(items, 1):
            principal = off.principal(item.user)
            for mode in MODES:
                answer = copilots[mode].answer(item.question, principal, qid=item.id).to_dict()
                rows.append(scorer.score(item, principal, answer, mode))
            verdicts = [(v["verdict"], v["check"], v["reason"][:60]) for v in answer["verdicts"]]
            progress(f"{number}/{len(items)} {item.id} off: {rows[-2]['answer'][:90]!r}")
            progress(f"  rows: {json.dumps(rows[-2:])}")
            progress(f"  on: {rows[-1]['answer'][:90]!r} {verdicts}")
    return rows


def _strict(settings: Settings) -> Settings:
    return settings.model_copy(update={"verifier": "strict"})


def _report(name: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {mode: summarise([r for r in rows if r["mode"] == mode]) for mode in MODES} | {
        "dataset": name
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workspace", type=Path, default=Path("examples/acme"))
    parser.add_argument("--dataset", type=Path, default=Path("examples/acme/golden.jsonl"))
    parser.add_argument("--kinds", nargs="*", help="only these golden kinds (e.g. unanswerable)")
    parser.add_argument("--hotpotqa", type=Path, help="../shared/benchmarks/hotpotqa")
    parser.add_argument("--hotpot-dir", type=Path, help="where to build its workspace")
    parser.add_argument("--limit", type=int, default=0, help="first N golden questions per kind")
    parser.add_argument("--hotpot-limit", type=int, default=0, help="first N HotpotQA ones")
    parser.add_argument("--judge-model", help="model for the ALCE judge (same server)")
    parser.add_argument("--out", type=Path, help="folder for per-question rows and summary")
    args = parser.parse_args()
    reports: list[dict[str, Any]] = []
    golden = [i for i in golden_items(args.dataset) if not args.kinds or i.kind in args.kinds]
    golden = per_kind(golden, args.limit)
    datasets = [("golden", args.workspace, golden, 0)]
    if args.hotpotqa:
        target = args.hotpot_dir or Path(tempfile.gettempdir()) / "copilot-hotpotqa"
        folder = hotpot_workspace(args.hotpotqa, target)
        datasets.append(("hotpotqa", folder, hotpot_items(args.hotpotqa), args.hotpot_limit))
    for name, folder, items, limit in datasets:
        if not items:
            continue
        settings = Settings.load(folder)
        if name == "hotpotqa":
            Workspace(settings).ingest()
        rows = run_dataset(settings, items[:limit] if limit else items, args.judge_model, print)
        reports.append(_report(name, rows))
        print(json.dumps(reports[-1], indent=2), flush=True)  # a slow run reports as it goes
        if args.out:
            args.out.mkdir(parents=True, exist_ok=True)
            lines = "".join(json.dumps(r) + "\n" for r in rows)
            (args.out / f"{name}_rows.jsonl").write_text(lines, encoding="utf-8")
            (args.out / "summary.json").write_text(json.dumps(reports, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
