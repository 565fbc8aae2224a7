"""Pending actions: writes the copilot proposed, run only when their asker confirms them.

A language model must never change data on its own say-so, and a user must see exactly what
will change before it does. So the tool chain does not run a write tool: it *proposes* the
validated call (``Actions.propose``), which is stored in the catalog's ``pending_actions``
table (schema v4) under an unguessable id, and the answer asks the user to confirm it.

``Actions.confirm`` then runs it for the same person only, before it expires, and at most
once: it *claims* the row with one atomic ``UPDATE ... WHERE status = 'pending' AND
expires_at > now``, so of two confirmations (a double click, Slack retrying a click, two bot
processes) exactly one runs the tool, and the other returns the first one's stored result.
The registry checks access, ``allow_writes`` and the arguments again when it runs, since
either may have changed since the proposal. Every confirmation and cancellation, allowed or
refused, becomes an audit entry.

Statuses: ``pending`` -> ``confirmed`` (claimed, running) -> ``done`` (result stored);
``pending`` -> ``cancelled``; ``pending`` -> ``expired`` (noticed when someone tries it).
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, cast

from sqlalchemy import and_, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from copilot import citations
from copilot.audit import AuditEntry, AuditLog, Surface, new_id
from copilot.chains.tools import tool_evidence
from copilot.errors import CopilotError
from copilot.llm import ToolCall
from copilot.tools.base import ToolResult
from copilot.tools.registry import PreparedCall, ToolRegistry
from copilot.types import Answer, PendingAction, Principal
from indexes.catalog import pending_actions_table as table

log = logging.getLogger(__name__)

ActionStatus = Literal["pending", "confirmed", "cancelled", "expired", "done"]
Verb = Literal["confirm", "cancel"]

_RESULT_CHARS = 500  # of a tool's result, quoted in the text that reports it
_WAIT_GRACE_S = 2.0  # beyond the tool's timeout, how long a second confirmation waits


class ActionError(CopilotError):
    """A confirmation or cancellation that cannot be done; the message says why and what to
    do. Surfaces show it as it is."""


class ActionNotFoundError(ActionError):
    """No action has this id."""


class ActionNotYoursError(ActionError):
    """The action was proposed to someone else."""


class ActionExpiredError(ActionError):
    """The action was not confirmed in time."""


class ActionClosedError(ActionError):
    """The action was cancelled (so it cannot run) or has run (so it cannot be cancelled)."""


class ActionInProgressError(ActionError):
    """An earlier confirmation is still running the tool."""


class ActionStoreError(ActionError):
    """The catalog database failed while reading or writing an action."""


@dataclass(frozen=True)
class ActionRecord:
    """One row of ``pending_actions``: the proposal, whose it is, where it stands."""

    action: PendingAction
    owner: str
    status: ActionStatus
    created_at: datetime
    result: ToolResult | None = None


def _now() -> datetime:
    return datetime.now(UTC)


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def owner_of(principal: Principal) -> str | None:
    """The one person a write can be proposed to (and confirmed by): a principal with exactly
    one member. A channel's audience has no single owner, anonymous has none."""
    if len(principal.members) != 1:
        return None
    return principal.members[0].email.strip().lower()


class ActionStore:
    """The SQL of ``pending_actions``; every database failure is an ``ActionStoreError``."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(self, action: PendingAction, owner: str, created_at: datetime) -> None:
        row = {
            "id": action.id,
            "tool": action.tool,
            "arguments": json.dumps(dict(action.arguments), sort_keys=True),
            "owner": owner,
            "created_at": _utc(created_at),
            "expires_at": _utc(action.expires_at),
            "status": "pending",
        }
        self._write(insert(table).values(**row))

    def get(self, action_id: str) -> ActionRecord | None:
        try:
            with self._engine.connect() as conn:
                row = conn.execute(select(table).where(table.c.id == action_id)).first()
        except SQLAlchemyError as exc:
            raise ActionStoreError(f"cannot read pending actions: {type(exc).__name__}") from exc
        return None if row is None else _record(row._mapping)

    def claim(self, action_id: str, owner: str, now: datetime) -> bool:
        """Pending, unexpired and ``owner``'s -> confirmed, atomically: True for exactly one
        of any number of concurrent callers."""
        return self._move(action_id, owner, now, "confirmed")

    def cancel(self, action_id: str, owner: str, now: datetime) -> bool:
        """Pending, unexpired and ``owner``'s -> cancelled, atomically."""
        return self._move(action_id, owner, now, "cancelled")

    def finish(self, action_id: str, result: ToolResult, now: datetime) -> None:
        """Confirmed -> done, with the tool's result (kept so a repeat returns it)."""
        statement = (
            update(table)
            .where(and_(table.c.id == action_id, table.c.status == "confirmed"))
            .values(status="done", result=result.to_json(), finished_at=_utc(now))
        )
        self._write(statement)

    def expire(self, action_id: str, now: datetime) -> None:
        """Pending past its expiry -> expired (so the table tells what never ran)."""
        statement = (
            update(table)
            .where(
                and_(
                    table.c.id == action_id,
                    table.c.status == "pending",
                    table.c.expires_at <= _utc(now),
                )
            )
            .values(status="expired", finished_at=_utc(now))
        )
        self._write(statement)

    def _move(self, action_id: str, owner: str, now: datetime, status: ActionStatus) -> bool:
        statement = (
            update(table)
            .where(
                and_(
                    table.c.id == action_id,
                    table.c.owner == owner,
                    table.c.status == "pending",
                    table.c.expires_at > _utc(now),
                )
            )
            .values(status=status, finished_at=None if status == "confirmed" else _utc(now))
        )
        return self._write(statement) == 1

    def _write(self, statement: Any) -> int:
        try:
            with self._engine.begin() as conn:
                return int(conn.execute(statement).rowcount or 0)
        except SQLAlchemyError as exc:
            raise ActionStoreError(f"cannot write pending actions: {type(exc).__name__}") from exc


def _record(row: Any) -> ActionRecord:
    action = PendingAction(
        id=row["id"],
        tool=row["tool"],
        arguments=json.loads(row["arguments"]),
        expires_at=_utc(row["expires_at"]),
    )
    return ActionRecord(
        action=action,
        owner=row["owner"],
        status=cast(ActionStatus, row["status"]),
        created_at=_utc(row["created_at"]),
        result=_result(row["result"]),
    )


def _result(raw: str | None) -> ToolResult | None:
    if raw is None:
        return None
    data = json.loads(raw)
    if data.get("ok"):
        return ToolResult.success(data.get("result", ""))
    return ToolResult.failure(str(data.get("error", "unknown error")))


class Actions:
    """Proposes writes and carries out their confirmation or cancellation (see the module
    docstring); ``Copilot.confirm`` and ``Copilot.cancel`` are this class's doors."""

    def __init__(
        self,
        store: ActionStore,
        registry: ToolRegistry,
        *,
        ttl: timedelta = timedelta(minutes=15),
        audit: AuditLog | None = None,
        clock: Callable[[], datetime] = _now,
        poll_s: float = 0.1,
    ) -> None:
        self._store = store
        self._registry = registry
        self._ttl = ttl
        self._audit = audit
        self._clock = clock
        self._poll_s = poll_s

    def propose(self, call: PreparedCall, principal: Principal) -> PendingAction:
        """Store ``call`` for ``principal``'s confirmation; nothing runs."""
        owner = owner_of(principal)
        if owner is None:
            raise ActionError(
                f"tool {call.tool.name!r} changes data, so it can be proposed to one person "
                "only, not to everyone who reads this conversation: ask in a direct message"
            )
        now = self._clock()
        action = PendingAction(
            id=secrets.token_urlsafe(24),
            tool=call.tool.name,
            arguments=call.arguments,
            expires_at=now + self._ttl,
        )
        self._store.add(action, owner, now)
        log.info("proposed %s to %s as action %s", action.tool, owner, action.id)
        return action

    def confirm(self, action_id: str, principal: Principal, *, surface: Surface) -> Answer:
        """Run the action for its owner (once), or return the result of the run that did."""
        return self._audited("confirm", action_id, principal, surface)

    def cancel(self, action_id: str, principal: Principal, *, surface: Surface) -> Answer:
        """Make sure the action never runs; cancelling twice is fine."""
        return self._audited("cancel", action_id, principal, surface)

    # -- confirm and cancel ---------------------------------------------------------------

    def _audited(
        self, verb: Verb, action_id: str, principal: Principal, surface: Surface
    ) -> Answer:
        started = time.perf_counter()
        try:
            if verb == "confirm":
                answer = self._confirm(action_id, principal)
            else:
                answer = self._cancel(action_id, principal)
        except ActionError as exc:
            self._record(verb, action_id, principal, surface, started, error=str(exc))
            raise
        error = answer.answer if answer.refused else None
        sources = [c.source_id for c in answer.citations]
        self._record(verb, action_id, principal, surface, started, error, sources, answer)
        return answer

    def _confirm(self, action_id: str, principal: Principal) -> Answer:
        record = self._owned(action_id, principal)
        if not self._store.claim(action_id, record.owner, self._clock()):
            return self._repeat(action_id, principal)
        action = record.action
        result = self._registry.call(action.tool, dict(action.arguments), principal, confirmed=True)
        try:
            self._store.finish(action_id, result, self._clock())
        except ActionStoreError as exc:  # it ran: the user must still see what it did
            log.error("action %s ran but its result was not stored: %s", action_id, exc)
        log.info("action %s (%s) ran: ok=%s", action_id, action.tool, result.ok)
        return ran_answer(action, result, principal)

    def _repeat(self, action_id: str, principal: Principal) -> Answer:
        """A confirmation that lost the claim: the first run's result, never a second run."""
        record = self._fresh(action_id)
        if record.status == "confirmed":
            record = self._await_result(record)
        if record.status == "done" and record.result is not None:
            return ran_answer(record.action, record.result, principal)
        summary = record.action.summary
        if record.status == "cancelled":
            raise ActionClosedError(
                f"{summary} was cancelled, so it will not run; ask again to propose it anew."
            )
        if record.status == "confirmed":
            raise ActionInProgressError(
                f"{summary} is already running after an earlier confirmation; its result "
                "is shown where it was confirmed."
            )
        self._store.expire(action_id, self._clock())
        expired = record.action.expires_at.strftime("%H:%M UTC")
        raise ActionExpiredError(
            f"This confirmation expired at {expired}, so {summary} did not run; ask again to "
            "get a new one."
        )

    def _await_result(self, record: ActionRecord) -> ActionRecord:
        """Another confirmation is running the tool: wait (as long as the tool may take)."""
        tool = self._registry.get(record.action.tool)
        deadline = time.monotonic() + (tool.timeout_s if tool else 0.0) + _WAIT_GRACE_S
        while record.status == "confirmed" and time.monotonic() < deadline:
            time.sleep(self._poll_s)
            record = self._fresh(record.action.id)
        return record

    def _cancel(self, action_id: str, principal: Principal) -> Answer:
        record = self._owned(action_id, principal)
        summary = record.action.summary
        if self._store.cancel(action_id, record.owner, self._clock()):
            log.info("action %s (%s) cancelled", action_id, record.action.tool)
            return _plain(f"cancel {summary}", f"Cancelled: {summary} did not run and will not.")
        record = self._fresh(action_id)
        if record.status == "cancelled":
            return _plain(f"cancel {summary}", f"Cancelled: {summary} did not run and will not.")
        if record.status in ("pending", "expired"):
            self._store.expire(action_id, self._clock())
            return _plain(f"cancel {summary}", f"{summary} had already expired; it never ran.")
        raise ActionClosedError(
            f"{summary} was already confirmed and has run (or is running), so it cannot be "
            "cancelled."
        )

    def _owned(self, action_id: str, principal: Principal) -> ActionRecord:
        """The action, if it is ``principal``'s; whose it is otherwise stays unsaid."""
        record = self._store.get(action_id) if action_id else None
        if record is None:
            raise ActionNotFoundError(
                f"there is no pending action {action_id!r}: check the id, or ask again"
            )
        if owner_of(principal) != record.owner:
            raise ActionNotYoursError(
                "this action was proposed to someone else: only they can confirm or cancel it"
            )
        return record

    def _fresh(self, action_id: str) -> ActionRecord:
        record = self._store.get(action_id)
        if record is None:  # it was there a moment ago; only an operator deletes rows
            raise ActionNotFoundError(f"pending action {action_id!r} has disappeared")
        return record

    # -- audit ------------------------------------------------------------------------------

    def _record(
        self,
        verb: Verb,
        action_id: str,
        principal: Principal,
        surface: Surface,
        started: float,
        error: str | None = None,
        source_ids: list[str] | None = None,
        answer: Answer | None = None,
    ) -> None:
        """One audit row per attempt; a failing audit log never undoes what already ran."""
        if self._audit is None:
            return
        entry = AuditEntry(
            id=new_id(),
            asked_at=_now(),  # the audit keeps wall time, whatever clock expiry uses
            asker=owner_of(principal) or principal.name,
            audience=None,
            surface=surface,
            question=f"{answer.question if answer else verb} (action {action_id})",
            route="tool",
            source_ids=source_ids or [],
            refused=error is not None,
            latency_ms=int((time.perf_counter() - started) * 1000),
            error=error,
        )
        try:
            self._audit.record(entry)
        except CopilotError as exc:
            log.error("audit: %s", exc)


def ran_answer(action: PendingAction, result: ToolResult, principal: Principal) -> Answer:
    """What running a confirmed action did, as an answer: its result quoted and cited as
    evidence (as the tool chain cites results), or the error, as a refusal."""
    question = f"confirm {action.summary}"
    if not result.ok:
        text = f"{action.summary} was confirmed but did not succeed: {result.error}"
        return Answer(question=question, answer=text, route="tool", citations=[], refused=True)
    call = ToolCall(id=action.id, name=action.tool, arguments=dict(action.arguments))
    evidence = tool_evidence(call, result, principal)
    # The citation comes from a bare marker: the quoted result may hold "[1]" of its own.
    cited = citations.resolve("[1]", (evidence,))[1]
    text = f"Done: I ran {action.summary}. It returned {_quoted(result.content)} [1]."
    return Answer(question=question, answer=text, route="tool", citations=cited)


def _plain(question: str, text: str) -> Answer:
    return Answer(question=question, answer=text, route="tool", citations=[])


def _quoted(content: dict[str, Any] | str) -> str:
    text = (
        content
        if isinstance(content, str)
        else json.dumps(content, ensure_ascii=False, sort_keys=True)
    )
    text = " ".join(text.split())
    return text if len(text) <= _RESULT_CHARS else text[: _RESULT_CHARS - 1] + "…"
