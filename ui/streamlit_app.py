"""The Streamlit chat page: ``copilot ui --workspace W`` (or ``streamlit run
ui/streamlit_app.py -- --workspace W``).

A chat with history per browser session (and per asker), progress by stage while the copilot
works, the answer with each ``[n]`` linked to its source, route and verified badges, the SQL
and its result table for SQL answers, a sources panel with snippets, and 👍/👎 feedback (with
an optional reason) stored in the audit log. An answer that proposes a write (a tool that
changes data) has Confirm and Cancel buttons, which settle it for the signed-in user and show
what came of it under the answer. Admins (``COPILOT_UI_ADMIN_GROUP``) also get a
view of the sources, the last refresh, index counts and recent audit entries.

**Why the answer is not streamed token by token.** The verifier checks every sentence
against its sources *after* the draft is complete and drops or rewrites what it cannot
support; streaming the model's tokens would show readers sentences the copilot then
withdraws, the very claims the verifier exists to stop. So the page shows each stage as it
starts (routing, retrieving, drafting, verifying) and then streams the *verified* text word
by word, which keeps the page lively without ever showing an unchecked claim.

The workspace (embedder, catalog, users) and the chat model are built once per process with
``st.cache_resource``; the embedded model server, if used, stays up for the process's life and
is stopped at exit. The copilot itself is rebuilt when the index version changes, so a
nightly refresh reaches the page without a restart. Identity rules are in
``ui/web_identity.py``; what is shown for an answer is decided in ``ui/chat_view.py``.
"""

from __future__ import annotations

import argparse
import atexit
import logging
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Final, Literal

import streamlit as st

from copilot.audit import AuditLog
from copilot.config import Settings
from copilot.copilot import Copilot, Workspace
from copilot.errors import ConfigError, CopilotError
from copilot.llm import ChatModel, open_chat_model
from copilot.logs import configure_logging, current_request_id, request_scope, secret_values
from copilot.metrics import Metrics, process_metrics, serve_configured
from copilot.types import Answer
from ui import admin_view, chat_view, web_identity
from ui.web_identity import Identity

log = logging.getLogger("copilot.ui.streamlit")

SURFACE: Final = "streamlit"
CHAT, ADMIN = "Chat", "Admin"


@dataclass
class Served:
    """What one process shares between sessions: the workspace and the open chat model."""

    workspace: Workspace
    chat: ChatModel
    audit: AuditLog
    stack: ExitStack
    metrics: Metrics


@dataclass
class Turn:
    """One question and what came of it, kept in the session's history."""

    question: str
    answer: Answer | None
    error: str | None = None
    audit_id: str | None = None
    feedback: str | None = None
    reason_sent: bool = False
    feedback_error: str | None = None
    # What confirming or cancelling the answer's proposed write did, or why it could not.
    outcome: Answer | None = None
    outcome_error: str | None = None


Decision = Literal["confirm", "cancel"]
Decide = Callable[[Turn, Decision], None]


def workspace_arg(argv: Sequence[str]) -> Path:
    """The ``--workspace`` after ``--`` on the ``streamlit run`` line (other args ignored)."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--workspace", type=Path)
    args, _ = parser.parse_known_args(list(argv))
    if args.workspace is None:
        raise ConfigError(
            "the chat page needs a workspace: run `copilot ui --workspace W` "
            "(or `streamlit run ui/streamlit_app.py -- --workspace W`)"
        )
    return Path(args.workspace)


@st.cache_resource(show_spinner="Loading the workspace…")
def _served(key: str, _settings: Settings) -> Served:
    """Once per process and settings (``key``): the chat model is entered here and closed at
    exit, so the embedded server starts once (on the first question) and never per rerun.
    The logging setup and the metrics endpoint likewise happen once per process."""
    configure_logging(_settings.log_level, _settings.log_format, secret_values(_settings))
    serve_configured(_settings.metrics_host, _settings.metrics_port)
    stack = ExitStack()
    chat = stack.enter_context(open_chat_model(_settings, _settings.resolved_data_dir))
    atexit.register(stack.close)
    workspace = Workspace(_settings)
    audit = AuditLog.from_catalog(workspace.catalog)
    return Served(workspace, chat, audit, stack, process_metrics())


@st.cache_resource(show_spinner="Loading the index…", max_entries=1)
def _copilot(key: str, version: int | None, _served: Served) -> Copilot:
    """One copilot per index version: a refresh's new version is picked up on the next run."""
    return _served.workspace.copilot(_served.chat)


def served_key(settings: Settings) -> str:
    """What the shared resources depend on: every setting but the page's own (``ui_*``),
    which are read afresh on each run, so changing one never reloads the model."""
    page_only = {name for name in Settings.model_fields if name.startswith("ui_")}
    return settings.model_dump_json(exclude=page_only)


def copilot_for(settings: Settings, served: Served) -> Copilot:
    version = served.workspace.catalog.active_version()
    return _copilot(served_key(settings), version, served)


# -- identity and navigation --------------------------------------------------------------


def current_identity(settings: Settings, served: Served) -> Identity:
    """The proxy's header when one is configured (refusing without it), else the picker."""
    directory = served.workspace.directory
    header = web_identity.trusted_header(settings)
    if header is not None:
        identity = web_identity.from_header(header, st.context.headers.to_dict(), directory)
        st.sidebar.markdown(f"Signed in as **{chat_view.escape_markdown(identity.name)}**")
        st.sidebar.text(identity.email or "")
        return identity
    email = st.sidebar.selectbox(
        "Asking as",
        web_identity.picker_options(directory),
        format_func=lambda e: web_identity.picker_label(directory, e),
        key="asker",
        help="Local use: answers use only the sources this user may see. Deployed behind a "
        "sign-in proxy, the proxy names the user instead (COPILOT_UI_TRUSTED_USER_HEADER).",
    )
    return web_identity.from_picker(email, directory)


def choose_view(identity: Identity, settings: Settings) -> str:
    """Admins choose between the chat and the admin view; everyone else gets the chat (the
    choice is not even rendered, and a stale choice in the session is ignored)."""
    if not web_identity.is_admin(identity, settings):
        return CHAT
    return str(st.sidebar.radio("View", [CHAT, ADMIN], key="view"))


# -- the chat -----------------------------------------------------------------------------


def render_chat(settings: Settings, served: Served, identity: Identity) -> None:
    st.title("copilot")
    st.caption(
        f"Answers from {chat_view.escape_markdown(settings.ws.name)}'s documents, Slack and "
        "databases, using only what you may see. Each [n] links to its source."
    )
    key = chat_view.history_key(identity.email)
    if st.sidebar.button("New conversation", key="new-conversation"):
        st.session_state[key] = []
    history: list[Turn] = st.session_state.setdefault(key, [])
    decide = partial(settle_action, settings=settings, served=served, identity=identity)
    for turn in history:
        render_turn(turn, served.audit, decide)
    question = st.chat_input("Ask a question")
    if question and question.strip():
        turn = ask(question.strip(), settings, served, identity, decide)
        history.append(turn)


def render_turn(turn: Turn, audit: AuditLog, decide: Decide) -> None:
    with st.chat_message("user"):
        st.markdown(chat_view.escape_markdown(turn.question))
    with st.chat_message("assistant"):
        if turn.answer is None:
            st.error(turn.error or "No answer.")
            return
        st.markdown(chat_view.answer_markdown(turn.answer))
        render_details(turn, audit, decide)


def ask(
    question: str, settings: Settings, served: Served, identity: Identity, decide: Decide
) -> Turn:
    """Answer live: the question, the stages as they start, then the verified text streamed."""
    with st.chat_message("user"):
        st.markdown(chat_view.escape_markdown(question))
    with st.chat_message("assistant"):
        turn = _answer_with_progress(question, settings, served, identity)
        if turn.answer is None:
            st.error(turn.error or "No answer.")
            return turn
        markdown = chat_view.answer_markdown(turn.answer)
        st.write_stream(_paced(chat_view.stream_chunks(markdown), settings.ui_stream_delay_s))
        render_details(turn, served.audit, decide)
    return turn


def _answer_with_progress(
    question: str, settings: Settings, served: Served, identity: Identity
) -> Turn:
    """One request id for the question's log lines, its answer and its audit row."""
    started = time.perf_counter()
    with request_scope(), st.status(chat_view.stage_label("route") + "…") as status:
        try:
            copilot = copilot_for(settings, served)
            answer = copilot.answer(
                question,
                identity.principal(),
                on_stage=lambda s: status.update(label=chat_view.stage_label(s) + "…"),
            )
        except Exception as exc:  # never a traceback on the page; the audit log has the row
            status.update(label="Could not answer", state="error")
            served.metrics.record_error(exc)
            return _failed(question, exc, served.audit, identity, started)
        status.update(label=chat_view.done_label(answer), state="complete")
        served.metrics.record_answer(answer, SURFACE)
    return Turn(question, answer, audit_id=_record(answer, served.audit, identity))


def _paced(chunks: Iterator[str], delay_s: float) -> Iterator[str]:
    for chunk in chunks:
        yield chunk
        if delay_s > 0:
            time.sleep(delay_s)


def _record(answer: Answer, audit: AuditLog, identity: Identity) -> str | None:
    """The audit row; a failing log is reported, and the answer still shown (no feedback)."""
    try:
        return audit.record_answer(answer, surface=SURFACE, asker=identity.email)
    except CopilotError as exc:
        log.warning("%s", exc)
        return None


def _failed(
    question: str, exc: Exception, audit: AuditLog, identity: Identity, started: float
) -> Turn:
    if isinstance(exc, CopilotError):
        message = str(exc)
    else:
        log.exception("answering %r failed", question)
        message = f"Something went wrong ({type(exc).__name__}); the logs have the details."
    try:
        audit_id = audit.record_failure(
            question,
            message,
            surface=SURFACE,
            asker=identity.email,
            latency_ms=int((time.perf_counter() - started) * 1000),
            entry_id=current_request_id(),
        )
        message += f" (audit reference {audit_id})"
    except CopilotError as audit_exc:
        log.warning("%s", audit_exc)
    return Turn(question, None, error=message)


def render_details(turn: Turn, audit: AuditLog, decide: Decide) -> None:
    """Everything under the answer text: badges, SQL and its table, sources, Confirm /
    Cancel for a proposed write, feedback."""
    answer = turn.answer
    assert answer is not None
    badges = st.container(horizontal=True)
    for badge in chat_view.answer_badges(answer):
        with badges:
            st.badge(badge.label, icon=badge.icon or None, color=badge.color)
    if answer.sql:
        st.code(answer.sql, language="sql")
        result = chat_view.result_view(answer)
        if result is not None:
            st.dataframe(result.records(), hide_index=True)
            if result.truncated:
                st.caption("More rows exist than are shown (the query's row limit).")
    render_sources(answer)
    render_action(turn, decide)
    st.caption(chat_view.escape_markdown(chat_view.timing_caption(answer)))
    render_feedback(turn, audit)


def render_sources(answer: Answer) -> None:
    heading = chat_view.sources_heading(answer)
    if not heading:
        return
    with st.expander(heading, expanded=True):
        for item in chat_view.source_items(answer):
            st.markdown(item.markdown())
            if item.snippet:
                st.caption(chat_view.escape_markdown(item.snippet))


# -- proposed writes ----------------------------------------------------------------------


def render_action(turn: Turn, decide: Decide) -> None:
    """Confirm / Cancel under a proposed write until it is settled, then what came of it."""
    answer = turn.answer
    action = answer.pending_action if answer else None
    if answer is None or action is None:
        return
    if turn.outcome is None:
        buttons = st.container(horizontal=True)
        with buttons:
            st.button(
                "Confirm",
                key=f"action-confirm-{action.id}",
                type="primary",
                on_click=decide,
                args=(turn, "confirm"),
            )
            st.button(
                "Cancel", key=f"action-cancel-{action.id}", on_click=decide, args=(turn, "cancel")
            )
        st.caption(chat_view.action_caption(answer))
    if turn.outcome_error:
        st.warning(chat_view.escape_markdown(turn.outcome_error))
    if turn.outcome is not None:
        report = chat_view.answer_markdown(turn.outcome)
        if turn.outcome.refused:
            st.error(report)
        else:
            st.success(report)
        render_sources(turn.outcome)


def settle_action(
    turn: Turn, decision: Decision, *, settings: Settings, served: Served, identity: Identity
) -> None:
    """A Confirm or Cancel click (``on_click``, so the outcome shows on the rerun it causes):
    the copilot settles the action for the signed-in user, who must be the one it was
    proposed to; a refusal (expired, someone else's) is kept to be shown, never raised."""
    action = turn.answer.pending_action if turn.answer else None
    if action is None:
        return
    copilot = copilot_for(settings, served)
    settle = copilot.confirm if decision == "confirm" else copilot.cancel
    try:
        turn.outcome = settle(action.id, identity.principal(), surface=SURFACE)
        turn.outcome_error = None
    except CopilotError as exc:
        turn.outcome_error = str(exc)


# -- feedback -----------------------------------------------------------------------------


def render_feedback(turn: Turn, audit: AuditLog) -> None:
    if turn.audit_id is None:
        return
    buttons = st.container(horizontal=True)
    with buttons:
        for value, label in (("up", "👍"), ("down", "👎")):
            st.button(
                label,
                key=f"feedback-{value}-{turn.audit_id}",
                type="primary" if turn.feedback == value else "secondary",
                on_click=_store_feedback,
                args=(turn, value, audit),
                help="Helpful" if value == "up" else "Not helpful",
            )
    if turn.feedback_error:
        st.warning(turn.feedback_error)
    if turn.feedback == "down" and not turn.reason_sent:
        reason_key = f"reason-{turn.audit_id}"
        st.text_input("What was wrong? (optional)", key=reason_key)
        st.button(
            "Send reason",
            key=f"send-reason-{turn.audit_id}",
            on_click=_store_reason,
            args=(turn, reason_key, audit),
        )
    elif turn.feedback:
        st.caption("Thanks, your feedback is recorded.")


def _store_feedback(turn: Turn, value: str, audit: AuditLog) -> None:
    assert turn.audit_id is not None
    try:
        audit.set_feedback(turn.audit_id, "up" if value == "up" else "down")
        turn.feedback, turn.reason_sent, turn.feedback_error = value, False, None
    except CopilotError as exc:
        turn.feedback_error = f"Feedback was not recorded: {exc}"


def _store_reason(turn: Turn, reason_key: str, audit: AuditLog) -> None:
    """Reads the reason from the session when clicked, not from the run that drew the button
    (which may predate the typing)."""
    assert turn.audit_id is not None
    reason = str(st.session_state.get(reason_key, ""))
    try:
        if reason.strip():
            audit.set_feedback_reason(turn.audit_id, reason)
        turn.reason_sent, turn.feedback_error = True, None
    except CopilotError as exc:
        turn.feedback_error = f"The reason was not recorded: {exc}"


# -- admin --------------------------------------------------------------------------------


def render_admin(settings: Settings, served: Served) -> None:
    """Sources, the index's size, the last refresh and recent questions, for operators."""
    catalog = served.workspace.catalog
    st.title("Admin")
    st.subheader("Sources")
    st.dataframe(admin_view.source_rows(settings.ws.sources), hide_index=True)
    st.subheader("Index")
    counts = catalog.counts()
    columns = st.columns(3)
    columns[0].metric("Documents", counts.get("documents", 0))
    columns[1].metric("Chunks", counts.get("chunks", 0))
    columns[2].metric("Index version", str(catalog.active_version() or "none"))
    render_refresh(admin_view.refresh_summary(catalog.last_run()))
    st.subheader("Recent questions")
    since = admin_view.audit_since(datetime.now(UTC))
    rows = admin_view.audit_rows(served.audit.entries(since))
    if rows:
        st.dataframe(rows, hide_index=True)
    else:
        st.info(f"No questions in the last {admin_view.RECENT_AUDIT_DAYS} days.")


def render_refresh(summary: admin_view.RefreshSummary | None) -> None:
    st.subheader("Last refresh")
    if summary is None:
        st.info("No refresh has run yet: `copilot ingest --workspace W`.")
        return
    st.markdown(chat_view.escape_markdown(summary.headline()))
    for source, reason in summary.failed.items():
        st.error(chat_view.escape_markdown(f"{source} failed: {reason}"))
    for problem in summary.problems:
        st.warning(chat_view.escape_markdown(f"skipped in {problem}"))


# -- the page -----------------------------------------------------------------------------


def main() -> None:
    st.set_page_config(page_title="copilot", page_icon="💬")
    try:
        settings = Settings.load(workspace_arg(sys.argv[1:]))
        served = _served(served_key(settings), settings)
        identity = current_identity(settings, served)
        if choose_view(identity, settings) == ADMIN:
            render_admin(settings, served)
        else:
            render_chat(settings, served, identity)
    except CopilotError as exc:
        st.error(str(exc))


if __name__ == "__main__":
    main()
