"""The connector interface: load documents (optionally only those changed since a time) and
list the ids that still exist, so a refresh can delete what vanished. A connector never
writes the index, and records per-file problems instead of failing the whole source.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Iterator
from datetime import datetime
from typing import Protocol

from copilot.types import Document

log = logging.getLogger(__name__)


class Connector(Protocol):
    name: str
    problems: list[str]

    def load(self, since: datetime | None = None) -> Iterator[Document]: ...

    def list_ids(self) -> Iterator[str]: ...


class BaseConnector(ABC):
    """Shared plumbing: a name, and a list of problems (a bad file is reported, not fatal)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.problems: list[str] = []

    def report_problem(self, where: str, reason: str) -> None:
        message = f"{where}: {reason}"
        if message not in self.problems:  # list_ids and load may both meet the same file
            log.warning("source %s skipped %s", self.name, message)
            self.problems.append(message)

    @abstractmethod
    def load(self, since: datetime | None = None) -> Iterator[Document]: ...

    def list_ids(self) -> Iterator[str]:
        """Ids of every document the source holds now; subclasses may do this more cheaply."""
        for doc in self.load(None):
            yield doc.id
