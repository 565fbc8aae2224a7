"""The chain base class: timing, logging and error wrapping, so subclasses write ``_run`` only."""

from __future__ import annotations

import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from copilot.errors import CopilotError
from copilot.types import Draft, Principal, Route

log = logging.getLogger(__name__)


class ChainError(CopilotError):
    """A chain failed for a reason that is not already a ``CopilotError``."""


@dataclass
class ChainContext:
    principal: Principal
    timings_ms: dict[str, int] = field(default_factory=dict)
    # The verifier's reasons when it asks for the answer again (chains that take feedback).
    feedback: str = ""
    # Told each stage's name as it starts (route, retrieve, generate, verify ...), so a surface
    # can show progress while the answer is still being checked (the Streamlit page does).
    on_stage: Callable[[str], None] | None = None

    def stage(self, name: str) -> None:
        if self.on_stage is not None:
            self.on_stage(name)

    @contextmanager
    def timed(self, stage: str) -> Iterator[None]:
        self.stage(stage)
        started = time.perf_counter()
        try:
            yield
        finally:
            elapsed = int((time.perf_counter() - started) * 1000)
            self.timings_ms[stage] = self.timings_ms.get(stage, 0) + elapsed


class Chain(ABC):
    route: Route
    # Whether ``_run`` uses ``context.feedback``; the verifier regenerates only through these.
    accepts_feedback: bool = False

    def run(self, question: str, context: ChainContext) -> Draft:
        log.info("chain %s: %r for %s", self.route, question, context.principal.name)
        try:
            return self._run(question, context)
        except CopilotError:
            raise
        except Exception as exc:
            log.exception("chain %s failed", self.route)
            raise ChainError(f"the {self.route} chain failed: {type(exc).__name__}: {exc}") from exc

    @abstractmethod
    def _run(self, question: str, context: ChainContext) -> Draft: ...
