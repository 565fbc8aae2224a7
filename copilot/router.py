"""The question router: which chain (retrieval, sql, tool) answers a question, in what order.

Two stages, cheapest first:

1. **Fast path** (milliseconds): one question embedding times a cached matrix of example
   questions per route, plus one probe of the index for the closest document the asker may
   see. A route's score is the *max* cosine over its examples, not the mean
   of the top 3: each route's examples are deliberately diverse (one per phrasing), so the
   nearest one carries the signal and averaging dilutes it toward the spread of the set;
   with MiniLM's low cosines a top-3 mean rarely reaches the default threshold (measured on
   our own questions: 18 of 44 decided with top-3 mean, 26 of 44 with max, none wrong). The
   margin over the runner-up is what guards against one lucky example. The fast path
   decides when the best score reaches ``fast_threshold`` and beats the runner-up by
   ``fast_margin``. Retrieval is the open class (no example set covers every topic), so it
   is also decided when it leads and every other route stays below
   ``fast_threshold - 2 * fast_margin``: nothing suggests a number or a live lookup.
   Retrieval is also the route whose examples can never cover the workspace's topics, so its
   score is the better of its examples and the workspace itself: the closest visible
   document chunk's cosine less ``document_discount`` (passages sit lower on MiniLM's cosine
   scale than paraphrased questions). Measured on the sample workspace's golden routes,
   without the model: the fast path decided 47% of questions (97.6% right) on examples
   alone, 80% (98.6% right) with the probe; discounts from 0.05 to 0.15 all decided 68-85%
   at 97% or better, so the default sits in the middle of a flat range, not on a peak.
2. **LLM path**: otherwise the chat model picks a route under a JSON schema. A failed or
   invalid reply falls back to the fast path's best route when it reached the threshold
   (some evidence), else to retrieval: in doubt, retrieval, since reading documents is the
   safest way to say "I don't know".

Two-step plans (``("sql", "retrieval")``: a number from the database *and* the document that
explains it) come from the LLM's ``second`` field, or from the fast path when sql and
retrieval both reach the threshold, lie within the margin of each other, and the question
carries both a number cue ("how many", "top", ...) and an explanation cue ("why", "policy",
...). Routes not in ``available`` are never returned: their examples are left out of scoring,
the schema's enum omits them, and anything else maps to retrieval.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, cast, get_args

from copilot.config import RouterConfig
from copilot.errors import LLMError
from copilot.llm import ChatMessage, ChatModel
from copilot.types import Principal, Route
from indexes.embeddings import Embedder, Vectors

log = logging.getLogger(__name__)

ROUTES: tuple[Route, ...] = cast(tuple[Route, ...], get_args(Route))
DEFAULT_ROUTE: Route = "retrieval"

_NUMBER_CUE = re.compile(
    r"\b(how many|how much|which|top|count|number of|total|average|most|highest|lowest)\b",
    re.IGNORECASE,
)
_EXPLAIN_CUE = re.compile(
    r"\b(why|explain|explains?|runbook|policy|procedure|process|according to|documented)\b",
    re.IGNORECASE,
)

# Written for a generic company; workspaces add their own through ``router.examples``.
BUILTIN_EXAMPLES: dict[Route, tuple[str, ...]] = {
    "retrieval": (
        "What is our parental leave policy?",
        "How many vacation days do new employees get according to the handbook?",
        "How do I request access to the production database?",
        "Where is the runbook for restarting the payment service?",
        "What did we decide in Slack about moving to the new CI provider?",
        "How do I expense a client dinner?",
        "What is the process for rotating API keys?",
        "Why did we choose PostgreSQL over MongoDB?",
        "What are the steps to onboard a new engineer?",
        "How do I set up my laptop for development?",
        "What is the password policy for internal systems?",
        "What does the incident response procedure say about paging?",
        "Is there a guideline for naming feature flags?",
        "How do I configure the VPN on my phone?",
        "What was the outcome of the discussion about remote work?",
        "Who approves purchases over the budget limit per the procurement policy?",
        "What is the data retention policy for customer logs?",
        "How should I roll back a failed deployment?",
        "What are the security requirements for third-party vendors?",
        "Where can I find the brand guidelines for slide decks?",
        "What did the team agree on for code review turnaround?",
        "How long do we keep backups and how do I restore one?",
        "What is the travel reimbursement limit for flights?",
        "What's the escalation path for a customer complaint?",
        "Explain how our release process works",
        "What did the postmortem conclude about the outage last month?",
    ),
    "sql": (
        "How many customers signed up last month?",
        "What was total revenue from invoices in the last quarter?",
        "What is the average order value by region?",
        "List the top 10 customers by revenue this year",
        "How many open support tickets are there per priority?",
        "How many deployments did we do each week this quarter?",
        "Which customers have overdue invoices?",
        "What's the monthly trend of new orders this year?",
        "Count incidents by severity for the last 90 days",
        "What is the average time to resolve a ticket?",
        "Which product had the most orders last month?",
        "Sum of unpaid invoice amounts by customer",
        "How many incidents were caused by failed deployments?",
        "Show the number of active customers per plan",
        "What percentage of orders were refunded last quarter?",
        "Which five sales reps closed the most deals?",
        "What is the median ticket count per customer?",
        "How many orders were shipped late in March?",
        "Total number of employees per department",
        "Which services had the most incidents this year?",
        "Average invoice amount for enterprise customers",
        "How did churn change month over month?",
        "List customers with more than 5 open tickets",
        "What was the deployment failure rate last month?",
        "Compare revenue this quarter with the same quarter last year",
    ),
    "tool": (
        "Who is on call right now?",
        "Who is on call for the database team next Saturday?",
        "Who will be on call on Christmas day?",
        "Is the payments API up?",
        "Is the search service healthy right now?",
        "Check the status of the auth service",
        "What is Jane Smith's job title?",
        "Who is Tom's manager?",
        "What is the email address of the head of finance?",
        "Look up the phone number for Maria Garcia",
        "What date is 45 days from today?",
        "How many business days until the end of the quarter?",
        "What day of the week is March 3rd next year?",
        "Who is the current on-call engineer for platform?",
        "Is the website down?",
        "Ping the billing service and tell me if it responds",
        "Who does Alex report to?",
        "What team is Priya on?",
        "How many days between June 1 and September 15?",
        "What's today's date plus two weeks?",
        "Who is covering on-call this weekend?",
        "Is the staging environment reachable?",
        "Find the contact details for the office manager",
        "Who is primary on call tomorrow night?",
        "Is the email service having an outage right now?",
    ),
}

# What the document probe looks at: prose a person wrote, not schema cards or results.
DOCUMENT_KINDS = frozenset({"doc", "slack"})


class DocumentProbe(Protocol):
    """How close the nearest document the principal may see is (the Retriever does this)."""

    def best_similarity(self, query: str, principal: Principal, kinds: frozenset[str]) -> float: ...


_DESCRIPTIONS: dict[Route, str] = {
    "retrieval": "search the company's documents and Slack discussions: policies, how-tos, "
    "runbooks, decisions and explanations",
    "sql": "query the company database for numbers: counts, sums, averages, top-N lists and "
    "trends over customers, orders, invoices, tickets, deployments, incidents",
    "tool": "call a live tool: who is on call now or on a date, whether a service is up, a "
    "person's title, manager or email, date arithmetic",
}


@dataclass(frozen=True)
class RouteDecision:
    """Where a question goes: ``route`` is the first step, ``plan`` every step in order."""

    route: Route
    reason: str
    plan: tuple[Route, ...] = ()
    fast_path: bool = False
    scores: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.plan:
            object.__setattr__(self, "plan", (self.route,))


@dataclass(frozen=True)
class Ranking:
    """The fast path's view of one question: routes best first with their scores."""

    order: tuple[Route, ...]
    scores: dict[str, float]
    documents: float = 0.0  # the document probe's discounted score (0 when not probed)

    @property
    def best(self) -> Route:
        return self.order[0]

    def score(self, route: Route) -> float:
        return self.scores.get(route, 0.0)

    def why(self, route: Route) -> str:
        """Where a route's score came from, for the decision's reason."""
        if route == DEFAULT_ROUTE and self.documents and self.documents >= self.score(route):
            return "a document the asker may see"
        return f"{route} examples"

    def gap(self) -> float:
        """How far the best route leads the runner-up (the full score when alone)."""
        runner_up = self.score(self.order[1]) if len(self.order) > 1 else 0.0
        return self.score(self.best) - runner_up


class Router:
    """Routes questions: embeddings first, the chat model only when they are unsure."""

    def __init__(
        self,
        embedder: Embedder,
        chat: ChatModel | None,
        config: RouterConfig,
        available: Iterable[Route],
        documents: DocumentProbe | None = None,
        nothing_to_search: bool = False,
    ) -> None:
        self._embedder = embedder
        # A workspace of databases only: retrieval would search schema cards alone, so what
        # would go there in doubt goes to sql instead.
        self._nothing_to_search = nothing_to_search and "sql" in set(available)
        self._documents = documents
        self._chat = chat
        self._config = config
        # Retrieval is always reachable: it is where "in doubt" and unknown routes go.
        self._available: tuple[Route, ...] = tuple(
            r for r in ROUTES if r in set(available) | {DEFAULT_ROUTE}
        )
        self._examples = _merge_examples(BUILTIN_EXAMPLES, config.examples, self._available)
        self._matrix: Vectors | None = None
        self._labels: tuple[Route, ...] = ()

    @property
    def available(self) -> tuple[Route, ...]:
        return self._available

    def route(self, question: str, principal: Principal | None = None) -> RouteDecision:
        """Decide a question's route; never raises for a model failure.

        ``principal`` lets the document probe count only what the asker may see; without
        one the probe is skipped (the examples alone decide)."""
        ranked = self.rank(question, principal)
        decided = self._decide_fast(question, ranked)
        if decided is None:
            decided = (
                self._fallback(ranked, "no chat model configured")
                if self._chat is None
                else self._ask_model(question, ranked)
            )
        return self._searchable(decided)

    def _searchable(self, decided: RouteDecision) -> RouteDecision:
        """``decided``, unless it sends a question to retrieval with no documents to search."""
        if not (self._nothing_to_search and decided.route == DEFAULT_ROUTE):
            return decided
        reason = f"{decided.reason}; this workspace has only databases: sql"
        return RouteDecision("sql", reason, ("sql",), decided.fast_path, decided.scores)

    def fast_route(self, question: str, principal: Principal | None = None) -> RouteDecision | None:
        """The fast path alone: a decision, or ``None`` when the examples are not sure."""
        decided = self._decide_fast(question, self.rank(question, principal))
        return None if decided is None else self._searchable(decided)

    def rank(self, question: str, principal: Principal | None = None) -> Ranking:
        """Score every available route: its best example cosine (retrieval: or documents)."""
        matrix, labels = self._example_matrix()
        sims = matrix @ self._embedder.embed_query(question)
        scores: dict[str, float] = {}
        for route in self._available:
            mine = sims[[i for i, label in enumerate(labels) if label == route]]
            scores[route] = round(float(mine.max()), 4) if mine.size else 0.0
        documents = self._document_score(question, principal)
        scores[DEFAULT_ROUTE] = max(scores[DEFAULT_ROUTE], documents)
        order = tuple(sorted(self._available, key=lambda r: scores[r], reverse=True))
        return Ranking(order, scores, documents)

    def _document_score(self, question: str, principal: Principal | None) -> float:
        """The closest visible document's cosine, discounted onto the examples' scale."""
        if self._documents is None or principal is None:
            return 0.0
        closest = self._documents.best_similarity(question, principal, DOCUMENT_KINDS)
        return round(max(closest - self._config.document_discount, 0.0), 4)

    def _example_matrix(self) -> tuple[Vectors, tuple[Route, ...]]:
        """Embed the examples once, on first use, so building a router costs nothing."""
        if self._matrix is None:
            labels = tuple(r for r, texts in self._examples.items() for _ in texts)
            texts = [t for ts in self._examples.values() for t in ts]
            self._matrix = self._embedder.embed_texts(texts)
            self._labels = labels
        return self._matrix, self._labels

    def _decide_fast(self, question: str, ranked: Ranking) -> RouteDecision | None:
        two_step = self._fast_two_step(question, ranked)
        if two_step is not None:
            return two_step
        best, gap = ranked.best, ranked.gap()
        runner = ranked.order[1] if len(ranked.order) > 1 else best
        versus = f"{ranked.score(best):.2f} vs {runner} {ranked.score(runner):.2f}"
        if ranked.score(best) >= self._config.fast_threshold and gap >= self._config.fast_margin:
            reason = f"fast path: similar to {ranked.why(best)} ({versus})"
            return RouteDecision(best, reason, (best,), True, ranked.scores)
        if best == DEFAULT_ROUTE and self._nothing_specialised(ranked):
            reason = f"fast path: no sql or tool example is close ({versus}); retrieval"
            return RouteDecision(best, reason, (best,), True, ranked.scores)
        return None

    def _nothing_specialised(self, ranked: Ranking) -> bool:
        """True when every non-retrieval route is far below the threshold."""
        floor = self._config.fast_threshold - 2 * self._config.fast_margin
        return all(ranked.score(r) < floor for r in ranked.order if r != DEFAULT_ROUTE)

    def _fast_two_step(self, question: str, ranked: Ranking) -> RouteDecision | None:
        """sql then retrieval, when both look right and the question asks a number and why."""
        if not {"sql", "retrieval"} <= set(ranked.order[:2]):
            return None
        sql, docs = ranked.score("sql"), ranked.score("retrieval")
        threshold, margin = self._config.fast_threshold, self._config.fast_margin
        both_high = min(sql, docs) >= threshold and abs(sql - docs) < margin
        if not (both_high and _NUMBER_CUE.search(question) and _EXPLAIN_CUE.search(question)):
            return None
        reason = (
            f"fast path: a number and its explanation (sql {sql:.2f}, retrieval {docs:.2f}, "
            "number and explanation cues)"
        )
        return RouteDecision("sql", reason, ("sql", "retrieval"), True, ranked.scores)

    def _ask_model(self, question: str, ranked: Ranking) -> RouteDecision:
        assert self._chat is not None
        try:
            reply = self._chat.complete(
                self._messages(question), max_tokens=120, json_schema=self._schema()
            )
        except LLMError as exc:
            log.warning("router: chat model failed (%s); falling back", exc)
            return self._fallback(ranked, f"chat model failed: {exc}")
        parsed = _parse_reply(reply.text, self._available)
        if parsed is None:
            return self._fallback(ranked, f"invalid model reply {reply.text[:80]!r}")
        first, second, why = parsed
        if first != DEFAULT_ROUTE and ranked.score(first) < self._config.llm_floor:
            reason = (
                f"model chose {first}, but no {first} example is close "
                f"({ranked.score(first):.2f} < {self._config.llm_floor:.2f}); in doubt, retrieval"
            )
            return RouteDecision(DEFAULT_ROUTE, reason, (DEFAULT_ROUTE,), False, ranked.scores)
        plan = (first,) if second in (None, first) else (first, cast(Route, second))
        reason = f"model: {why or 'no reason given'}"
        return RouteDecision(first, reason, plan, False, ranked.scores)

    def _fallback(self, ranked: Ranking, why: str) -> RouteDecision:
        """The fast path's best route when it reached the threshold; otherwise retrieval."""
        best = ranked.best
        if ranked.score(best) >= self._config.fast_threshold:
            reason = f"{why}; fallback to best example match {best} ({ranked.score(best):.2f})"
            return RouteDecision(best, reason, (best,), False, ranked.scores)
        reason = f"{why}; in doubt, retrieval (best match {best} {ranked.score(best):.2f})"
        return RouteDecision(DEFAULT_ROUTE, reason, (DEFAULT_ROUTE,), False, ranked.scores)

    def _schema(self) -> dict[str, Any]:
        routes = list(self._available)
        return {
            "type": "object",
            "properties": {
                "route": {"type": "string", "enum": routes},
                "second": {"anyOf": [{"type": "string", "enum": routes}, {"type": "null"}]},
                "reason": {"type": "string"},
            },
            "required": ["route", "second", "reason"],
            "additionalProperties": False,
        }

    def _messages(self, question: str) -> list[ChatMessage]:
        return [ChatMessage("system", self._system_prompt()), ChatMessage("user", question)]

    def _system_prompt(self) -> str:
        """Each available route with three examples: small models follow examples best."""
        lines = [
            "You route a company employee's question to the one system that can answer it.",
            "Routes:",
        ]
        for route in self._available:
            examples = "; ".join(f'"{q}"' for q in self._examples[route][:3])
            lines.append(f"- {route}: {_DESCRIPTIONS[route]}. Examples: {examples}")
        lines += [
            'Set "second" to another route only when the question needs both, e.g. a number '
            'from sql and the document that explains it ("sql" then "retrieval"); else null.',
            "When unsure, choose retrieval. Reply with JSON: route, second, reason (short).",
        ]
        return "\n".join(lines)


def _merge_examples(
    builtin: Mapping[Route, Sequence[str]],
    extra: Mapping[Route, Sequence[str]],
    available: Sequence[Route],
) -> dict[Route, tuple[str, ...]]:
    """Built-in examples plus the workspace's, for available routes only."""
    return {r: tuple(dict.fromkeys([*builtin.get(r, ()), *extra.get(r, ())])) for r in available}


def _parse_reply(text: str, available: Sequence[Route]) -> tuple[Route, str | None, str] | None:
    """``(route, second, reason)`` from the model's JSON, or ``None`` when it is unusable.

    A known route outside ``available`` maps to retrieval; an unknown one makes the reply
    unusable; an unusable ``second`` is dropped.
    """
    try:
        data = json.loads(_strip_fences(text))
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("route") not in ROUTES:
        return None
    route = data["route"] if data["route"] in available else DEFAULT_ROUTE
    second = data.get("second")
    second = second if isinstance(second, str) and second in available else None
    reason = data.get("reason")
    return cast(Route, route), second, reason if isinstance(reason, str) else ""


def _strip_fences(text: str) -> str:
    """Small models sometimes wrap JSON in a Markdown code fence despite the schema."""
    match = re.search(r"```(?:json)?\s*(.*?)```", text, re.DOTALL)
    return (match.group(1) if match else text).strip()
