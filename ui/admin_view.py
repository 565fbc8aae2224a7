"""The admin view's data: sources, the last refresh, index counts, recent audit entries.

Pure shaping of what the catalog and ``copilot.yaml`` hold into rows ``st.dataframe`` shows;
no Streamlit here. Database URLs are shown without their password: the page is for admins,
but a screenshot of it travels further than they do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from copilot.audit import AuditEntry
from copilot.config import (
    DatabaseSource,
    DocumentsSource,
    SlackApiSource,
    SlackExportSource,
    SourceConfig,
)
from indexes.catalog import redact_url

RECENT_AUDIT_DAYS = 30
RECENT_AUDIT_ROWS = 50


def source_location(source: SourceConfig) -> str:
    if isinstance(source, SlackExportSource | DocumentsSource):
        base = getattr(source, "base_url", None)
        return str(source.path) + (f" (links: {base})" if base else "")
    if isinstance(source, SlackApiSource):
        return f"{source.api_url} (token from ${source.token_env})"
    assert isinstance(source, DatabaseSource)
    return redact_url(source.url)


def source_rows(sources: Sequence[SourceConfig]) -> list[dict[str, str]]:
    return [{"name": s.name, "type": s.type, "location": source_location(s)} for s in sources]


@dataclass(frozen=True)
class RefreshSummary:
    """The last refresh as a headline and the per-source details an operator acts on."""

    status: str
    finished_at: str
    report: dict[str, Any]

    @property
    def failed(self) -> dict[str, str]:
        failed = self.report.get("failed") or {}
        return {str(k): str(v) for k, v in failed.items()} if isinstance(failed, dict) else {}

    @property
    def problems(self) -> list[str]:
        problems = self.report.get("problems") or {}
        if not isinstance(problems, dict):
            return []
        return [f"{source}: {p}" for source, items in problems.items() for p in items]

    def headline(self) -> str:
        r = self.report
        return (
            f"{self.status} at {self.finished_at}: {r.get('added', 0)} added, "
            f"{r.get('updated', 0)} updated, {r.get('deleted', 0)} deleted, "
            f"{r.get('unchanged', 0)} unchanged, {r.get('chunks_embedded', 0)} chunks embedded "
            f"in {r.get('duration_s', 0)} s (index version {r.get('version')})"
        )


def refresh_summary(last_run: dict[str, object] | None) -> RefreshSummary | None:
    """``Catalog.last_run()`` as a summary; None when no refresh has run yet."""
    if last_run is None:
        return None
    report = last_run.get("report")
    return RefreshSummary(
        status=str(last_run.get("status", "unknown")),
        finished_at=str(last_run.get("finished_at", "")),
        report=report if isinstance(report, dict) else {},
    )


def audit_since(now: datetime, days: int = RECENT_AUDIT_DAYS) -> datetime:
    return now - timedelta(days=days)


def audit_rows(
    entries: Sequence[AuditEntry], limit: int = RECENT_AUDIT_ROWS
) -> list[dict[str, Any]]:
    """The newest ``limit`` entries first, with the columns an operator scans."""
    newest = sorted(entries, key=lambda e: e.asked_at, reverse=True)[:limit]
    return [
        {
            "asked_at": e.asked_at.strftime("%Y-%m-%d %H:%M:%S"),
            "asker": e.asker or "anonymous",
            "surface": e.surface,
            "question": e.question,
            "route": e.route or "",
            "verified": e.verified,
            "refused": e.refused,
            "sources": ", ".join(e.source_ids),
            "latency_ms": e.latency_ms,
            "feedback": e.feedback or "",
            "reason": e.feedback_reason or "",
            "error": e.error or "",
        }
        for e in newest
    ]
