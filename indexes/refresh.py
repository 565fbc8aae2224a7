"""Ingest and refresh: bring the index up to date with the sources, without ever serving a
half-built index.

Per source, two gates: (1) only documents updated since the source's checkpoint (the start
of its last successful run) are loaded; (2) of those, only ones whose content hash changed
are chunked and embedded. Ids that vanished from the source are deleted. The new index
version is written beside the live one, and rows plus the version switch commit in one
transaction. A source that fails is reported and left as it was (nothing of it is deleted),
and is retried in full next run because its checkpoint did not move.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np

from connectors.base import Connector
from copilot.errors import CopilotError
from copilot.types import Document
from indexes.catalog import Catalog, StoredChunk
from indexes.chunking import Chunker, indexed_text
from indexes.embeddings import Embedder
from indexes.keyword import KeywordIndex
from indexes.store import IndexStore
from indexes.vector import VectorIndex

log = logging.getLogger(__name__)


@dataclass
class SourceReport:
    added: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    problems: list[str] = field(default_factory=list)
    failed: str | None = None


@dataclass
class RefreshReport:
    sources: dict[str, SourceReport] = field(default_factory=dict)
    chunks_embedded: int = 0
    chunks_total: int = 0
    version: int | None = None
    duration_s: float = 0.0
    dry_run: bool = False

    def total(self, name: str) -> int:
        return sum(int(getattr(s, name)) for s in self.sources.values())

    @property
    def failed(self) -> dict[str, str]:
        return {n: s.failed for n, s in self.sources.items() if s.failed}

    def to_dict(self) -> dict[str, Any]:
        return {
            "added": self.total("added"),
            "updated": self.total("updated"),
            "deleted": self.total("deleted"),
            "unchanged": self.total("unchanged"),
            "failed": self.failed,
            "problems": {n: s.problems for n, s in self.sources.items() if s.problems},
            "chunks_embedded": self.chunks_embedded,
            "chunks_total": self.chunks_total,
            "version": self.version,
            "duration_s": round(self.duration_s, 3),
            "dry_run": self.dry_run,
        }


@dataclass
class _Changes:
    upserts: list[tuple[Document, list[StoredChunk]]] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)


class Refresher:
    def __init__(
        self, catalog: Catalog, store: IndexStore, embedder: Embedder, chunker: Chunker
    ) -> None:
        self._catalog = catalog
        self._store = store
        self._embedder = embedder
        self._chunker = chunker

    def run(self, connectors: list[Connector], *, dry_run: bool = False) -> RefreshReport:
        started_at = datetime.now(UTC)
        started = time.monotonic()
        report = RefreshReport(dry_run=dry_run)
        changes = _Changes()
        pending: list[tuple[Document, list[Any]]] = []
        for connector in connectors:
            report.sources[connector.name] = self._collect(connector, pending, changes)
        current = self._catalog.active_version()
        report.version = current
        if dry_run:
            report.chunks_embedded = sum(len(chunks) for _, chunks in pending)
        else:
            self._assign_keys(pending, changes, report)
            if changes.upserts or changes.deleted or current is None:
                report.version = self._publish(current, changes)
            # Only after the commit: a checkpoint that moved first, then a crash, would make
            # the next run's gate 1 skip edits that were never indexed.
            for name, result in report.sources.items():
                self._checkpoint(name, result, started_at)
        report.chunks_total = self._catalog.counts()["chunks"]
        report.duration_s = time.monotonic() - started
        if not dry_run:
            status = "failed" if report.failed else "ok"
            self._catalog.record_run(started_at, status, report.to_dict())
        return report

    def _checkpoint(self, source: str, result: SourceReport, started_at: datetime) -> None:
        ok = result.failed is None
        self._catalog.record_checkpoint(source, ok=ok, error=result.failed, at=started_at)

    def _collect(
        self, connector: Connector, pending: list[tuple[Document, list[Any]]], changes: _Changes
    ) -> SourceReport:
        """Both gates for one source; a failing source changes nothing and deletes nothing."""
        result = SourceReport()
        known = self._catalog.document_states(connector.name)
        found: list[tuple[Document, list[Any]]] = []
        try:
            present = set(connector.list_ids())
            since = self._catalog.checkpoint(connector.name) if known else None
            if since is not None and present - set(known):
                since = None  # new ids may carry old timestamps (a restored file): load all
            for doc in connector.load(since):
                state = known.get(doc.id)
                if state is not None and state.content_hash == doc.content_hash:
                    continue
                found.append((doc, self._chunker.chunk(doc)))
                if state is None:
                    result.added += 1
                else:
                    result.updated += 1
        except CopilotError as exc:
            log.error("source %s failed: %s", connector.name, exc)
            return SourceReport(failed=str(exc), problems=list(connector.problems))
        pending.extend(found)
        vanished = sorted(set(known) - present)
        changes.deleted.extend(vanished)
        result.deleted = len(vanished)
        result.unchanged = len(present & set(known)) - result.updated
        result.problems = list(connector.problems)
        return result

    def _assign_keys(
        self, pending: list[tuple[Document, list[Any]]], changes: _Changes, report: RefreshReport
    ) -> None:
        chunks = [c for _, doc_chunks in pending for c in doc_chunks]
        keys = iter(self._catalog.reserve_keys(len(chunks)))
        for doc, doc_chunks in pending:
            changes.upserts.append((doc, [StoredChunk(next(keys), c) for c in doc_chunks]))
        report.chunks_embedded = len(chunks)

    def _publish(self, current: int | None, changes: _Changes) -> int:
        """Write the next version's files beside the live one, then switch in one commit."""
        vectors = self._vectors(current)
        stale = self._catalog.chunk_keys_for([d.id for d, _ in changes.upserts] + changes.deleted)
        vectors.remove_ids(np.asarray(stale, dtype=np.int64))
        fresh = [s for _, stored in changes.upserts for s in stored]
        if fresh:
            embedded = self._embedder.embed_texts([indexed_text(s.chunk) for s in fresh])
            vectors.add(np.asarray([s.key for s in fresh], dtype=np.int64), embedded)
        vectors = vectors.fitted()  # past the size threshold: rebuilt as the next type
        keywords = self._keywords(set(stale), fresh)
        version = (current or 0) + 1
        self._store.write(version, vectors, keywords)
        self._catalog.commit_version(version, changes.upserts, changes.deleted)
        self._store.prune(keep={version} | ({current} if current else set()))
        return version

    def _vectors(self, current: int | None) -> VectorIndex:
        if current is None:
            return VectorIndex.empty(self._embedder.dim, self._store.vector_config)
        vectors, _ = self._store.load(current)
        return vectors

    def _keywords(self, stale: set[int], fresh: list[StoredChunk]) -> KeywordIndex:
        kept = [s for s in self._catalog.all_chunks() if s.key not in stale]
        everything = kept + fresh
        return KeywordIndex.build(
            [s.key for s in everything], [indexed_text(s.chunk) for s in everything]
        )
