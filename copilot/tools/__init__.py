"""Tools the copilot may call for live facts (who is on call, is a service up, dates).

Every call goes through ``ToolRegistry.call``, which checks access, validates arguments and
turns every failure into a value, so the model can read a refusal but never trigger one.
"""

from copilot.tools.base import Tool, ToolResult
from copilot.tools.registry import ToolRegistry, build_registry

__all__ = ["Tool", "ToolRegistry", "ToolResult", "build_registry"]
