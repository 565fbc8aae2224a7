"""Prometheus metrics: what an operator graphs and alerts on (docs/deployment.md lists each).

Every metric lives on a ``Metrics`` object with its own ``CollectorRegistry`` rather than
prometheus_client's global one, so a test can build a fresh set and assert exact values. A
long-running surface (the Slack bot, the Streamlit page) shares one set per process through
``process_metrics()`` and serves it with ``serve_metrics`` on ``COPILOT_METRICS_PORT``.

The surfaces record a finished ``Answer`` (``record_answer``) or a failure (``record_error``);
the chat client records the token counts its server reports; the refresh job records its report
(``record_refresh``), and, being a short-lived process, can also write the figures to a file for
node_exporter's textfile collector (``COPILOT_METRICS_TEXTFILE``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    start_http_server,
    write_to_textfile,
)

from copilot.errors import CopilotError
from copilot.types import Answer
from copilot.verify_checks import NOT_VISIBLE

log = logging.getLogger(__name__)

Outcome = Literal["answered", "refused", "unverified", "pending_confirmation"]
# Seconds: a cheap refusal takes milliseconds, a CPU model's answer a minute or more.
LATENCY_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 40, 80, 160, 320)
REFRESH_CHANGES = ("added", "updated", "deleted", "unchanged")


class MetricsError(CopilotError):
    """The metrics endpoint could not start (port taken, address not local)."""

    exit_code = 2


class Metrics:
    """The copilot's metric objects, all on one registry (``registry``)."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        self._answer_metrics()
        self._refresh_metrics()

    def _answer_metrics(self) -> None:
        r = self.registry
        self.questions = Counter(
            "copilot_questions",
            "Questions answered, by surface and route",
            ["surface", "route"],
            registry=r,
        )
        self.answers = Counter(
            "copilot_answers",
            "Answers by outcome: answered (verified), refused, unverified (verifier off), "
            "pending_confirmation (a proposed write)",
            ["surface", "route", "outcome"],
            registry=r,
        )
        self.verdicts = Counter(
            "copilot_verifier_verdicts", "Verifier verdicts on sentences", ["verdict"], registry=r
        )
        self.access_denials = Counter(
            "copilot_access_denials",
            "Citations dropped because the reader may not see the cited source",
            ["kind"],
            registry=r,
        )
        self.errors = Counter(
            "copilot_errors", "Questions that failed, by error class", ["kind"], registry=r
        )
        self.stage_latency = Histogram(
            "copilot_stage_latency_seconds",
            "Time per answer stage (route, retrieve, generate, verify, ..., total)",
            ["stage"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.llm_tokens = Counter(
            "copilot_llm_tokens",
            "Tokens the model server reported, by model and kind (prompt, completion)",
            ["model", "kind"],
            registry=r,
        )

    def _refresh_metrics(self) -> None:
        r = self.registry
        self.refresh_documents = Gauge(
            "copilot_refresh_documents",
            "Documents by change in the last refresh (added, updated, deleted, unchanged)",
            ["change"],
            registry=r,
        )
        self.refresh_chunks_embedded = Counter(
            "copilot_refresh_chunks_embedded", "Chunks embedded by refreshes", registry=r
        )
        self.refresh_chunks_total = Gauge(
            "copilot_refresh_chunks", "Chunks in the index after the last refresh", registry=r
        )
        self.refresh_failed_sources = Gauge(
            "copilot_refresh_failed_sources", "Sources that failed in the last refresh", registry=r
        )
        self.refresh_duration = Gauge(
            "copilot_refresh_duration_seconds", "How long the last refresh took", registry=r
        )
        self.refresh_finished = Gauge(
            "copilot_refresh_last_run_timestamp_seconds",
            "When the last refresh finished (Unix time); alert when it grows old",
            registry=r,
        )

    # -- answers ----------------------------------------------------------------------------

    def record_answer(self, answer: Answer, surface: str) -> None:
        """Count one finished answer and observe its stages' latencies."""
        self.questions.labels(surface, answer.route).inc()
        self.answers.labels(surface, answer.route, outcome(answer)).inc()
        for verdict in answer.verdicts:
            self.verdicts.labels(str(verdict.get("verdict", "unknown"))).inc()
        denied = not_visible_citations(answer.verdicts)
        if denied:
            self.access_denials.labels("citation").inc(denied)
        self.observe_stages(answer.timings_ms)

    def observe_stages(self, timings_ms: Mapping[str, int]) -> None:
        for stage, ms in timings_ms.items():
            self.stage_latency.labels(stage).observe(ms / 1000)

    def record_error(self, error: BaseException) -> None:
        """A question that failed: a ``CopilotError`` by its class name, anything else as
        ``unexpected`` (a bug; bounded label values whatever the code raises)."""
        kind = type(error).__name__ if isinstance(error, CopilotError) else "unexpected"
        self.errors.labels(kind).inc()

    def record_tokens(self, model: str, prompt: int, completion: int) -> None:
        self.llm_tokens.labels(model, "prompt").inc(max(0, prompt))
        self.llm_tokens.labels(model, "completion").inc(max(0, completion))

    # -- refresh ----------------------------------------------------------------------------

    def record_refresh(self, report: Mapping[str, Any]) -> None:
        """The figures of a ``RefreshReport.to_dict()``; a dry run changes nothing, so it is
        not recorded (it would make the gauges claim changes that never happened)."""
        if report.get("dry_run"):
            return
        for change in REFRESH_CHANGES:
            self.refresh_documents.labels(change).set(int(report.get(change, 0)))
        self.refresh_chunks_embedded.inc(int(report.get("chunks_embedded", 0)))
        self.refresh_chunks_total.set(int(report.get("chunks_total", 0)))
        self.refresh_failed_sources.set(len(report.get("failed") or {}))
        self.refresh_duration.set(float(report.get("duration_s", 0.0)))
        self.refresh_finished.set(time.time())

    def write_textfile(self, path: Path) -> None:
        """For node_exporter's textfile collector: a cron job is gone before any scrape."""
        path.parent.mkdir(parents=True, exist_ok=True)
        write_to_textfile(str(path), self.registry)


def outcome(answer: Answer) -> Outcome:
    if answer.pending_action is not None:
        return "pending_confirmation"
    if answer.refused:
        return "refused"
    return "answered" if answer.verified else "unverified"


def not_visible_citations(verdicts: Iterable[Mapping[str, Any]]) -> int:
    """Markers to sources the reader may not see, as the verifier's reasons report them."""
    return sum(str(v.get("reason", "")).count(NOT_VISIBLE) for v in verdicts)


# -- the process's metrics and their endpoint ------------------------------------------------

_lock = threading.RLock()  # serve_metrics holds it while it may create the process metrics
_process: Metrics | None = None
_served: dict[tuple[str, int], int] = {}


def process_metrics() -> Metrics:
    """The one ``Metrics`` a long-running process records into (created on first use)."""
    global _process
    with _lock:
        if _process is None:
            _process = Metrics()
        return _process


def serve_metrics(host: str, port: int, metrics: Metrics | None = None) -> int:
    """Serve ``/metrics`` on ``host:port`` in a daemon thread, once per process and address:
    Streamlit reruns its script on every click, and a second bind would fail. Port 0 (tests)
    binds a new free port each call. Returns the port it listens on."""
    with _lock:
        if port and (host, port) in _served:
            return _served[(host, port)]
        registry = (metrics or process_metrics()).registry
        try:
            server, _ = start_http_server(port, addr=host, registry=registry)
        except OSError as exc:
            raise MetricsError(
                f"cannot serve metrics on {host}:{port} ({exc.strerror or exc}): pick a free "
                "COPILOT_METRICS_PORT, or 0 to turn the endpoint off"
            ) from exc
        bound = int(server.server_address[1])
        _served[(host, port)] = bound
    log.warning("metrics on http://%s:%d/metrics", host, bound)
    return bound


def serve_configured(host: str, port: int) -> int | None:
    """The surfaces' call: ``COPILOT_METRICS_PORT`` 0 means no endpoint (the default)."""
    return None if port == 0 else serve_metrics(host, port)
