"""The chain base class: timing, logging and error wrapping, so subclasses write ``_run`` only."""

from __future__ import annotations

import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator
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

    @contextmanager
    def timed(self, stage: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            elapsed = int((time.perf_counter() - started) * 1000)
            self.timings_ms[stage] = self.timings_ms.get(stage, 0) + elapsed


class Chain(ABC):
    route: Route

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
