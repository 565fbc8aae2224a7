"""The composition root's steps, with chains and a router that implement the real interfaces."""

from copilot.chains.base import Chain, ChainContext
from copilot.copilot import Copilot
from copilot.router import RouteDecision
from copilot.types import Access, Draft, Evidence, Principal, Route

USER = Principal.user("ann@x.example", frozenset({"eng"}))


def _evidence(source_id: str) -> Evidence:
    return Evidence(source_id, "doc", source_id, "", "text", Access.public())


class ScriptedChain(Chain):
    def __init__(self, route: Route, draft: Draft) -> None:
        self.route = route
        self._draft = draft
        self.calls = 0

    def _run(self, question: str, context: ChainContext) -> Draft:
        self.calls += 1
        return self._draft


class FixedRouter:
    def __init__(self, *plan: Route) -> None:
        self._plan = plan

    def route(self, question: str, principal: Principal | None = None) -> RouteDecision:
        return RouteDecision(self._plan[0], "scripted", self._plan)


def test_two_step_plan_merges_answers_and_citations() -> None:
    sql = ScriptedChain(
        "sql", Draft("12 rollbacks [1].", (_evidence("sql:acme"),), "sql", "SELECT 1")
    )
    docs = ScriptedChain(
        "retrieval", Draft("See the runbook [1].", (_evidence("docs:rb.md"),), "retrieval")
    )
    answer = Copilot(FixedRouter("sql", "retrieval"), {"sql": sql, "retrieval": docs}).answer(
        "q", USER
    )
    assert answer.answer == "12 rollbacks [1]. See the runbook [2]."
    assert [c.source_id for c in answer.citations] == ["sql:acme", "docs:rb.md"]
    assert answer.route == "sql" and answer.sql == "SELECT 1" and answer.route_reason == "scripted"


def test_refused_sql_falls_back_to_retrieval() -> None:
    sql = ScriptedChain("sql", Draft("I couldn't.", (), "sql", refused=True))
    docs = ScriptedChain(
        "retrieval", Draft("It is 90 days [1].", (_evidence("docs:vpn.md"),), "retrieval")
    )
    answer = Copilot(FixedRouter("sql"), {"sql": sql, "retrieval": docs}).answer("q", USER)
    assert sql.calls == 1 and docs.calls == 1
    assert answer.route == "retrieval" and answer.citations[0].source_id == "docs:vpn.md"


def test_route_without_a_chain_goes_to_retrieval() -> None:
    docs = ScriptedChain("retrieval", Draft("Yes [1].", (_evidence("docs:a.md"),), "retrieval"))
    answer = Copilot(FixedRouter("tool"), {"retrieval": docs}).answer("q", USER)
    assert answer.route == "retrieval" and docs.calls == 1
    assert set(answer.timings_ms) >= {"route", "total"}
