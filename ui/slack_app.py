"""The Slack bot: a slack-bolt ``App`` around the copilot, in Socket Mode or HTTP Events mode.

Slack wants an acknowledgement within three seconds and an answer takes longer, so events are
acknowledged at once and answered on a worker thread (Bolt's ``listener_executor``, which the
bot owns). Before that, a global middleware *claims* the message (``EventClaims``): Slack's
retries and a message delivered as two events are dropped there, so nothing answers twice.

A question is answered in its thread (DMs too, so a follow-up there keeps its context) for the
audience that will read it (``slack_audience``): the asker in a DM, every possible reader in a
channel. A follow-up in a thread the bot has answered is asked as "previous question + this
one", which gives retrieval and the router the topic without a model call to rewrite it. The
bot shows 👀 while it works, and every failure, including a rate limit, posts a short message
in the thread: the bot is never silent. Each question becomes an audit entry, and the 👍 / 👎
buttons under an answer (with an optional reason in a modal) store feedback on that entry.

An answer that proposes a write (a tool that changes data) carries Confirm and Cancel buttons
whose value is the pending action's id. A click is acknowledged at once, the clicking Slack
user is mapped to a principal exactly as the asker of a DM is, and the copilot confirms or
cancels for them (only the person it was proposed to may; a repeated click never runs the tool
twice). The buttons are then replaced by who decided, and the outcome is posted in the thread;
a refusal (someone else's action, an expired one) is shown to the clicker alone.
"""

from __future__ import annotations

import logging
import math
import re
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal, Protocol

from slack_bolt import App, BoltResponse
from slack_bolt.request import BoltRequest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from copilot.actions import ActionError
from copilot.audit import AuditError, AuditLog, Feedback, Surface, new_id
from copilot.config import Settings
from copilot.directory import UserDirectory
from copilot.errors import CopilotError, IndexNotReadyError, LLMError, LLMTimeoutError
from copilot.logs import current_request_id, request_scope
from copilot.metrics import Metrics, process_metrics, serve_configured
from copilot.types import Answer, Principal
from ui.slack_audience import Audience, AudienceResolver
from ui.slack_blocks import (
    ACTION_CANCEL,
    ACTION_CONFIRM,
    FEEDBACK_DOWN,
    FEEDBACK_REASON_ACTION,
    FEEDBACK_REASON_BLOCK,
    FEEDBACK_REASON_VIEW,
    FEEDBACK_UP,
    SlackMessage,
    decided_by,
    escape,
    feedback_reason_view,
    render_answer,
    render_notice,
    render_outcome,
    settled_blocks,
)
from ui.slack_guards import EventClaims, RateLimiter

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
WORKING_REACTION = "eyes"
MAX_THREAD_PAGES = 10
HELP = "Ask me a question after the mention, e.g. “@copilot how long are VPN certificates valid?”"


class SlackBotError(CopilotError):
    """The Slack bot cannot start (missing or rejected tokens)."""

    exit_code = 2


class Answerer(Protocol):
    """What the bot needs of the copilot (``Copilot`` is one; tests may script another)."""

    def answer(self, question: str, principal: Principal, *, qid: str | None = None) -> Answer: ...

    def confirm(self, action_id: str, principal: Principal, *, surface: Surface) -> Answer: ...

    def cancel(self, action_id: str, principal: Principal, *, surface: Surface) -> Answer: ...


Decision = Literal["confirm", "cancel"]


@dataclass(frozen=True)
class Asked:
    """A question as it arrived: who, where, which message, and its thread."""

    user_id: str
    channel: str
    ts: str
    thread_ts: str | None
    text: str
    is_dm: bool

    @property
    def reply_thread(self) -> str:
        return self.thread_ts or self.ts

    @property
    def key(self) -> str:
        return f"{self.channel}:{self.ts}"


def asked_from_event(event: dict[str, Any]) -> Asked | None:
    """The question in an ``app_mention`` or a DM ``message`` event, or None if it is not one
    (edits, joins, bot posts, messages in channels without a mention)."""
    if event.get("subtype") or event.get("bot_id") or not event.get("user"):
        return None
    is_dm = event.get("type") == "message" and event.get("channel_type") == "im"
    if not (event.get("type") == "app_mention" or is_dm):
        return None
    return Asked(
        user_id=str(event["user"]),
        channel=str(event.get("channel", "")),
        ts=str(event.get("ts", "")),
        thread_ts=str(event["thread_ts"]) if event.get("thread_ts") else None,
        text=str(event.get("text", "")),
        is_dm=is_dm,
    )


_LINK = re.compile(r"<([^<>|]+)\|([^<>]+)>")
_BARE = re.compile(r"<([^<>|]+)>")


def clean_text(text: str, bot_user_id: str | None) -> str:
    """Slack's markup back to plain words: the bot's mention dropped, links to their labels."""
    if bot_user_id:
        text = text.replace(f"<@{bot_user_id}>", " ")
    text = _LINK.sub(lambda m: m.group(2), text)
    text = _BARE.sub(lambda m: m.group(1), text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return " ".join(text.split())


def previous_question(
    messages: Sequence[dict[str, Any]], before_ts: str, is_bot: Callable[[dict[str, Any]], bool]
) -> str | None:
    """The last human question the bot answered before ``before_ts`` in a thread, or None
    if the bot has not answered there (then the thread is not its conversation)."""
    earlier = [m for m in messages if _ts(m) < float(before_ts)]
    question: str | None = None
    pending: str | None = None
    for message in earlier:
        if is_bot(message):
            if pending:
                question = pending
        elif message.get("text"):
            pending = str(message["text"])
    return question


def _ts(message: dict[str, Any]) -> float:
    try:
        return float(message.get("ts", 0))
    except (TypeError, ValueError):
        return 0.0


def failure_text(exc: BaseException, reference: str) -> str:
    """What the asker reads when answering failed: short, what to do, and a reference the
    operator can find in the audit log and the logs (never a stack trace or a secret)."""
    if isinstance(exc, LLMTimeoutError):
        return "The language model took too long to answer. Please try again in a minute."
    if isinstance(exc, LLMError):
        return "The language model is not answering right now. Please try again in a few minutes."
    if isinstance(exc, IndexNotReadyError):
        return "My index is not built yet: an admin needs to run `copilot ingest`."
    return (
        f"Sorry, something went wrong while answering. An admin can look up reference {reference}."
    )


class _TrackingExecutor(ThreadPoolExecutor):
    """A thread pool that remembers what it still runs, so tests and shutdown can drain it."""

    def __init__(self, max_workers: int) -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix="copilot-slack")
        self._pending: set[Future[Any]] = set()
        self._pending_lock = threading.Lock()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future = super().submit(fn, *args, **kwargs)
        with self._pending_lock:
            self._pending.add(future)
        future.add_done_callback(self._forget)
        return future

    def _forget(self, future: Future[Any]) -> None:
        with self._pending_lock:
            self._pending.discard(future)

    def drain(self, timeout_s: float) -> bool:
        """Wait for everything submitted so far (and what it submits); True if all finished."""
        deadline = time.monotonic() + timeout_s
        while True:
            with self._pending_lock:
                pending = set(self._pending)
            if not pending:
                return True
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            wait(pending, timeout=left)


class SlackBot:
    """The Bolt app and what it needs; ``app`` is what Socket Mode or HTTP hands requests to."""

    def __init__(
        self,
        copilot: Answerer,
        directory: UserDirectory,
        audit: AuditLog,
        settings: Settings,
        *,
        claims: EventClaims | None = None,
        resolver: AudienceResolver | None = None,
        clock: Callable[[], float] = time.monotonic,
        metrics: Metrics | None = None,
    ) -> None:
        token, signing_secret = slack_secrets(settings)
        self.copilot = copilot
        self.metrics = metrics or process_metrics()
        self.directory = directory
        self.audit = audit
        self.client = WebClient(token=token, base_url=settings.slack_api_url)
        self.resolver = resolver or AudienceResolver(self.client, directory)
        self.claims = claims or EventClaims()
        self.limiter = RateLimiter(
            settings.slack_rate_per_minute, settings.slack_rate_burst, clock=clock
        )
        self.executor = _TrackingExecutor(max(1, settings.slack_workers))
        self.app = self._build_app(signing_secret)

    def _build_app(self, signing_secret: str | None) -> App:
        """The Bolt app; it takes the token from ``self.client`` and checks it on the first
        event (``auth.test`` with the token in a header, which slack_sdk redacts in logs)."""
        app = App(
            # Bolt pins the level of the logger named after the app to the root's on every
            # request; "copilot" would silence the copilot's own INFO lines (COPILOT_LOG_LEVEL).
            name="copilot-slack-bolt",
            signing_secret=signing_secret,
            client=self.client,
            token_verification_enabled=False,
            request_verification_enabled=signing_secret is not None,
            listener_executor=self.executor,
        )
        app.middleware(self._drop_duplicates)
        app.event("app_mention")(self._on_event)
        app.event("message")(self._on_event)
        app.action(FEEDBACK_UP)(self._on_feedback_up)
        app.action(FEEDBACK_DOWN)(self._on_feedback_down)
        app.view(FEEDBACK_REASON_VIEW)(self._on_feedback_reason)
        app.action(ACTION_CONFIRM)(self._on_confirm)
        app.action(ACTION_CANCEL)(self._on_cancel)
        return app

    def drain(self, timeout_s: float = 60.0) -> bool:
        return self.executor.drain(timeout_s)

    # -- events -----------------------------------------------------------------------------

    def _drop_duplicates(
        self, body: dict[str, Any], request: BoltRequest, next: Callable[[], None]
    ) -> BoltResponse | None:
        """Ack and drop a message already claimed (a retry, or its twin event)."""
        event = body.get("event") if body.get("type") == "event_callback" else None
        asked = asked_from_event(event) if isinstance(event, dict) else None
        if asked is not None and not self.claims.claim(asked.key):
            retry = (request.headers.get("x-slack-retry-num") or ["0"])[0]
            log.info("dropped a repeated delivery of %s (retry %s)", asked.key, retry)
            return BoltResponse(status=200, body="")
        next()
        return None

    def _on_event(self, event: dict[str, Any], context: dict[str, Any]) -> None:
        """Runs on a worker thread, after Bolt has acknowledged the event."""
        asked = asked_from_event(event)
        if asked is not None:
            self.handle(asked, context.get("bot_user_id"), context.get("bot_id"))

    def handle(self, asked: Asked, bot_user_id: str | None, bot_id: str | None = None) -> None:
        """Answer one question in its thread under its own request id (every log line of it
        carries the id, which is also its audit entry's id and a failure's reference)."""
        with request_scope():
            log.info("question %s from %s", asked.key, asked.user_id)
            self._handle(asked, bot_user_id, bot_id)

    def _handle(self, asked: Asked, bot_user_id: str | None, bot_id: str | None) -> None:
        """Whatever fails, the asker reads why."""
        started = time.perf_counter()
        question = clean_text(asked.text, bot_user_id)
        if not question:
            self._post(asked, render_notice(HELP, emoji=":wave:"))
            return
        wait_s = self.limiter.take(asked.user_id)
        if wait_s > 0:
            self._rate_limited(asked, question, wait_s)
            return
        self._react("add", asked)
        try:
            self._answer(asked, question, bot_user_id, bot_id, started)
        except Exception as exc:  # never silent: every failure is posted and logged
            self._failed(asked, question, exc, started)
        finally:
            self._react("remove", asked)

    def _answer(
        self,
        asked: Asked,
        question: str,
        bot_user_id: str | None,
        bot_id: str | None,
        started: float,
    ) -> None:
        audience = self._audience(asked, bot_user_id)
        question = self._with_thread_context(asked, question, bot_user_id, bot_id)
        answer = self.copilot.answer(question, audience.principal)
        self.metrics.record_answer(answer, "slack")
        audit_id = answer.request_id or current_request_id() or new_id()
        self._post(asked, render_answer(answer, audit_id=audit_id, note=audience.note))
        self._record(answer, asked, audience, started, audit_id)

    def _audience(self, asked: Asked, bot_user_id: str | None) -> Audience:
        if asked.is_dm:
            return self.resolver.for_user(asked.user_id)
        return self.resolver.for_channel(asked.channel, asked.user_id, bot_user_id)

    def _with_thread_context(
        self, asked: Asked, question: str, bot_user_id: str | None, bot_id: str | None
    ) -> str:
        """Prefix the question the bot last answered in this thread, if it answered there."""
        if not asked.thread_ts or asked.thread_ts == asked.ts or not bot_user_id:
            return question

        def is_bot(message: dict[str, Any]) -> bool:
            return message.get("user") == bot_user_id or (
                bot_id is not None and message.get("bot_id") == bot_id
            )

        try:
            messages = self._thread(asked.channel, asked.thread_ts)
        except (SlackApiError, SlackClientError, KeyError) as exc:
            log.warning("cannot read thread %s: %s", asked.thread_ts, exc.__class__.__name__)
            return question
        previous = previous_question(messages, asked.ts, is_bot)
        return f"{clean_text(previous, bot_user_id)} {question}" if previous else question

    def _thread(self, channel: str, thread_ts: str) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = []
        cursor = ""
        for _ in range(MAX_THREAD_PAGES):
            response = self.client.conversations_replies(
                channel=channel, ts=thread_ts, limit=200, cursor=cursor or None
            )
            messages.extend(m for m in response["messages"] if isinstance(m, dict))
            cursor = str((response.get("response_metadata") or {}).get("next_cursor") or "")
            if not cursor:
                break
        return messages

    # -- outcomes ---------------------------------------------------------------------------

    def _asker(self, user_id: str) -> str:
        listed = self.directory.by_slack_id(user_id)
        return listed.email if listed else f"slack:{user_id}"

    def _record(
        self, answer: Answer, asked: Asked, audience: Audience, started: float, audit_id: str
    ) -> None:
        try:
            self.audit.record_answer(
                answer,
                surface="slack",
                asker=self._asker(asked.user_id),
                audience=None if asked.is_dm else audience.label,
                latency_ms=_ms_since(started),
                entry_id=audit_id,
            )
        except AuditError as exc:
            log.error("audit: %s", exc)

    def _record_failure(self, asked: Asked, question: str, error: str, started: float) -> str:
        try:
            return self.audit.record_failure(
                question,
                error,
                surface="slack",
                asker=self._asker(asked.user_id),
                audience=None if asked.is_dm else f"channel:{asked.channel}",
                latency_ms=_ms_since(started),
                entry_id=current_request_id(),
            )
        except AuditError as exc:
            log.error("audit: %s", exc)
            return new_id()

    def _rate_limited(self, asked: Asked, question: str, wait_s: float) -> None:
        seconds = max(1, math.ceil(wait_s))
        self._record_failure(asked, question, "rate limited", time.perf_counter())
        text = f"You are asking faster than I can answer well. Please ask again in {seconds} s."
        self._post(asked, render_notice(text, emoji=":hourglass:"))

    def _failed(self, asked: Asked, question: str, exc: Exception, started: float) -> None:
        reason = f"{exc.__class__.__name__}: {exc}"
        self.metrics.record_error(exc)
        reference = self._record_failure(asked, question, reason[:2000], started)
        log.error("answering %s failed (reference %s)", asked.key, reference, exc_info=exc)
        try:
            self._post(asked, render_notice(failure_text(exc, reference)))
        except (SlackApiError, SlackClientError) as post_error:
            log.error("could not post the failure message: %s", post_error.__class__.__name__)

    def _post(self, asked: Asked, message: SlackMessage) -> None:
        self._post_to(asked.channel, asked.reply_thread, message)

    def _post_to(self, channel: str, thread_ts: str | None, message: SlackMessage) -> None:
        self.client.chat_postMessage(
            channel=channel,
            thread_ts=thread_ts,
            text=message.text,
            blocks=message.blocks,
            unfurl_links=False,
            unfurl_media=False,
        )

    def _react(self, verb: str, asked: Asked) -> None:
        """👀 on the question while the bot works; a reaction that fails is only logged."""
        call = self.client.reactions_add if verb == "add" else self.client.reactions_remove
        try:
            call(channel=asked.channel, timestamp=asked.ts, name=WORKING_REACTION)
        except (SlackApiError, SlackClientError) as exc:
            log.info("reactions.%s failed: %s", verb, exc.__class__.__name__)

    # -- feedback ---------------------------------------------------------------------------

    def _on_feedback_up(
        self, ack: Callable[[], None], body: dict[str, Any], action: dict[str, Any]
    ) -> None:
        ack()
        if self._store_feedback(body, str(action.get("value", "")), "up"):
            self._ephemeral(body, ":+1: Thanks, noted that this answer helped.")

    def _on_feedback_down(
        self, ack: Callable[[], None], body: dict[str, Any], action: dict[str, Any]
    ) -> None:
        """Store 👎 at once, then ask (optionally) why in a modal; skipping it loses nothing."""
        ack()
        audit_id = str(action.get("value", ""))
        if not self._store_feedback(body, audit_id, "down"):
            return
        try:
            self.client.views_open(
                trigger_id=body["trigger_id"], view=feedback_reason_view(audit_id)
            )
        except (SlackApiError, SlackClientError, KeyError) as exc:
            log.info("could not open the feedback modal: %s", exc.__class__.__name__)
            self._ephemeral(body, ":-1: Thanks, noted that this answer did not help.")

    def _on_feedback_reason(self, ack: Callable[[], None], view: dict[str, Any]) -> None:
        ack()
        values = view.get("state", {}).get("values", {})
        reason = values.get(FEEDBACK_REASON_BLOCK, {}).get(FEEDBACK_REASON_ACTION, {}).get("value")
        if reason:
            try:
                self.audit.set_feedback_reason(str(view.get("private_metadata", "")), reason)
            except AuditError as exc:
                log.error("audit: %s", exc)

    def _store_feedback(self, body: dict[str, Any], audit_id: str, feedback: Feedback) -> bool:
        try:
            self.audit.set_feedback(audit_id, feedback)
        except AuditError as exc:
            log.error("audit: %s", exc)
            self._ephemeral(body, ":warning: Sorry, I could not record that feedback.")
            return False
        return True

    def _ephemeral(self, body: dict[str, Any], text: str) -> None:
        channel = (body.get("channel") or {}).get("id")
        user = (body.get("user") or {}).get("id")
        if not (channel and user):
            return
        thread = (body.get("container") or {}).get("thread_ts")
        try:
            self.client.chat_postEphemeral(channel=channel, user=user, text=text, thread_ts=thread)
        except (SlackApiError, SlackClientError) as exc:
            log.info("chat.postEphemeral failed: %s", exc.__class__.__name__)

    # -- confirming proposed writes ---------------------------------------------------------

    def _on_confirm(
        self, ack: Callable[[], None], body: dict[str, Any], action: dict[str, Any]
    ) -> None:
        ack()
        self.decide(body, str(action.get("value", "")), "confirm")

    def _on_cancel(
        self, ack: Callable[[], None], body: dict[str, Any], action: dict[str, Any]
    ) -> None:
        ack()
        self.decide(body, str(action.get("value", "")), "cancel")

    def decide(self, body: dict[str, Any], action_id: str, decision: Decision) -> None:
        """Confirm or cancel for whoever clicked (after the ack, on a worker thread). A
        refusal goes to the clicker alone; an outcome to the thread, under the proposal."""
        user_id = str((body.get("user") or {}).get("id", ""))
        principal = self.resolver.for_user(user_id).principal
        settle = self.copilot.confirm if decision == "confirm" else self.copilot.cancel
        try:
            answer = settle(action_id, principal, surface="slack")
        except ActionError as exc:  # someone else's, expired, cancelled: the copilot audited it
            self._ephemeral(body, f":warning: {escape(str(exc))}")
            return
        except Exception:  # never silent
            log.exception("%s of action %s failed", decision, action_id)
            self._ephemeral(body, f":warning: Sorry, that failed ({decision} of {action_id}).")
            return
        verb = "confirmed" if decision == "confirm" else "cancelled"
        self._settle_message(body, decided_by(verb, user_id))
        self._post_outcome(body, render_outcome(answer, verb=verb, user_id=user_id))

    def _settle_message(self, body: dict[str, Any], note: str) -> None:
        """Replace the proposal's buttons by who decided; a failure here is only logged."""
        channel = (body.get("channel") or {}).get("id")
        message = body.get("message") or {}
        ts = message.get("ts") or (body.get("container") or {}).get("message_ts")
        if not (channel and ts):
            return
        try:
            self.client.chat_update(
                channel=channel,
                ts=ts,
                text=str(message.get("text", "")),
                blocks=settled_blocks(message.get("blocks") or [], note),
            )
        except (SlackApiError, SlackClientError) as exc:
            log.info("chat.update failed: %s", exc.__class__.__name__)

    def _post_outcome(self, body: dict[str, Any], outcome: SlackMessage) -> None:
        channel = (body.get("channel") or {}).get("id")
        container = body.get("container") or {}
        thread = container.get("thread_ts") or container.get("message_ts")
        if not channel:
            return
        try:
            self._post_to(channel, thread, outcome)
        except (SlackApiError, SlackClientError) as exc:
            log.error("could not post an action's outcome: %s", exc.__class__.__name__)
            self._ephemeral(body, escape(outcome.text))

    # -- serving ----------------------------------------------------------------------------

    def check_token(self) -> None:
        """Fail at start with a clear message if Slack rejects the bot token."""
        try:
            self.client.auth_test()
        except SlackApiError as exc:
            code = exc.response.get("error", "error")
            raise SlackBotError(f"Slack rejected the bot token ({code}): check it") from None
        except SlackClientError as exc:
            raise SlackBotError(f"cannot reach Slack: {exc.__class__.__name__}") from None

    def serve(self, settings: Settings) -> None:
        """Socket Mode if an app token is set, else HTTP Events mode on ``slack_port``."""
        self.check_token()
        try:
            if settings.slack_app_token is not None:
                from slack_bolt.adapter.socket_mode import SocketModeHandler

                log.warning("Slack bot connected in Socket Mode")
                handler = SocketModeHandler(self.app, settings.slack_app_token.get_secret_value())
                handler.start()  # type: ignore[no-untyped-call]
            else:
                serve_http(self.app, "0.0.0.0", settings.slack_port)
        finally:
            self.executor.shutdown(wait=True, cancel_futures=False)


def serve_http(app: App, host: str, port: int) -> None:
    """Slack's Events API over HTTP: each POST to ``/slack/events`` goes to ``app.dispatch``
    (signature checked there). Threads, so a slow request never delays another's ack."""
    server = http_server(app, host, port)
    log.warning("Slack bot listening on http://%s:%d%s", host, port, EVENTS_PATH)
    try:
        server.serve_forever()
    finally:
        server.server_close()


def http_server(app: App, host: str, port: int) -> ThreadingHTTPServer:
    """The HTTP server ``serve_http`` runs (port 0 picks a free one, as tests do)."""
    return ThreadingHTTPServer((host, port), _http_handler(app))


def _http_handler(app: App) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            path, _, query = self.path.partition("?")
            if path != EVENTS_PATH:
                self._send(BoltResponse(status=404, body="not found"))
                return
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            headers: dict[str, str | Sequence[str]] = dict(self.headers.items())
            self._send(app.dispatch(BoltRequest(body=raw, query=query, headers=headers)))

        def _send(self, response: BoltResponse) -> None:
            data = response.body.encode()
            self.send_response(response.status)
            for name, values in response.headers.items():
                for value in values:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


def slack_secrets(settings: Settings) -> tuple[str, str | None]:
    """The bot token and signing secret, or a ``SlackBotError`` that says where to find them
    (checked before the model starts, so a misconfigured bot fails in a second)."""
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else ""
    if not token:
        raise SlackBotError(
            "the Slack bot needs COPILOT_SLACK_BOT_TOKEN (or SLACK_BOT_TOKEN): the Slack app's "
            "bot token (OAuth & Permissions)"
        )
    secret = settings.slack_signing_secret
    if secret is None and settings.slack_app_token is None:
        raise SlackBotError(
            "HTTP mode needs COPILOT_SLACK_SIGNING_SECRET (or SLACK_SIGNING_SECRET), from the "
            "Slack app's Basic Information page; or set SLACK_APP_TOKEN for Socket Mode"
        )
    return token, secret.get_secret_value() if secret else None


def _ms_since(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)


def run(settings: Settings) -> int:
    """``copilot slack --workspace W``: build the workspace's copilot and serve until stopped."""
    from copilot.copilot import Workspace
    from copilot.llm import open_chat_model
    from copilot.llm_check import ensure_llm_served

    slack_secrets(settings)
    ensure_llm_served(settings)  # a misconfigured server fails here, not on a first question
    serve_configured(settings.metrics_host, settings.metrics_port)
    workspace = Workspace(settings)
    audit = AuditLog.from_catalog(workspace.catalog)
    with open_chat_model(settings, settings.resolved_data_dir) as chat:
        copilot = workspace.copilot(chat)
        bot = SlackBot(
            copilot,
            workspace.directory,
            audit,
            settings,
            claims=EventClaims(workspace.catalog.engine),
        )
        bot.serve(settings)
    return 0
