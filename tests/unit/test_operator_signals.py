"""Operator signals through their real doors: questions asked of the real Slack bot (signed
events, a local fake of Slack's Web API) over the real copilot on the tiny workspace, the model
scripted through its real HTTP interface; then the real ``/metrics`` endpoint scraped with
httpx and parsed with prometheus_client's own parser; the Streamlit page script under AppTest.
JSON log lines of one question, the refresh job's figures (through ``copilot refresh`` and its
textfile), and secret masking."""

from __future__ import annotations

import io
import json
import logging
import socket
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr
from streamlit.testing.v1 import AppTest

from copilot import cli
from copilot.audit import AuditLog
from copilot.config import Settings
from copilot.copilot import Workspace
from copilot.errors import LLMTimeoutError
from copilot.llm import OpenAICompatibleChat
from copilot.logs import configure_logging, request_scope, secret_values
from copilot.metrics import Metrics, outcome, process_metrics, serve_configured, serve_metrics
from copilot.types import Answer, PendingAction, Principal
from indexes.embeddings import SentenceTransformerEmbedder
from tests.fakes.faithful_model import faithful_reply
from tests.fakes.openai_server import FakeOpenAIServer
from tests.fakes.slack_api_server import FakeSlackServer
from tests.fakes.slack_requests import SECRET, TOKEN, callback, signed, slack_workspace
from tests.fakes.tiny_workspace import make_tiny_workspace
from ui.slack_app import SlackBot

STREAMLIT_APP = Path(__file__).resolve().parents[2] / "ui" / "streamlit_app.py"
WIFI = "What is the guest wifi password?"
MOVE = "When is the office move to Pier 39 planned?"  # private #moving: Bob only


@pytest.fixture(scope="module")
def workspace(
    tmp_path_factory: pytest.TempPathFactory, embedder: SentenceTransformerEmbedder
) -> Workspace:
    ws = Workspace(Settings.load(make_tiny_workspace(tmp_path_factory.mktemp("signals"))))
    ws.embedder = embedder
    ws.ingest()
    return ws


@pytest.fixture
def model() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer([faithful_reply] * 200) as server:
        yield server


@pytest.fixture
def root_logging() -> Iterator[io.StringIO]:
    """JSON logs into a buffer; the root logger is restored afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    stream = io.StringIO()
    yield stream
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)


def _scrape(port: int) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample on the endpoint, by name and sorted labels."""
    response = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10)
    assert response.status_code == 200
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


def _event(n: int, channel: str, user: str, text: str, **extra: Any) -> dict[str, Any]:
    event = {"type": "app_mention", "user": user, "text": f"<@UBOT> {text}", "channel": channel}
    return callback({**event, "ts": f"{1767800000 + n}.000000", **extra}, f"EvSig{n}")


def test_metrics_endpoint_counts_answers_refusals_errors_and_tokens(
    workspace: Workspace, model: FakeOpenAIServer
) -> None:
    metrics = Metrics()
    chat = OpenAICompatibleChat(workspace.settings, model.base_url, metrics=metrics)
    copilot = workspace.copilot(chat)
    with FakeSlackServer(slack_workspace(), token=TOKEN) as slack:
        settings = workspace.settings.model_copy(
            update={
                "slack_bot_token": SecretStr(TOKEN),
                "slack_signing_secret": SecretStr(SECRET),
                "slack_api_url": slack.api_url,
                "slack_rate_burst": 100,
            }
        )
        audit = AuditLog.from_catalog(workspace.catalog)
        bot = SlackBot(copilot, workspace.directory, audit, settings, metrics=metrics)

        def ask(n: int, text: str) -> None:
            body = json.dumps(_event(n, "C1", "U1", text))  # public #general: public sources
            assert bot.app.dispatch(signed(body, "application/json")).status == 200
            assert bot.drain(240)

        ask(1, WIFI)  # answered and verified
        ask(2, MOVE)  # only in a private channel: refused for #general's readers
        succeeded = len(model.requests)
        model.status = 500  # the model server fails: an error, posted and counted
        ask(3, "How often are VPN client certificates renewed?")
        model.status = 200
        port = serve_metrics("127.0.0.1", 0, metrics)
        samples = _scrape(port)

    def value(name: str, **labels: str) -> float:
        return samples.get((name, tuple(sorted(labels.items()))), 0.0)

    assert value("copilot_questions_total", surface="slack", route="retrieval") == 2
    for result in ("answered", "refused"):
        labels = {"surface": "slack", "route": "retrieval", "outcome": result}
        assert value("copilot_answers_total", **labels) == 1, result
    assert value("copilot_errors_total", kind="LLMError") == 1
    assert value("copilot_verifier_verdicts_total", verdict="supported") >= 1
    assert value("copilot_stage_latency_seconds_count", stage="total") == 2
    assert value("copilot_stage_latency_seconds_count", stage="retrieve") == 2
    # The fake reports 10 prompt and 5 completion tokens a reply; failed calls report none.
    # The judge's calls name their own model (workspace.judge_model), counted apart.
    tokens = {"prompt": 0.0, "completion": 0.0}
    for (name, labels), count in samples.items():
        if name == "copilot_llm_tokens_total":
            tokens[dict(labels)["kind"]] += count
    assert succeeded > 0 and tokens == {"prompt": 10 * succeeded, "completion": 5 * succeeded}
    judge = workspace.judge_model() or workspace.settings.llm_model
    assert value("copilot_llm_tokens_total", model=judge, kind="prompt") >= 10


def test_one_request_id_on_every_log_line_of_a_question(
    workspace: Workspace, model: FakeOpenAIServer, root_logging: io.StringIO
) -> None:
    configure_logging("INFO", "json", stream=root_logging)
    chat = OpenAICompatibleChat(workspace.settings, model.base_url, metrics=Metrics())
    copilot = workspace.copilot(chat)
    logging.getLogger("test").info("before the question")
    answer = copilot.answer(WIFI, Principal.anonymous())
    logging.getLogger("test").info("after the question")

    lines = [json.loads(line) for line in root_logging.getvalue().splitlines()]
    during = lines[1:-1]
    assert lines[0]["request_id"] == "-" and lines[-1]["request_id"] == "-"
    assert len(during) >= 3 and {line["request_id"] for line in during} == {answer.request_id}
    assert {"copilot.copilot", "copilot.chains.base"} <= {line["logger"] for line in during}
    assert answer.to_dict()["request_id"] == answer.request_id
    assert answer.request_id is not None and len(answer.request_id) == 32


def test_a_surfaces_request_id_is_kept_and_becomes_the_audit_id(
    workspace: Workspace, model: FakeOpenAIServer
) -> None:
    chat = OpenAICompatibleChat(workspace.settings, model.base_url, metrics=Metrics())
    with request_scope("feedc0de" * 4):
        answer = workspace.copilot(chat).answer(WIFI, Principal.anonymous())
    assert answer.request_id == "feedc0de" * 4
    audit = AuditLog.from_catalog(workspace.catalog)
    entry_id = audit.record_answer(answer, surface="cli", asker=None)
    assert entry_id == answer.request_id and audit.get(entry_id) is not None


def test_secrets_never_reach_a_log_line(root_logging: io.StringIO) -> None:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, llm_api_key=SecretStr("sk-live-abcdef123456")
    )
    configure_logging("INFO", "json", secret_values(settings), stream=root_logging)
    log = logging.getLogger("copilot.test")
    log.info("calling with key %s", "sk-live-abcdef123456")
    log.info("token xoxb-1234-5678-abcdef and postgresql://copilot:hunter22@db/copilot")
    try:
        raise RuntimeError("Authorization: Bearer abcdefghijklmnop")
    except RuntimeError:
        log.exception("failed")
    written = root_logging.getvalue()
    for secret in ("sk-live-abcdef123456", "xoxb-1234", "hunter22", "abcdefghijklmnop"):
        assert secret not in written
    assert "postgresql://copilot:***@db/copilot" in written


def test_refresh_writes_its_figures_for_the_textfile_collector(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    root_logging: io.StringIO,
) -> None:
    root = make_tiny_workspace(tmp_path / "ws")
    textfile = tmp_path / "textfile" / "copilot_refresh.prom"
    monkeypatch.setenv("COPILOT_METRICS_TEXTFILE", str(textfile))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert cli.main(["refresh", "--workspace", str(root), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(textfile.read_text())
        for s in family.samples
    }
    assert report["added"] > 0
    for change in ("added", "updated", "deleted", "unchanged"):
        assert samples[("copilot_refresh_documents", (("change", change),))] == report[change]
    assert samples[("copilot_refresh_chunks_embedded_total", ())] == report["chunks_embedded"]
    assert samples[("copilot_refresh_chunks", ())] == report["chunks_total"]
    assert samples[("copilot_refresh_failed_sources", ())] == 0
    assert samples[("copilot_refresh_duration_seconds", ())] == pytest.approx(report["duration_s"])
    assert samples[("copilot_refresh_last_run_timestamp_seconds", ())] > 1_700_000_000


def test_the_endpoint_starts_once_per_process_and_address() -> None:
    """Streamlit reruns the page script on every click: the second call must not bind again."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free = int(probe.getsockname()[1])
    metrics = Metrics()
    metrics.record_error(LLMTimeoutError("slow"))
    metrics.record_error(ValueError("a bug"))
    assert serve_metrics("127.0.0.1", free, metrics) == free
    assert serve_metrics("127.0.0.1", free, Metrics()) == free  # the same server, no error
    samples = _scrape(free)
    assert samples[("copilot_errors_total", (("kind", "LLMTimeoutError"),))] == 1
    assert samples[("copilot_errors_total", (("kind", "unexpected"),))] == 1
    assert serve_configured("127.0.0.1", 0) is None  # COPILOT_METRICS_PORT=0: off


def test_outcomes_of_proposals_and_unverified_answers() -> None:
    pending = PendingAction("a1", "create_ticket", {}, datetime.now(UTC))
    proposal = Answer("q", "I can run ...", "tool", [], pending_action=pending)
    assert outcome(proposal) == "pending_confirmation"
    assert outcome(Answer("q", "a [1].", "retrieval", [], verified=False)) == "unverified"
    denied = [{"verdict": "not_mentioned", "reason": "[2] is a source this reader may not see"}]
    metrics = Metrics()
    metrics.record_answer(Answer("q", "", "retrieval", [], refused=True, verdicts=denied), "ui")
    assert (
        metrics.registry.get_sample_value("copilot_access_denials_total", {"kind": "citation"}) == 1
    )


def test_a_malformed_log_call_is_still_written_and_redacted(root_logging: io.StringIO) -> None:
    handler = configure_logging("INFO", "text", stream=root_logging)
    record = logging.LogRecord(  # one argument short (handed to our handler alone: pytest's
        "copilot.test", logging.INFO, __file__, 1, "two %s %s", ("xoxb-1-2-3",), None
    )  # own capture handler raises on such a record)
    handler.handle(record)
    written = root_logging.getvalue()
    assert "two %s %s" in written and "xoxb-1-2-3" not in written and "[-]" in written


def test_the_streamlit_page_counts_its_answers_and_audits_them_by_request_id(
    workspace: Workspace,
    model: FakeOpenAIServer,
    monkeypatch: pytest.MonkeyPatch,
    root_logging: io.StringIO,
) -> None:
    """The real page script under AppTest: its answers land in the process's metrics with
    surface ``streamlit``, and the audit row's id is the answer's request id."""
    root = str(workspace.settings.ws.root)
    monkeypatch.setattr(sys, "argv", ["streamlit_app.py", "--workspace", root])
    monkeypatch.setenv("COPILOT_LLM_BASE_URL", model.base_url)
    monkeypatch.setenv("COPILOT_UI_STREAM_DELAY_S", "0")
    monkeypatch.delenv("COPILOT_UI_TRUSTED_USER_HEADER", raising=False)
    labels = {"surface": "streamlit", "route": "retrieval", "outcome": "answered"}
    registry = process_metrics().registry
    before = registry.get_sample_value("copilot_answers_total", labels) or 0
    page = AppTest.from_file(str(STREAMLIT_APP), default_timeout=300).run()
    page.chat_input[0].set_value(WIFI).run()
    assert not page.exception, page.exception

    assert registry.get_sample_value("copilot_answers_total", labels) == before + 1
    (turn,) = page.session_state["history:anonymous"]
    assert turn.answer is not None and turn.audit_id == turn.answer.request_id
    entry = AuditLog.from_catalog(workspace.catalog).get(turn.audit_id)
    assert entry is not None and entry.surface == "streamlit" and entry.question == WIFI
