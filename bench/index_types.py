"""Vector index types by size: build time, memory, single-query latency and recall@10.

    python -m bench.index_types                          # 10k and 100k vectors
    python -m bench.index_types --sizes 10000,100000,1000000 --out bench-results/index_types.json

Synthetic vectors with the structure of text embeddings: a gaussian mixture around 1000
centres on the unit sphere (dimension 384, MiniLM's), so nearest neighbours are clustered
and an approximate index can miss them, which uniform random vectors would not show; the
200 queries are drawn the same way. Each type is built by ``indexes.vector.build`` (the
code path the refresh uses) and searched through ``VectorIndex`` with the default settings.
Recall@10 is against the exact answer on the same vectors. Latency is one query at a time
(k=10), on ``COPILOT_VECTOR_SEARCH_THREADS`` OpenMP threads (``--search-threads``; 0 = all
cores; ``threads`` column says how many it was). ``remove_1pct_s`` is the cost
of removing 1% of the ids, which for HNSW is a rebuild (see ``VectorIndex.remove_ids``).
``--ef-search 64,128,256`` searches one HNSW build at each efSearch (a row each), the sweep
that tells what ``COPILOT_VECTOR_HNSW_EF_SEARCH`` costs and buys at a size.
"""

from __future__ import annotations

import gc
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import faiss
import numpy as np
import numpy.typing as npt

from bench.common import percentile_ms, print_table, rss_bytes, sized_parser, write_rows
from copilot.arguments import output_file
from copilot.config import Settings
from indexes.vector import IndexKind, VectorConfig, VectorIndex, build

DIM = 384
CENTRES = 1000
# Noise norm around a centre: cosine(point, centre) ~ 0.7 and between two points of one
# cluster ~ 0.5, the range MiniLM gives passages on one topic.
SPREAD = 1.0
KINDS: tuple[IndexKind, ...] = ("flat", "hnsw", "ivfpq")
Vectors = npt.NDArray[np.float32]


def centres(dim: int = DIM, count: int = CENTRES, seed: int = 0) -> Vectors:
    rng = np.random.default_rng(seed)
    points = rng.standard_normal((count, dim), dtype=np.float32)
    return np.asarray(points / np.linalg.norm(points, axis=1, keepdims=True), dtype=np.float32)


def clustered(n: int, middle: Vectors, seed: int, spread: float = SPREAD) -> Vectors:
    """``n`` unit vectors around random ``middle`` rows, generated in blocks to bound memory."""
    rng = np.random.default_rng(seed)
    dim = middle.shape[1]
    out = np.empty((n, dim), dtype=np.float32)
    for start in range(0, n, 100_000):
        stop = min(n, start + 100_000)
        noise = rng.standard_normal((stop - start, dim), dtype=np.float32)
        block = middle[rng.integers(0, len(middle), stop - start)] + noise * (spread / dim**0.5)
        out[start:stop] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return out


def exact_top(vectors: Vectors, queries: Vectors, k: int) -> npt.NDArray[np.int64]:
    """Exact top-``k`` row numbers per query (a batched flat search)."""
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(vectors)
    _, rows = index.search(queries, k)
    return rows.astype(np.int64)


def recall_at(found: list[list[int]], truth: npt.NDArray[np.int64]) -> float:
    k = truth.shape[1]
    return float(
        np.mean([len(set(f) & set(t.tolist())) / k for f, t in zip(found, truth, strict=True)])
    )


def serialized_bytes(index: VectorIndex) -> int:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "v.faiss"
        index.save(path)
        return path.stat().st_size


def searched(index: VectorIndex, queries: Vectors, truth: Any, k: int = 10) -> dict[str, Any]:
    """Latency and recall of one query at a time, after a few warm-up queries."""
    for query in queries[:5]:  # warm caches and threads
        index.search(query, k)
    found: list[list[int]] = []
    times: list[float] = []
    for query in queries:
        started = time.perf_counter()
        hits = index.search(query, k)
        times.append(time.perf_counter() - started)
        found.append([key for key, _ in hits])
    return {
        "ef_search": index.config.hnsw_ef_search if index.kind == "hnsw" else None,
        "p50_ms": percentile_ms(times, 50),
        "p95_ms": percentile_ms(times, 95),
        "recall_at_10": round(recall_at(found, truth), 3),
    }


def measure(
    config: VectorConfig,
    vectors: Vectors,
    queries: Vectors,
    truth: Any,
    ef_sweep: tuple[int, ...] = (),
) -> list[dict[str, Any]]:
    """One type (``config.kind``, not auto) at one size: its row, or for HNSW with an
    ``ef_sweep`` one row per efSearch (the build is shared; only the search differs)."""
    kind = config.kind_for(len(vectors))
    n = len(vectors)
    ids = np.arange(n, dtype=np.int64)  # ids = row numbers, so recall compares directly
    gc.collect()
    before = rss_bytes()
    started = time.perf_counter()
    faiss_index = build(kind, DIM, ids, vectors)
    build_s = time.perf_counter() - started
    rss_delta = rss_bytes() - before
    efs = ef_sweep if kind == "hnsw" and ef_sweep else (config.hnsw_ef_search,)
    searches = [
        searched(VectorIndex(faiss_index, DIM, replace(config, hnsw_ef_search=ef)), queries, truth)
        for ef in efs
    ]
    index = VectorIndex(faiss_index, DIM, config)
    size = serialized_bytes(index)
    gone = ids[::100]  # 1%, spread over the index
    started = time.perf_counter()
    index.remove_ids(gone)
    remove_s = time.perf_counter() - started
    built = {
        "vectors": n,
        "type": kind,
        "build_s": round(build_s, 2),
        "file_mb": round(size / 2**20, 1),
        "bytes_per_vector": round(size / n),
        "rss_delta_mb": round(rss_delta / 2**20, 1),
        "remove_1pct_s": round(remove_s, 2),
        "threads": config.search_threads or faiss.omp_get_max_threads(),
    }
    return [{**built, **search} for search in searches]


def run(
    sizes: list[int],
    kinds: tuple[IndexKind, ...] = KINDS,
    queries: int = 200,
    seed: int = 0,
    search_threads: int | None = None,
    ef_sweep: tuple[int, ...] = (),
) -> list[dict[str, Any]]:
    """The table: every type at every size, on one set of centres and queries.

    Search settings (efSearch, nprobe, threads) are ``COPILOT_VECTOR_*``'s, so the figures
    are those a deployment with the same environment gets; ``search_threads`` overrides.
    """
    base = VectorConfig.from_settings(Settings.load())
    if search_threads is not None:
        base = replace(base, search_threads=search_threads)
    middle = centres(seed=seed)
    asked = clustered(queries, middle, seed=seed + 1)
    rows: list[dict[str, Any]] = []
    for n in sizes:
        vectors = clustered(n, middle, seed=seed + 2)
        truth = exact_top(vectors, asked, 10)
        for kind in kinds:
            config = replace(base, kind=kind)
            if config.kind_for(n) != kind:
                continue  # ivfpq: too few vectors to train a quantiser
            measured = measure(config, vectors, asked, truth, ef_sweep)
            print_table(measured, header=not rows)
            rows += measured
        del vectors
    return rows


def ef_values(text: str) -> tuple[int, ...]:
    """``64,128,256`` -> (64, 128, 256); argparse turns the ValueError into a usage error."""
    values = tuple(int(part) for part in text.split(",") if part.strip())
    if not values or min(values) < 1:
        raise ValueError(f"efSearch values must be positive integers, got {text!r}")
    return values


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    parser = sized_parser(__doc__, "1m: ~1.5 GB a type, minutes of HNSW build")
    parser.add_argument("--types", default=",".join(KINDS), help="comma-separated: flat,hnsw,ivfpq")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument(
        "--search-threads", type=int, help="OpenMP threads per query (default: the setting)"
    )
    parser.add_argument(
        "--ef-search", type=ef_values, default=(), help="HNSW efSearch values to sweep, 64,256"
    )
    parser.add_argument("--out", type=output_file, help="write the rows as JSON here")
    args = parser.parse_args(argv)
    kinds = tuple(k for k in KINDS if k in args.types.split(","))
    print(f"## Vector index types (dim {DIM}, {args.queries} queries, k=10)\n")
    rows = run(
        args.sizes, kinds, args.queries, search_threads=args.search_threads, ef_sweep=args.ef_search
    )
    write_rows(args.out, rows)
    return rows


if __name__ == "__main__":
    main()
