"""Is the configured model server one the copilot can work with? Asked before serving anyone.

A vLLM started without the right flags, or serving the model under another name, answers
every question with an HTTP 400 or 404 that users only see one failed answer at a time. This
asks once, up front: does the server answer, does it serve every model name we will send, and
does it accept the features we use (chat, JSON-schema guided output, tool calls, named and
automatic). Each failure says which flag usually fixes it. The embedded server is never
checked: it is ours.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

import httpx

from copilot.config import Settings
from copilot.errors import LLMUnavailableError
from copilot.llm import one_line, response_format, sql_model

JSON_SCHEMA_HINT = (
    "vLLM: guided decoding must be available (recent vLLM has it by default; older ones take "
    "--guided-decoding-backend xgrammar or outlines); a llama.cpp server needs "
    "COPILOT_LLM_JSON_MODE=json_object"
)
TOOLS_HINT = "vLLM: start it with --enable-auto-tool-choice --tool-call-parser hermes"
CHAT_HINT = "see the server's log; vLLM: check --max-model-len and --served-model-name"

_PROBE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"ok": {"type": "boolean"}},
    "required": ["ok"],
}
_PROBE_TOOL: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": "ping",
        "description": "Answer the ping.",
        "parameters": {
            "type": "object",
            "properties": {"reply": {"type": "string"}},
            "required": ["reply"],
        },
    },
}


@dataclass(frozen=True)
class Check:
    """One check's outcome; ``detail`` says what was found, or what failed and how to fix it."""

    name: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class LLMCheckReport:
    base_url: str
    checks: tuple[Check, ...]

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    def failures(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if not c.ok)

    def to_dict(self) -> dict[str, Any]:
        return {
            "base_url": self.base_url,
            "ok": self.ok,
            "checks": [asdict(c) for c in self.checks],
        }


def required_models(settings: Settings) -> dict[str, str]:
    """Every model name the copilot sends to a remote server, by role: unset roles fall back
    to ``llm_model`` exactly as the chains do (copilot/llm.py, copilot/copilot.py)."""
    main = settings.llm_model
    return {
        "chat": main,
        "sql": sql_model(settings) or main,
        "judge": settings.llm_judge_model or main,
        "tools": settings.llm_tools_model or main,
    }


def _client(settings: Settings, base_url: str) -> httpx.Client:
    """An HTTP client with the API key header; the key never appears in any message. The
    connect timeout is capped at 10 s: a host that drops packets should fail a start-up in
    seconds, not after the two minutes a slow completion may take."""
    key = settings.llm_api_key.get_secret_value()
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    timeout = httpx.Timeout(settings.llm_timeout_s, connect=min(10.0, settings.llm_timeout_s))
    return httpx.Client(base_url=base_url.rstrip("/"), headers=headers, timeout=timeout)


def served_models(client: httpx.Client) -> list[str]:
    """The ids ``GET /models`` lists; an unreachable or failing server is LLMUnavailableError
    naming the URL, since nothing else can be checked (or served) without it."""
    url = f"{str(client.base_url).rstrip('/')}/models"
    try:
        response = client.get("/models")
    except httpx.HTTPError as exc:
        raise LLMUnavailableError(
            f"the chat model server at {url} does not answer ({type(exc).__name__}): is it "
            "running? Check COPILOT_LLM_BASE_URL, or unset it to use the embedded model"
        ) from exc
    if response.status_code != 200:
        raise LLMUnavailableError(
            f"the chat model server at {url} answered HTTP {response.status_code}: "
            f"{_error_text(response)} (a 401 means COPILOT_LLM_API_KEY does not match --api-key)"
        )
    try:
        return [str(m["id"]) for m in response.json()["data"]]
    except (ValueError, KeyError, TypeError) as exc:
        raise LLMUnavailableError(
            f"{url} did not answer with an OpenAI model list: is COPILOT_LLM_BASE_URL the "
            "server's /v1 URL?"
        ) from exc


def check_models(settings: Settings, served: list[str]) -> Check:
    """Every model name we use must be served: vLLM rejects any other name with a 404."""
    missing = {role: name for role, name in required_models(settings).items() if name not in served}
    if not missing:
        return Check("models", True, "served: " + ", ".join(sorted(set(served))))
    wanted = ", ".join(f"{name!r} ({role})" for role, name in missing.items())
    return Check(
        "models",
        False,
        f"the server does not serve {wanted}; it serves {', '.join(served) or 'nothing'}. "
        "Set COPILOT_LLM_MODEL / _SQL_MODEL / _JUDGE_MODEL / _TOOLS_MODEL to served names, or "
        "start vLLM with --served-model-name",
    )


def check_served(settings: Settings) -> LLMCheckReport:
    """The cheap part, fit for every start-up: the server answers and serves our models."""
    base_url = _base_url(settings)
    with _client(settings, base_url) as client:
        served = served_models(client)
    return LLMCheckReport(base_url, (check_models(settings, served),))


def check_llm(settings: Settings) -> LLMCheckReport:
    """Everything: the models, then one tiny request per feature we use (a few tokens each)."""
    base_url = _base_url(settings)
    models = required_models(settings)
    with _client(settings, base_url) as client:
        checks = [check_models(settings, served_models(client))]
        checks.append(_probe_chat(client, models["chat"]))
        checks.append(_probe_json(client, models["judge"], settings))
        checks.append(_probe_tools(client, models["tools"]))
        checks.append(_probe_auto_tools(client, models["tools"]))
    return LLMCheckReport(base_url, tuple(checks))


def ensure_llm_served(settings: Settings) -> None:
    """Fail fast at the start of a long-running surface (Slack, the chat page) rather than
    on a user's first question; the embedded server is skipped (it starts on demand)."""
    if not settings.llm_base_url:
        return
    report = check_served(settings)
    if not report.ok:
        details = "; ".join(c.detail for c in report.failures())
        raise LLMUnavailableError(
            f"the chat model server at {report.base_url} is not usable: {details}. "
            "Run `copilot check-llm` for the full check"
        )


def _base_url(settings: Settings) -> str:
    if not settings.llm_base_url:
        raise LLMUnavailableError("COPILOT_LLM_BASE_URL is not set: there is no server to check")
    return settings.llm_base_url.rstrip("/")


def _probe_chat(client: httpx.Client, model: str) -> Check:
    reply = _post(client, {"model": model, **_ping()})
    if isinstance(reply, str):
        return Check("chat", False, f"{reply}; {CHAT_HINT}")
    return Check("chat", True, f"{model} answered")


def _probe_json(client: httpx.Client, model: str, settings: Settings) -> Check:
    """JSON-schema output exactly as OpenAICompatibleChat sends it (``llm_json_mode``)."""
    body = {
        "model": model,
        **_ping(),
        "response_format": response_format(_PROBE_SCHEMA, settings.llm_json_mode),
    }
    reply = _post(client, body)
    if isinstance(reply, str):
        return Check("json_schema", False, f"{reply}; {JSON_SCHEMA_HINT}")
    content = reply.get("content") or ""
    try:
        parsed = json.loads(content)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        return Check(
            "json_schema",
            False,
            f"the reply was not JSON ({one_line(content)!r}): the schema was ignored; "
            f"{JSON_SCHEMA_HINT}",
        )
    return Check("json_schema", True, f"{model} answered JSON ({settings.llm_json_mode})")


def _probe_tools(client: httpx.Client, model: str) -> Check:
    """A named ``tool_choice``, as the tool chain sends it; the reply must call that tool."""
    body = {
        "model": model,
        **_ping(),
        "tools": [_PROBE_TOOL],
        "tool_choice": {"type": "function", "function": {"name": "ping"}},
    }
    reply = _post(client, body)
    if isinstance(reply, str):
        return Check("tools", False, f"{reply}; {TOOLS_HINT}")
    names = [c.get("function", {}).get("name") for c in reply.get("tool_calls") or []]
    if "ping" not in names:
        return Check("tools", False, f"no call of the named tool came back; {TOOLS_HINT}")
    return Check("tools", True, f"{model} called the named tool")


def _probe_auto_tools(client: httpx.Client, model: str) -> Check:
    """``tools`` without ``tool_choice`` (``auto``), as the tool chain's later steps send them.
    vLLM serves a named choice through guided decoding even without the tool flags, but
    refuses ``auto`` with HTTP 400 unless started with them, so this is probed on its own.
    Whether the model then calls the tool is its choice: only acceptance is checked."""
    reply = _post(client, {"model": model, **_ping(), "tools": [_PROBE_TOOL]})
    if isinstance(reply, str):
        return Check("tools_auto", False, f"{reply}; {TOOLS_HINT}")
    return Check("tools_auto", True, f"{model} accepts tools with automatic choice")


def _ping() -> dict[str, Any]:
    return {
        "messages": [{"role": "user", "content": "Reply with ok."}],
        "max_tokens": 16,
        "temperature": 0.0,
    }


def _post(client: httpx.Client, body: dict[str, Any]) -> dict[str, Any] | str:
    """The reply message, or a one-line description of the failure (with the server's
    error text, which is what names the missing flag)."""
    try:
        response = client.post("/chat/completions", json=body)
    except httpx.HTTPError as exc:
        return f"the request failed ({type(exc).__name__}: {one_line(str(exc))})"
    if response.status_code != 200:
        return f"the server answered HTTP {response.status_code}: {_error_text(response)}"
    try:
        message = response.json()["choices"][0]["message"]
    except (ValueError, KeyError, IndexError, TypeError):
        return "the server's reply is not an OpenAI chat completion"
    return message if isinstance(message, dict) else "the reply carried no message"


def _error_text(response: httpx.Response) -> str:
    """The server's own error message (vLLM: ``{"error": {"message": ...}}`` or
    ``{"message": ...}``), shortened."""
    try:
        payload = response.json()
    except ValueError:
        return one_line(response.text)
    if isinstance(payload, dict):
        error = payload.get("error", payload)
        if isinstance(error, dict) and error.get("message"):
            return one_line(str(error["message"]))
        if isinstance(error, str):
            return one_line(error)
    return one_line(response.text)
