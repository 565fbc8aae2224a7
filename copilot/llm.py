"""One chat client for every model: the OpenAI-compatible API that ``vllm serve`` exposes.

``ChatModel`` is our narrow interface; ``OpenAICompatibleChat`` implements it with LangChain's
``ChatOpenAI``. With no ``COPILOT_LLM_BASE_URL`` the copilot starts the embedded default
(llama.cpp's server with the packaged Qwen model) itself and stops it on exit, so the code path
is the same on a laptop as against vLLM on GPUs.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

import httpx

from copilot.config import Settings
from copilot.embedded_model import CODER_1_5B, MODELS, ensure_model, is_installed, model_file
from copilot.errors import LLMError, LLMTimeoutError, LLMUnavailableError
from copilot.metrics import Metrics, process_metrics

log = logging.getLogger(__name__)

# The embedded server's model for writing SQL (and a stronger judge): a stable alias.
EMBEDDED_SQL_MODEL = CODER_1_5B.name


@dataclass(frozen=True)
class ToolCall:
    id: str
    name: str
    arguments: dict[str, Any]


@dataclass(frozen=True)
class ChatMessage:
    """A chat turn; ``tool`` turns answer the ``tool_calls`` of the assistant turn before."""

    role: Literal["system", "user", "assistant", "tool"]
    content: str
    tool_calls: tuple[ToolCall, ...] = ()
    tool_call_id: str | None = None


@dataclass(frozen=True)
class Completion:
    text: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    tool_calls: tuple[ToolCall, ...] = ()


class ChatModel(Protocol):
    def complete(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int | None = None,
        json_schema: dict[str, Any] | None = None,
        tools: Sequence[dict[str, Any]] | None = None,
        tool_choice: str | None = None,
        temperature: float | None = None,
        model: str | None = None,
    ) -> Completion:
        """``json_schema`` constrains the reply to JSON of that schema; ``tools`` are OpenAI
        function specs the model may call (the reply then carries ``tool_calls``);
        ``tool_choice`` names one of them to force (small models rarely call on their own,
        and llama.cpp's server rejects ``"required"``); ``temperature`` overrides the
        configured one for this call (sampling several candidates); ``model`` names another
        model on the same server (e.g. ``llm_sql_model``, ``llm_judge_model``)."""
        ...


def response_format(schema: dict[str, Any], mode: str) -> dict[str, Any]:
    """The OpenAI ``response_format`` for a JSON schema, in the dialect the server speaks.

    vLLM (and OpenAI) take ``{"type": "json_schema", ...}``; llama.cpp's server takes
    ``{"type": "json_object", "schema": ...}`` and rejects the other.
    """
    if mode == "json_object":
        return {"type": "json_object", "schema": schema}
    return {
        "type": "json_schema",
        "json_schema": {"name": "reply", "schema": schema, "strict": True},
    }


def _to_langchain(message: ChatMessage) -> Any:
    from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage

    if message.role == "system":
        return SystemMessage(message.content)
    if message.role == "user":
        return HumanMessage(message.content)
    if message.role == "tool":
        return ToolMessage(message.content, tool_call_id=message.tool_call_id or "")
    calls = [{"id": c.id, "name": c.name, "args": c.arguments} for c in message.tool_calls]
    # LangChain sends an empty tool-call turn's content as null, which llama.cpp's server
    # rejects (OpenAI and vLLM accept either); a space is valid everywhere.
    content = message.content or (" " if calls else "")
    return AIMessage(content, tool_calls=calls)


def langchain_chat(settings: Settings, base_url: str, *, model: str | None = None) -> Any:
    """LangChain's ``ChatOpenAI`` for the server at ``base_url``, set up as ours is (key,
    temperature, max tokens, timeout, retries); ``model`` overrides ``llm_model``. Public so
    that the evaluation's LangChain baseline talks to the server exactly as we do."""
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        model=model or settings.llm_model,
        base_url=base_url,
        api_key=settings.llm_api_key,
        temperature=settings.llm_temperature,
        max_completion_tokens=settings.llm_max_tokens,
        # llama.cpp's server reads only the older ``max_tokens``; vLLM accepts both.
        extra_body={"max_tokens": settings.llm_max_tokens},
        timeout=settings.llm_timeout_s,
        max_retries=settings.llm_max_retries,
    )


class OpenAICompatibleChat:
    """``ChatModel`` over any OpenAI-compatible server, through LangChain's ``ChatOpenAI``."""

    def __init__(
        self,
        settings: Settings,
        base_url: str,
        json_mode: str | None = None,
        tools_model: str | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self._base_url = base_url
        self._model = settings.llm_model
        self._metrics = metrics or process_metrics()
        self._json_mode = json_mode or settings.llm_json_mode
        self._tools_model = tools_model or settings.llm_tools_model
        self._llm = langchain_chat(settings, base_url)

    def complete(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int | None = None,
        json_schema: dict[str, Any] | None = None,
        tools: Sequence[dict[str, Any]] | None = None,
        tool_choice: str | None = None,
        temperature: float | None = None,
        model: str | None = None,
    ) -> Completion:
        import openai

        options: dict[str, Any] = {}
        if max_tokens is not None:
            options.update(max_tokens=max_tokens, extra_body={"max_tokens": max_tokens})
        if json_schema is not None:
            options["response_format"] = response_format(json_schema, self._json_mode)
        if temperature is not None:
            options["temperature"] = temperature
        if model:
            options["model"] = model
        if tools:
            options["tools"] = list(tools)
            if self._tools_model:
                options["model"] = self._tools_model
        if tools and tool_choice:
            options["tool_choice"] = {"type": "function", "function": {"name": tool_choice}}
        llm: Any = self._llm.bind(**options) if options else self._llm
        try:
            reply = llm.invoke([_to_langchain(m) for m in messages])
        except openai.APITimeoutError as exc:
            raise LLMTimeoutError(
                f"the chat model at {self._base_url} did not answer in time; raise "
                "COPILOT_LLM_TIMEOUT_S or check the server's load"
            ) from exc
        except openai.APIConnectionError as exc:
            raise LLMUnavailableError(
                f"cannot reach the chat model at {self._base_url}: is the server running? "
                "Check COPILOT_LLM_BASE_URL, or unset it to use the embedded model"
            ) from exc
        except openai.APIStatusError as exc:
            raise LLMError(
                f"the chat model at {self._base_url} answered HTTP {exc.status_code}: "
                f"{one_line(str(exc))}"
            ) from exc
        usage = reply.usage_metadata or {}
        self._count_tokens(options.get("model") or self._model, usage)
        calls = tuple(
            ToolCall(id=str(c.get("id") or ""), name=c["name"], arguments=dict(c.get("args") or {}))
            for c in (reply.tool_calls or [])
        )
        return Completion(
            text=str(reply.content),
            prompt_tokens=int(usage.get("input_tokens", 0)),
            completion_tokens=int(usage.get("output_tokens", 0)),
            tool_calls=calls,
        )

    def _count_tokens(self, model: str, usage: Any) -> None:
        """The server's own token counts (vLLM and llama.cpp report ``usage``; LangChain
        puts it in ``usage_metadata``): what capacity planning and cost reports need."""
        prompt, completion = int(usage.get("input_tokens", 0)), int(usage.get("output_tokens", 0))
        if prompt or completion:
            self._metrics.record_tokens(model, prompt, completion)


def reply_object(text: str, reader: str) -> dict[str, Any]:
    """The JSON object in a model's reply (small models wrap it in prose or fences), or {}
    when it has none or it does not parse; an unparsable one is logged under ``reader``."""
    start, end = text.find("{"), text.rfind("}")
    if start < 0:
        return {}
    try:
        data = json.loads(text[start : end + 1])
    except json.JSONDecodeError:
        log.warning("%s: unreadable reply %r", reader, text[:120])
        return {}
    return data if isinstance(data, dict) else {}


def one_line(text: str, limit: int = 300) -> str:
    """A server's error text for a message: whitespace collapsed, at most ``limit`` chars."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"


def sql_model(settings: Settings) -> str | None:
    """The model name the SQL chain writes SQL with; None means the main model.

    ``llm_sql_model`` if set. Otherwise, on the embedded server, the 1.5B coder: on the
    text2sql benchmark it writes markedly better SQL than the 0.5B (README, "Measured"), and
    where it is not installed the server answers with the main model and a warning.
    """
    if settings.llm_sql_model:
        return settings.llm_sql_model
    return None if settings.llm_base_url else EMBEDDED_SQL_MODEL


def tools_alias(model: str) -> str:
    """The embedded server's name for the model when it is asked to call tools."""
    return f"{model}-tools"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class EmbeddedServer:
    """llama.cpp's OpenAI-compatible server on a free local port, for as long as we need it."""

    def __init__(self, settings: Settings, log_file: Path) -> None:
        self._settings = settings
        self._log_file = log_file
        self._process: subprocess.Popen[bytes] | None = None
        self.base_url = ""
        self.aliases: frozenset[str] = frozenset()

    def start(self) -> str:
        model = ensure_model(self._settings.model_dir)
        port = _free_port()
        self.base_url = f"http://127.0.0.1:{port}/v1"
        self._log_file.parent.mkdir(parents=True, exist_ok=True)
        config = self._log_file.parent / "llm-server.json"
        config.parent.mkdir(parents=True, exist_ok=True)
        config.write_text(json.dumps(self._server_config(model, port)), encoding="utf-8")
        command = [sys.executable, "-m", "llama_cpp.server", "--config_file", str(config)]
        log.info("starting embedded chat model on port %d", port)
        with self._log_file.open("ab") as sink:
            self._process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT)
        self._wait_until_ready()
        return self.base_url

    def _server_config(self, model: Path, port: int) -> dict[str, Any]:
        """Two aliases of the main model: its own chat template for chat and JSON, and
        ``chatml-function-calling`` for tool calls only. (That format HTML-escapes every
        message, so quotes reach the model as ``&#39;``; plain chat must not go through it.)
        Every other known model that is installed (``copilot setup-model --model NAME``) is
        served under its registry name, e.g. ``qwen2.5-coder-1.5b-instruct``. The server
        holds one model in memory at a time and swaps on demand (about a second from the
        page cache), so a second model costs only when it is asked for.
        """
        models = [
            {**self._model_entry(model), "model_alias": self._settings.llm_model},
            {
                **self._model_entry(model),
                "model_alias": tools_alias(self._settings.llm_model),
                "chat_format": "chatml-function-calling",
            },
        ]
        for spec in MODELS.values():
            if spec.file_name != model.name and is_installed(self._settings.model_dir, spec):
                models.append(
                    {
                        **self._model_entry(model_file(self._settings.model_dir, spec)),
                        "model_alias": spec.name,
                    }
                )
        self.aliases = frozenset(str(m["model_alias"]) for m in models)
        return {"host": "127.0.0.1", "port": port, "models": models}

    def _model_entry(self, model: Path) -> dict[str, Any]:
        return {
            "model": str(model),
            "n_ctx": self._settings.embedded_n_ctx,
            "n_threads": self._settings.embedded_threads,
        }

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + self._settings.embedded_startup_timeout_s
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise LLMUnavailableError(
                    "the embedded chat model exited while starting "
                    f"(exit {self._process.returncode}); its log is {self._log_file}. "
                    "Is llama-cpp-python[server] installed? Run scripts/setup.sh"
                )
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.base_url}/models", timeout=2).status_code == 200:
                    return
            time.sleep(0.25)
        self.stop()
        raise LLMUnavailableError(
            f"the embedded chat model did not start within "
            f"{self._settings.embedded_startup_timeout_s:.0f}s; see {self._log_file}"
        )

    def stop(self) -> None:
        if self._process is None or self._process.poll() is not None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()


class _EmbeddedChat:
    """Starts the embedded server on the first question, so "I don't know" costs no start-up."""

    def __init__(self, server: EmbeddedServer, settings: Settings) -> None:
        self._server = server
        self._settings = settings
        self._client: OpenAICompatibleChat | None = None
        self._warned: set[str] = set()

    def complete(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int | None = None,
        json_schema: dict[str, Any] | None = None,
        tools: Sequence[dict[str, Any]] | None = None,
        tool_choice: str | None = None,
        temperature: float | None = None,
        model: str | None = None,
    ) -> Completion:
        return self._started().complete(
            messages,
            max_tokens=max_tokens,
            json_schema=json_schema,
            tools=tools,
            tool_choice=tool_choice,
            temperature=temperature,
            model=self._served(model),
        )

    def server_url(self) -> str:
        """The started server's OpenAI-compatible URL, for clients other than ours (the
        evaluation's baselines talk to the same model through their own frameworks)."""
        self._started()
        return self._server.base_url

    def _started(self) -> OpenAICompatibleChat:
        if self._client is None:
            base_url = self._server.start()
            self._client = OpenAICompatibleChat(
                self._settings,
                base_url,
                json_mode="json_object",
                tools_model=tools_alias(self._settings.llm_model),
            )
        return self._client

    def _served(self, model: str | None) -> str | None:
        """``model`` if the embedded server has it; else the main model, with one warning
        (llama.cpp's server would quietly answer with its default model anyway)."""
        if model is None or model in self._server.aliases:
            return model
        if model not in self._warned:
            self._warned.add(model)
            log.warning(
                "the embedded server has no model %r, so the main model answers instead; "
                "run `copilot setup-model --model %s` to install it",
                model,
                model,
            )
        return None


@contextlib.contextmanager
def open_chat_model(settings: Settings, log_dir: Path) -> Iterator[ChatModel]:
    """The configured chat model; starts (and afterwards stops) the embedded one if needed."""
    if settings.llm_base_url:
        yield OpenAICompatibleChat(settings, settings.llm_base_url)
        return
    server = EmbeddedServer(settings, log_dir / "llm-server.log")
    try:
        yield _EmbeddedChat(server, settings)
    finally:
        server.stop()
