"""The tool interface: a name, a pydantic argument model, who may use it, and ``run``.

Arguments are a pydantic model so that one declaration gives both the JSON schema the model
sees (``openai_spec``) and the validation its arguments get before anything runs.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from copilot.types import Principal

ANY_DIRECTORY_USER = "*"


@dataclass(frozen=True)
class ToolResult:
    """What a tool call produced. Failures are values: the model reads them as tool turns."""

    ok: bool
    content: dict[str, Any] | str
    error: str | None = None

    @classmethod
    def success(cls, content: dict[str, Any] | str) -> ToolResult:
        return cls(ok=True, content=content)

    @classmethod
    def failure(cls, error: str) -> ToolResult:
        return cls(ok=False, content="", error=error)

    def to_json(self) -> str:
        """The text a tool turn carries back to the model."""
        if self.ok:
            body: dict[str, Any] = {"ok": True, "result": self.content}
        else:
            body = {"ok": False, "error": self.error}
        return json.dumps(body, ensure_ascii=False, sort_keys=True, default=str)


class Tool(ABC):
    """One callable capability. ``access_groups`` empty means nobody may use it; ``"*"``
    means any principal whose members are all known directory users (never anonymous)."""

    name: str
    description: str
    Args: type[BaseModel]
    writes: bool = False
    timeout_s: float = 10.0

    def __init__(self, access_groups: Iterable[str] = ()) -> None:
        self.access_groups: frozenset[str] = frozenset(access_groups)

    @abstractmethod
    def run(self, args: Any, principal: Principal) -> ToolResult:
        """Do the work with validated ``args`` (an instance of ``Args``)."""

    def openai_spec(self) -> dict[str, Any]:
        """The OpenAI function spec (the shape vLLM and llama.cpp's server accept)."""
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": _parameters(self.Args),
            },
        }


def _parameters(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema without pydantic's ``title`` noise, which small models echo."""
    schema = model.model_json_schema()
    schema.pop("title", None)
    for prop in schema.get("properties", {}).values():
        if isinstance(prop, dict):
            prop.pop("title", None)
    schema.setdefault("properties", {})
    return schema
