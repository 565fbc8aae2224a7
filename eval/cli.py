"""``copilot eval``: a dataset (or an external benchmark by path) through the real stack and
the baselines, into ``report.json``, ``report.md`` and ``report.html``.

    copilot eval --workspace examples/acme --dataset examples/acme/golden.jsonl --report DIR
    copilot eval --benchmark hotpotqa --path ../shared/benchmarks/hotpotqa --report DIR
    copilot eval --benchmark text2sql --path ../shared/benchmarks/text2sql --report DIR
    copilot eval --benchmark slack    --path ../shared/benchmarks/slack    --report DIR

``--limit N`` keeps the first N questions of each kind (a CPU answers one in tens of seconds).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

from copilot.config import Settings
from copilot.errors import ConfigError
from eval import report
from eval.benchmarks import BENCHMARKS, Part
from eval.golden import GoldenItem, load_golden
from eval.runner import EvalOptions, EvalRun, run_eval


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--workspace", type=Path, help="the workspace a --dataset is asked of")
    parser.add_argument("--dataset", type=Path, help="golden JSONL (see eval/golden.py)")
    parser.add_argument("--benchmark", choices=sorted(BENCHMARKS), help="an external benchmark")
    parser.add_argument("--path", type=Path, help="the benchmark's folder")
    parser.add_argument("--workdir", type=Path, help="where benchmark workspaces are built")
    parser.add_argument("--report", type=Path, required=True, help="folder for the report")
    parser.add_argument("--limit", type=int, default=0, help="first N questions of each kind")
    parser.add_argument("--kinds", nargs="*", help="only these kinds of question")
    parser.add_argument("--k", type=int, default=5, help="retrieval depth for recall@k")
    parser.add_argument("--no-baselines", action="store_true", help="ours only")
    parser.add_argument("--no-judge", action="store_true", help="skip judged correctness")
    parser.add_argument("--judge-model", help="judge model name on the same server")


def per_kind(items: list[GoldenItem], limit: int, kinds: list[str] | None) -> list[GoldenItem]:
    """The first ``limit`` items of each kind (all when 0), so a short run still covers every
    kind of question."""
    kept: list[GoldenItem] = []
    counts: dict[str, int] = {}
    for item in items:
        kind = item.kind or item.expected_route
        if kinds and kind not in kinds:
            continue
        counts[kind] = counts.get(kind, 0) + 1
        if not limit or counts[kind] <= limit:
            kept.append(item)
    return kept


def parts(args: argparse.Namespace) -> list[Part]:
    if args.benchmark:
        if not args.path:
            raise ConfigError(f"--benchmark {args.benchmark} needs --path to its folder")
        workdir = args.workdir or Path(tempfile.gettempdir()) / "copilot-benchmarks"
        return BENCHMARKS[args.benchmark](args.path, workdir)
    if not (args.workspace and args.dataset):
        raise ConfigError("give --workspace and --dataset, or --benchmark and --path")
    return [Part(args.dataset.stem, args.workspace, load_golden(args.dataset))]


def run(args: argparse.Namespace) -> dict[str, Any]:
    options = EvalOptions(
        k=args.k,
        baselines=not args.no_baselines,
        judge=not args.no_judge,
        judge_model=args.judge_model,
    )
    merged: EvalRun | None = None
    models: dict[str, Any] = {}
    for part in parts(args):
        settings = Settings.load(part.workspace)
        items = per_kind(part.items, args.limit, args.kinds)
        done = run_eval(settings, items, options, _progress, dataset=part.name)
        models = _models(settings, options)
        merged = done if merged is None else _merge(merged, done)
    if merged is None or not merged.rows:
        raise ConfigError("no questions to evaluate: check --dataset, --kinds and --limit")
    meta = {"k": args.k, "limit_per_kind": args.limit, "models": models}
    content = report.build(merged, meta)
    paths = report.write(content, merged, args.report)
    print(f"report: {paths['md']} {paths['html']} {paths['json']}")
    return content


def _merge(first: EvalRun, second: EvalRun) -> EvalRun:
    return EvalRun(
        first.rows + second.rows,
        first.retrieval + second.retrieval,
        f"{first.dataset}+{second.dataset}",
        f"{first.workspace}+{second.workspace}",
    )


def _models(settings: Settings, options: EvalOptions) -> dict[str, Any]:
    from copilot.copilot import Workspace
    from copilot.llm import sql_model

    return {
        "server": settings.llm_base_url or "embedded",
        "chat": settings.llm_model,
        "sql": sql_model(settings) or settings.llm_model,
        "judge": options.judge_model or Workspace(settings).judge_model() or settings.llm_model,
    }


def _progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="copilot eval", description=__doc__)
    add_arguments(parser)
    run(parser.parse_args(argv))


if __name__ == "__main__":
    main()
