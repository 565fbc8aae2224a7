"""Hybrid retrieval: dense (FAISS) and keyword (BM25) results fused by reciprocal rank.

Access is checked here, before anything leaves: a chunk the principal may not see is dropped
whatever its score, and unreadable access means nobody. Candidates are over-fetched and the
pool widened until ``k`` visible chunks are found or the index is exhausted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from copilot.config import Settings
from copilot.types import Evidence, Principal
from indexes.catalog import Catalog, StoredChunk
from indexes.embeddings import Embedder
from indexes.keyword import KeywordIndex
from indexes.vector import VectorIndex


def reciprocal_rank_fusion(rankings: Sequence[Sequence[int]], k: int) -> dict[int, float]:
    """Cormack et al. 2009: score = sum over rankings of 1 / (k + rank)."""
    fused: dict[int, float] = {}
    for ranking in rankings:
        for rank, key in enumerate(ranking, start=1):
            fused[key] = fused.get(key, 0.0) + 1.0 / (k + rank)
    return fused


@dataclass
class Retriever:
    catalog: Catalog
    vectors: VectorIndex
    keywords: KeywordIndex
    embedder: Embedder
    settings: Settings

    def search(
        self,
        query: str,
        principal: Principal,
        k: int | None = None,
        kinds: frozenset[str] | None = None,
    ) -> list[Evidence]:
        """The ``k`` best chunks the principal may see (of ``kinds``, if given), best first."""
        want = k or self.settings.retrieval_k
        query_vector = self.embedder.embed_query(query)
        pool = max(self.settings.retrieval_candidates, want)
        while True:
            dense = self.vectors.search(query_vector, pool)
            sparse = self.keywords.search(query, pool)
            visible = self._visible(query_vector, dense, sparse, principal)
            if kinds is not None:
                visible = [e for e in visible if e.kind in kinds]
            exhausted = len(dense) < pool and len(sparse) < pool
            if len(visible) >= want or exhausted or pool >= len(self.vectors):
                return visible[:want]
            pool *= 4

    def best_similarity(
        self, query: str, principal: Principal, kinds: frozenset[str], depth: int = 20
    ) -> float:
        """The cosine of the closest chunk of ``kinds`` the principal may see, dense only.

        A cheap probe (one FAISS search, one catalog lookup, no BM25) for the router: "is
        there a document that looks like the answer?" Chunks the principal may not see never
        count, so a private document cannot pull a question toward retrieval for outsiders.
        """
        if len(self.vectors) == 0:
            return 0.0
        dense = self.vectors.search(self.embedder.embed_query(query), depth)
        stored = self.catalog.chunks([key for key, _ in dense])
        return max(
            (
                score
                for key, score in dense
                if key in stored
                and stored[key].chunk.kind in kinds
                and stored[key].chunk.access.allows(principal)
            ),
            default=0.0,
        )

    def _visible(
        self,
        query_vector: npt.NDArray[np.float32],
        dense: list[tuple[int, float]],
        sparse: list[tuple[int, float]],
        principal: Principal,
    ) -> list[Evidence]:
        fused = reciprocal_rank_fusion(
            [[key for key, _ in dense], [key for key, _ in sparse]], self.settings.rrf_k
        )
        ranked = sorted(fused, key=lambda key: -fused[key])
        stored = self.catalog.chunks(ranked)
        allowed = [k for k in ranked if k in stored and stored[k].chunk.access.allows(principal)]
        cosine = dict(dense)
        keyword_only = [k for k in allowed if k not in cosine]
        cosine.update(self.vectors.similarity(query_vector, keyword_only))
        return [_evidence(stored[key], fused[key], cosine.get(key, 0.0)) for key in allowed]


def _evidence(stored: StoredChunk, score: float, relevance: float) -> Evidence:
    chunk = stored.chunk
    title = f"{chunk.title} — {chunk.heading}" if chunk.heading else chunk.title
    return Evidence(
        source_id=chunk.doc_id,
        kind=chunk.kind,
        title=title,
        url=chunk.url,
        text=chunk.text,
        access=chunk.access,
        score=score,
        chunk_id=chunk.id,
        relevance=relevance,
    )
