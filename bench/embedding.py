"""Batch embedding throughput: the local embedder against Ray Data, on the same chunk texts.

    python -m bench.embedding                        # 5000 chunks of ../shared/benchmarks/slack
    python -m bench.embedding --limit 2000 --actors 2
    python -m bench.embedding --workspace examples/acme   # any workspace's chunks instead

The chunk texts are what a refresh embeds: the project's own connectors and chunker on the real
Slack export (or a workspace), ``indexed_text`` of each chunk, the first ``--limit`` of them.
Both backends embed the same list; the Ray row also gives the start of a local Ray
(``ray.init(num_cpus=...)``) on its own, and its embedding time includes each actor loading
the model, as in a refresh. The vectors must agree (max |difference| under 1e-5).

On one machine Ray cannot beat the local embedder, which already uses every core; what this
measures is its overhead. Ray pays off with many GPUs or nodes (docs/deployment.md).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import print_table, write_rows
from bench.refresh import DEFAULT_SLACK, slack_workspace
from connectors.registry import build_connectors
from copilot.arguments import output_file
from copilot.config import Settings
from copilot.directory import UserDirectory
from copilot.errors import ConfigError
from indexes.chunking import Chunker, indexed_text
from indexes.embeddings import SentenceTransformerEmbedder, Vectors
from indexes.ray_embeddings import RayBatchEmbedder, import_ray

AGREE_ATOL = 1e-5


def chunk_texts(workspace: Path, embedder: SentenceTransformerEmbedder, limit: int) -> list[str]:
    """The first ``limit`` texts a refresh of ``workspace`` would embed, in its order."""
    settings = Settings.load(workspace)
    chunker = Chunker(embedder.tokenize, settings.chunk_tokens, settings.chunk_overlap_tokens)
    connectors = build_connectors(settings.ws, UserDirectory.empty())
    texts = (
        indexed_text(chunk)
        for connector in connectors
        for doc in connector.load(None)
        for chunk in chunker.chunk(doc)
    )
    return list(islice(texts, limit))


def _timed(texts: list[str], embed: Any) -> tuple[Vectors, float]:
    started = time.perf_counter()
    vectors = embed(texts)
    return vectors, time.perf_counter() - started


def _row(backend: str, count: int, seconds: float, **extra: Any) -> dict[str, Any]:
    return {
        "backend": backend,
        "chunks": count,
        "seconds": round(seconds, 2),
        "chunks_per_s": round(count / seconds, 1),
        **extra,
    }


def measure(
    texts: list[str], embedder: SentenceTransformerEmbedder, settings: Settings, cpus: int
) -> list[dict[str, Any]]:
    """Local first (its model is loaded already: the chunker tokenised with it), then Ray."""
    local, local_s = _timed(texts, embedder.embed_texts)
    rows = [_row("local", len(texts), local_s)]
    try:
        ray = import_ray()
    except ConfigError as exc:
        print(f"(no Ray row: {exc})")
        return rows
    started = time.perf_counter()
    ray.init(num_cpus=cpus, include_dashboard=False)
    startup_s = time.perf_counter() - started
    try:
        on_ray = RayBatchEmbedder(settings, local=embedder)
        vectors, ray_s = _timed(texts, on_ray.embed_texts)
    finally:
        ray.shutdown()
    diff = float(np.max(np.abs(vectors - local))) if len(texts) else 0.0
    label = f"ray ({settings.ray_actors} actors, {cpus} CPUs)"
    rows.append(
        _row(
            label,
            len(texts),
            ray_s,
            ray_startup_s=round(startup_s, 2),
            with_startup_chunks_per_s=round(len(texts) / (ray_s + startup_s), 1),
            max_abs_diff=f"{diff:.1e}",
            agree=diff <= AGREE_ATOL,
        )
    )
    return rows


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--slack-export", type=Path, default=DEFAULT_SLACK)
    parser.add_argument("--workspace", type=Path, help="embed this workspace's chunks instead")
    parser.add_argument("--limit", type=int, default=5000, help="chunks to embed")
    parser.add_argument("--actors", type=int, default=2, help="Ray embedding actors")
    parser.add_argument("--cpus", type=int, default=2, help="CPUs of the local Ray")
    parser.add_argument("--batch-size", type=int, default=256, help="texts per Ray batch")
    parser.add_argument("--out", type=output_file, help="write the rows as JSON here")
    args = parser.parse_args(argv)
    settings = Settings.load().model_copy(
        update={"ray_actors": args.actors, "ray_batch_size": args.batch_size}
    )
    embedder = SentenceTransformerEmbedder(settings)
    with tempfile.TemporaryDirectory() as folder:
        workspace = args.workspace or slack_workspace(args.slack_export.resolve(), Path(folder))
        texts = chunk_texts(workspace, embedder, args.limit)
    print(f"## Batch embedding: {len(texts)} chunks of {args.workspace or args.slack_export}\n")
    rows = measure(texts, embedder, settings, args.cpus)
    print_table(rows)
    write_rows(args.out, rows)
    return rows


if __name__ == "__main__":
    main()
