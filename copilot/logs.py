"""Logging: one request id per question on every log line, JSON lines if asked, no secrets.

A question passes through a surface, the router, one or more chains, the model client and the
verifier, several on worker threads. To find every line one question wrote, each line carries
the question's ``request_id`` (uuid4 hex): a surface opens ``request_scope()`` when a question
arrives (``Copilot.answer`` opens one itself if none is open), the id lives in a ``ContextVar``,
and ``RequestIdFilter`` copies it onto each record. The same id is the answer JSON's
``request_id`` and the audit entry's id, so an operator goes from a complaint to the log lines.

``COPILOT_LOG_FORMAT=json`` writes one JSON object a line (for Loki, Elasticsearch ...);
``text`` stays readable in a terminal. Either way ``SecretRedactor`` masks the configured
secrets' values, Slack tokens and passwords in URLs before a line is written: a library that
logs a request with its headers must not leak them.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TextIO

from pydantic import SecretStr

REQUEST_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "copilot_request_id", default=None
)
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"
MASK = "***"
_SLACK_TOKEN = re.compile(r"\bx(?:ox[abposr]|app)-[A-Za-z0-9-]+")
_URL_PASSWORD = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://[^:/@\s]+):[^@/\s]+@", re.I)
_BEARER = re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9._~+/=-]{8,}")


def new_request_id() -> str:
    return uuid.uuid4().hex


def current_request_id() -> str | None:
    return REQUEST_ID.get()


@contextmanager
def request_scope(request_id: str | None = None) -> Iterator[str]:
    """Make ``request_id`` (or the open one, or a new one) the current id until the block
    ends; nested scopes keep the outer id, so a surface's id survives ``Copilot.answer``."""
    chosen = request_id or REQUEST_ID.get() or new_request_id()
    token = REQUEST_ID.set(chosen)
    try:
        yield chosen
    finally:
        REQUEST_ID.reset(token)


class RequestIdFilter(logging.Filter):
    """Puts the current request id on every record (``-`` outside a question)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get() or "-"
        return True


class SecretRedactor(logging.Filter):
    """Masks secrets in the rendered message (and its arguments) before any handler writes
    it: the configured secret values, Slack tokens, bearer tokens, passwords in URLs."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._secrets = sorted({s for s in secrets if len(s) >= 6}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, MASK)
        text = _SLACK_TOKEN.sub(MASK, text)
        text = _BEARER.sub(lambda m: f"{m.group(1)} {MASK}", text)
        return _URL_PASSWORD.sub(lambda m: f"{m.group('scheme')}:{MASK}@", text)

    def filter(self, record: logging.LogRecord) -> bool:
        """Never raises: a filter's exception would reach the code that logged."""
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # arguments that do not fit the format string
            message = f"{record.msg} {record.args!r}"
        record.msg = self.redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC ISO), level, logger, message, request_id, and
    the exception's traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or "-",
            "thread": record.threadName,
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            data["exception"] = record.exc_text
        return json.dumps(data, ensure_ascii=False, default=str)


def secret_values(settings: Any) -> list[str]:
    """The values of every ``SecretStr`` setting (the model API key, the Slack tokens)."""
    values = (getattr(settings, name, None) for name in type(settings).model_fields)
    return [v.get_secret_value() for v in values if isinstance(v, SecretStr)]


_HANDLER_NAME = "copilot"


def configure_logging(
    level: str, fmt: str, secrets: Iterable[str] = (), stream: TextIO | None = None
) -> logging.Handler:
    """Install the copilot's one root handler (replacing one installed before, so calling it
    again, as each Streamlit rerun may, never doubles the lines)."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        root.removeHandler(old)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.addFilter(RequestIdFilter())
    handler.addFilter(SecretRedactor(secrets))
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    root.addHandler(handler)
    root.setLevel(level.upper())
    return handler
