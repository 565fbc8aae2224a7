"""The registry: which tools exist, who may use them, and the one door every call goes through.

``call`` never raises: an unknown name, a refused principal, bad arguments, a crash or a
timeout inside a tool all come back as ``ToolResult.failure``, because the caller is a
language model that can read an error and try again, but cannot catch an exception.
A write tool runs only when the caller says the user confirmed it; ``prepare`` makes every
other check, so that the tool chain can propose the write first (copilot/actions.py).
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from copilot.config import ToolsConfig
from copilot.directory import UserDirectory
from copilot.errors import ConfigError
from copilot.metrics import process_metrics
from copilot.tools.base import ANY_DIRECTORY_USER, Tool, ToolResult
from copilot.types import Member, Principal

log = logging.getLogger(__name__)

# Extra seconds the registry waits beyond a tool's own timeout (HTTP tools time out first).
_GRACE_S = 0.5


@dataclass(frozen=True)
class PreparedCall:
    """A call that passed every check but the user's confirmation: ready to run or propose."""

    tool: Tool
    args: BaseModel

    @property
    def arguments(self) -> dict[str, Any]:
        """The validated arguments as JSON values, as stored with a proposal and sent back to
        ``call`` on confirmation (which validates them again: the store is not trusted)."""
        return self.args.model_dump(mode="json", exclude_none=True)


class ToolRegistry:
    """Tools by name, checked against the users directory on every visibility question."""

    def __init__(self, directory: UserDirectory, allow_writes: bool = False) -> None:
        self._directory = directory
        self._allow_writes = allow_writes
        self._tools: dict[str, Tool] = {}

    def register(self, tool: Tool) -> None:
        if tool.name in self._tools:
            raise ConfigError(f"tool {tool.name!r} is registered twice; tool names must differ")
        self._tools[tool.name] = tool

    def names(self) -> list[str]:
        return sorted(self._tools)

    def get(self, name: str) -> Tool | None:
        return self._tools.get(name)

    def may_use(self, tool: Tool, principal: Principal) -> bool:
        """Every member must be a known directory user and qualify, so that an answer posted
        to an audience never uses a tool one of its members could not."""
        if not principal.members or not tool.access_groups:
            return False
        return all(self._member_may_use(tool, m) for m in principal.members)

    def _member_may_use(self, tool: Tool, member: Member) -> bool:
        if self._directory.get(member.email) is None:
            return False
        return ANY_DIRECTORY_USER in tool.access_groups or bool(tool.access_groups & member.groups)

    def visible_to(self, principal: Principal) -> list[Tool]:
        return [t for t in self._tools.values() if self.may_use(t, principal)]

    def call(
        self,
        name: str,
        raw_arguments: dict[str, Any],
        principal: Principal,
        confirmed: bool = False,
    ) -> ToolResult:
        """Check, validate and run one call; every failure is returned, never raised."""
        prepared = self.prepare(name, raw_arguments, principal)
        if isinstance(prepared, ToolResult):
            return prepared
        if prepared.tool.writes and not confirmed:
            return ToolResult.failure(
                f"tool {name!r} changes data and needs the user's explicit confirmation "
                "before it runs"
            )
        return self._execute(prepared.tool, prepared.args, principal)

    def prepare(
        self, name: str, raw_arguments: dict[str, Any], principal: Principal
    ) -> PreparedCall | ToolResult:
        """Every check ``call`` makes except the confirmation, without running anything: a
        write that passes is what the tool chain may propose to the user (copilot/actions.py)
        instead of running it. A failure comes back as the value ``call`` would return."""
        tool = self._tools.get(name)
        if tool is None or not self.may_use(tool, principal):
            return self._not_available(name, tool, principal)
        if tool.writes and not self._allow_writes:
            return ToolResult.failure(
                f"tool {tool.name!r} changes data, and this workspace does not allow writes "
                "(tools.allow_writes is false)"
            )
        try:
            args = tool.Args.model_validate(raw_arguments or {})
        except ValidationError as exc:
            return ToolResult.failure(f"invalid arguments for {name}: {summarise(exc)}")
        return PreparedCall(tool, args)

    def _not_available(self, name: str, tool: Tool | None, principal: Principal) -> ToolResult:
        # Names the principal may use only: listing the others would leak what exists.
        usable = ", ".join(t.name for t in self.visible_to(principal)) or "none"
        if tool is None:
            return ToolResult.failure(f"there is no tool named {name!r}; available: {usable}")
        log.warning("refused tool %s for %s", name, principal.name)
        process_metrics().access_denials.labels("tool").inc()
        return ToolResult.failure(
            f"tool {name!r} is not available to {principal.name}; available: {usable}"
        )

    def _execute(self, tool: Tool, args: BaseModel, principal: Principal) -> ToolResult:
        """Run in a worker thread so a hung tool costs its timeout, not the whole answer."""
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"tool-{tool.name}")
        # The copy carries the request id (copilot/logs.py) onto the tool's log lines.
        future = pool.submit(contextvars.copy_context().run, tool.run, args, principal)
        try:
            return future.result(timeout=tool.timeout_s + _GRACE_S)
        except FutureTimeout:
            return ToolResult.failure(
                f"tool {tool.name!r} did not finish within {tool.timeout_s:g}s"
            )
        except Exception as exc:
            log.exception("tool %s failed", tool.name)
            return ToolResult.failure(f"tool {tool.name!r} failed: {type(exc).__name__}: {exc}")
        finally:
            pool.shutdown(wait=False, cancel_futures=True)


def summarise(error: ValidationError, limit: int = 5) -> str:
    """Pydantic's errors as one short line the model can act on."""
    parts = []
    for item in error.errors()[:limit]:
        where = ".".join(str(p) for p in item["loc"]) or "arguments"
        parts.append(f"{where}: {item['msg']}")
    return "; ".join(parts)


def build_registry(
    config: ToolsConfig,
    workspace_root: Path,
    directory: UserDirectory,
    today: Callable[[], datetime],
    users_file: Path | None = None,
) -> ToolRegistry:
    """The registry ``copilot.yaml``'s ``tools:`` describes: enabled built-ins with their
    ``access_groups`` (none listed means nobody), plus every HTTP tool with its own."""
    from copilot.tools.builtin import make_builtin
    from copilot.tools.http import HttpTool

    registry = ToolRegistry(directory, allow_writes=config.allow_writes)
    users = users_file or workspace_root / "users.yaml"
    for name in _unique(config.enabled):
        groups = config.access_groups.get(name, [])
        registry.register(
            make_builtin(name, config, workspace_root, directory, today, users, groups)
        )
    for http in config.http:
        registry.register(HttpTool(http))
    return registry


def _unique(names: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(names))
