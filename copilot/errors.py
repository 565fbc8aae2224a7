"""One exception tree, so every surface can turn any failure into a clear message.

Each error carries a message that says what went wrong *and what to do about it*;
surfaces print ``str(error)`` and never a traceback for a ``CopilotError``.
"""

from __future__ import annotations


class CopilotError(Exception):
    """Base of every error the copilot raises on purpose."""

    exit_code = 1


class ConfigError(CopilotError):
    """The workspace or the environment is configured wrongly; the operator must fix it."""

    exit_code = 2


class UnknownUserError(ConfigError):
    """A user was named who is not in the workspace's users directory."""


class ConnectorError(CopilotError):
    """A source could not be read (dead server, unreadable export)."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"source {source!r}: {reason}")
        self.source = source
        self.reason = reason


class IndexNotReadyError(CopilotError):
    """The workspace has no built index yet."""


class ModelMissingError(CopilotError):
    """Model weights are not installed where they are expected."""


class EmbeddingBackendError(CopilotError):
    """The batch embedding backend (Ray) could not start, be reached, or finish the job.

    Not a ``ConfigError``: a cluster that is down tonight may be up tomorrow, so a refresh
    exits 1 (retried by the next run) with nothing changed."""


class LLMError(CopilotError):
    """The chat model failed in a way the caller should report."""


class LLMUnavailableError(LLMError):
    """The chat model server cannot be reached or did not start."""


class LLMTimeoutError(LLMError):
    """The chat model did not answer in time."""
