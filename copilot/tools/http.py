"""Tools declared in ``copilot.yaml`` that call an internal HTTP API.

The URL is a template (``https://tickets/api/{id}``): placeholders are filled with
URL-encoded arguments, so an argument can never add a path segment or a query of its own;
the rest go as the query string (GET) or a JSON body. Anything but GET changes data, so such
a tool is a write tool and runs only where writes are allowed and the user confirmed.
"""

from __future__ import annotations

import json
import string
from typing import Any
from urllib.parse import quote

import httpx
from pydantic import BaseModel, Field, create_model

from copilot.config import HttpToolConfig, ToolArg
from copilot.errors import ConfigError
from copilot.tools.base import Tool, ToolResult
from copilot.types import Principal

RESPONSE_LIMIT = 2000

_TYPES: dict[str, type] = {"string": str, "integer": int, "number": float, "boolean": bool}


class HttpTool(Tool):
    """One configured HTTP endpoint as a tool, with its own ``access_groups``."""

    def __init__(self, config: HttpToolConfig) -> None:
        super().__init__(config.access_groups)
        self.name = config.name
        self.description = config.description
        self.writes = config.writes or config.method != "GET"
        self.timeout_s = config.timeout_s
        self._config = config
        self._placeholders = url_placeholders(config)
        self.Args = args_model(config.name, config.args)

    def run(self, args: BaseModel, principal: Principal) -> ToolResult:
        values = args.model_dump(exclude_none=True)
        url = self._config.url.format_map(
            {k: quote(_text(values.pop(k)), safe="") for k in self._placeholders}
        )
        try:
            response = self._send(url, values)
        except httpx.TimeoutException:
            return ToolResult.failure(f"{self.name}: no answer within {self.timeout_s:g}s")
        except httpx.HTTPError as exc:
            return ToolResult.failure(f"{self.name}: cannot reach the API: {type(exc).__name__}")
        if not response.is_success:
            return ToolResult.failure(
                f"{self.name}: the API answered HTTP {response.status_code}: "
                f"{_cut(response.text, 300)}"
            )
        return ToolResult.success(_content(response))

    def _send(self, url: str, rest: dict[str, Any]) -> httpx.Response:
        method = self._config.method
        if method == "GET":
            return httpx.get(url, params=rest, timeout=self.timeout_s)
        return httpx.request(method, url, json=rest, timeout=self.timeout_s)


def url_placeholders(config: HttpToolConfig) -> list[str]:
    """Placeholder names in the URL template; each must be a declared, required argument."""
    try:
        names = [field for _, field, _, _ in string.Formatter().parse(config.url) if field]
    except ValueError as exc:
        raise ConfigError(f"tool {config.name!r}: url template is malformed: {exc}") from exc
    for name in names:
        arg = config.args.get(name)
        if arg is None or not arg.required:
            raise ConfigError(
                f"tool {config.name!r}: url placeholder {{{name}}} must be a required argument"
            )
    return list(dict.fromkeys(names))


def args_model(tool_name: str, args: dict[str, ToolArg]) -> type[BaseModel]:
    """A pydantic model for the declared arguments, so validation and schema come for free."""
    fields: dict[str, Any] = {}
    for name, arg in args.items():
        kind = _TYPES[arg.type]
        if arg.required:
            fields[name] = (kind, Field(description=arg.description))
        else:
            fields[name] = (kind | None, Field(default=None, description=arg.description))
    model_name = "".join(p.capitalize() for p in tool_name.replace("-", "_").split("_")) + "Args"
    model: type[BaseModel] = create_model(model_name, **fields)
    return model


def _text(value: Any) -> str:
    """Booleans as JSON and query strings spell them, not as Python does."""
    return str(value).lower() if isinstance(value, bool) else str(value)


def _content(response: httpx.Response) -> dict[str, Any] | str:
    """A JSON object that fits the limit as is; anything else as text cut to the limit."""
    try:
        data = response.json()
    except ValueError:
        return _cut(response.text, RESPONSE_LIMIT)
    text = json.dumps(data, ensure_ascii=False)
    if isinstance(data, dict) and len(text) <= RESPONSE_LIMIT:
        return data
    return _cut(text, RESPONSE_LIMIT)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + "…"
