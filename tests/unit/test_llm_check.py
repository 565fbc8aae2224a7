"""The start-up check of a remote model server, against a local OpenAI-compatible server."""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path
from typing import Any

import pytest

from copilot.cli import main
from copilot.config import Settings
from copilot.errors import LLMUnavailableError
from copilot.llm_check import TOOLS_HINT, check_llm, ensure_llm_served
from tests.fakes.openai_server import FakeOpenAIServer, Message, tool_call
from tests.fakes.tiny_workspace import make_tiny_workspace

MODEL = "Qwen/Qwen2.5-7B-Instruct"
CODER = "Qwen/Qwen2.5-Coder-7B-Instruct"
AUTO_REFUSAL = '"auto" tool choice requires --enable-auto-tool-choice and --tool-call-parser'


def _settings(base_url: str | None, **values: Any) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None, llm_base_url=base_url, llm_model=MODEL, llm_timeout_s=5, **values
    )


def _like_vllm(request: dict[str, Any]) -> Message:
    """What a well-configured vLLM answers to each probe."""
    if request.get("tools"):
        return tool_call(request.get("tool_choice", {}).get("function", {}).get("name", "ping"), {})
    if request.get("response_format"):
        return '{"ok": true}'
    return "ok"


@pytest.fixture
def vllm(fake_llm: FakeOpenAIServer) -> FakeOpenAIServer:
    fake_llm.models = [MODEL, CODER]
    fake_llm.replies = [_like_vllm] * 4
    return fake_llm


def _closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


def _check(report: Any, name: str) -> Any:
    return next(c for c in report.checks if c.name == name)


def test_a_well_configured_server_passes_every_check(vllm: FakeOpenAIServer) -> None:
    settings = _settings(vllm.base_url, llm_sql_model=CODER, llm_api_key="s3cret-key")
    report = check_llm(settings)
    assert report.ok, report.to_dict()
    assert [c.name for c in report.checks] == [
        "models",
        "chat",
        "json_schema",
        "tools",
        "tools_auto",
    ]
    json_request, tools_request = vllm.requests[1], vllm.requests[2]
    assert json_request["response_format"]["type"] == "json_schema"
    assert tools_request["tool_choice"] == {"type": "function", "function": {"name": "ping"}}
    assert set(vllm.authorizations) == {"Bearer s3cret-key"}
    assert "s3cret-key" not in json.dumps(report.to_dict())


def test_json_mode_is_sent_the_way_the_client_sends_it(vllm: FakeOpenAIServer) -> None:
    check_llm(_settings(vllm.base_url, llm_json_mode="json_object"))
    assert vllm.requests[1]["response_format"]["type"] == "json_object"


def test_a_server_that_does_not_answer_is_a_clear_error_naming_the_url() -> None:
    url = _closed_port_url()
    with pytest.raises(
        LLMUnavailableError, match=re.escape(f"{url}/models ") + ".*COPILOT_LLM_BASE_URL"
    ):
        check_llm(_settings(url))
    with pytest.raises(LLMUnavailableError, match=re.escape(url)):
        ensure_llm_served(_settings(url))


def test_a_missing_model_is_named_with_what_the_server_serves(vllm: FakeOpenAIServer) -> None:
    settings = _settings(vllm.base_url, llm_judge_model="Qwen/Qwen2.5-72B-Instruct")
    models = _check(check_llm(settings), "models")
    assert not models.ok
    assert "'Qwen/Qwen2.5-72B-Instruct' (judge)" in models.detail
    assert MODEL in models.detail and CODER in models.detail
    with pytest.raises(LLMUnavailableError, match=r"Qwen2\.5-72B-Instruct.*copilot check-llm"):
        ensure_llm_served(settings)


def test_a_rejected_json_schema_fails_that_feature_with_the_hint(vllm: FakeOpenAIServer) -> None:
    vllm.refuse = lambda r: "no guided decoding backend" if "response_format" in r else None
    report = check_llm(_settings(vllm.base_url))
    assert not report.ok
    failed = _check(report, "json_schema")
    assert not failed.ok and "HTTP 400" in failed.detail
    assert "no guided decoding backend" in failed.detail
    assert "guided-decoding-backend" in failed.detail
    assert _check(report, "chat").ok and _check(report, "tools").ok


def test_rejected_tools_fail_that_feature_with_the_vllm_flags(vllm: FakeOpenAIServer) -> None:
    vllm.refuse = lambda r: AUTO_REFUSAL if "tools" in r else None
    report = check_llm(_settings(vllm.base_url))
    failed = _check(report, "tools")
    assert not failed.ok and AUTO_REFUSAL in failed.detail
    assert TOOLS_HINT in failed.detail
    assert "--enable-auto-tool-choice --tool-call-parser hermes" in failed.detail
    assert [c.name for c in report.failures()] == ["tools", "tools_auto"]


def test_auto_tool_choice_is_probed_on_its_own(vllm: FakeOpenAIServer) -> None:
    """vLLM serves a named tool choice without the tool flags, but refuses ``auto``."""
    vllm.refuse = lambda r: AUTO_REFUSAL if "tools" in r and "tool_choice" not in r else None
    report = check_llm(_settings(vllm.base_url))
    assert _check(report, "tools").ok
    auto = _check(report, "tools_auto")
    assert not auto.ok and AUTO_REFUSAL in auto.detail and TOOLS_HINT in auto.detail


def test_a_tool_reply_without_the_call_fails_the_tool_check(vllm: FakeOpenAIServer) -> None:
    vllm.replies = [_like_vllm, _like_vllm, "I would call ping.", _like_vllm]
    failed = _check(check_llm(_settings(vllm.base_url)), "tools")
    assert not failed.ok and "--tool-call-parser hermes" in failed.detail


def test_the_embedded_server_is_not_checked_at_start_up() -> None:
    ensure_llm_served(_settings(None))  # no request, no error


def test_check_llm_command_exit_codes_and_json(
    vllm: FakeOpenAIServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    workspace = make_tiny_workspace(tmp_path / "ws")
    monkeypatch.setenv("COPILOT_LLM_BASE_URL", vllm.base_url)
    monkeypatch.setenv("COPILOT_LLM_MODEL", MODEL)
    for name in ("SQL", "JUDGE", "TOOLS"):
        monkeypatch.delenv(f"COPILOT_LLM_{name}_MODEL", raising=False)
    assert main(["check-llm", "--workspace", str(workspace), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is True and report["base_url"] == vllm.base_url
    assert {c["name"] for c in report["checks"]} == {
        "models",
        "chat",
        "json_schema",
        "tools",
        "tools_auto",
    }

    vllm.replies = [_like_vllm] * 2
    vllm.refuse = lambda r: AUTO_REFUSAL if "tools" in r else None
    assert main(["check-llm", "--workspace", str(workspace)]) == 1
    out = capsys.readouterr().out
    assert "FAIL tools" in out and "ok   chat" in out

    monkeypatch.setenv("COPILOT_LLM_BASE_URL", _closed_port_url())
    assert main(["check-llm", "--workspace", str(workspace)]) == 1
    err = capsys.readouterr().err
    assert "does not answer" in err and "Traceback" not in err


def test_copilot_ui_fails_fast_when_the_server_does_not_answer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import subprocess

    def never(*args: object, **kwargs: object) -> int:
        raise AssertionError("the page started although the model server is down")

    pytest.importorskip("streamlit")
    monkeypatch.setattr(subprocess, "call", never)
    url = _closed_port_url()
    monkeypatch.setenv("COPILOT_LLM_BASE_URL", url)
    workspace = make_tiny_workspace(tmp_path / "ws")
    assert main(["ui", "--workspace", str(workspace)]) == 1
    err = capsys.readouterr().err
    assert url in err and "does not answer" in err and "Traceback" not in err
