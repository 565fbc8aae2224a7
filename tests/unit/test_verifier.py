"""The verifier with the real MiniLM embeddings and the judge scripted through the real chat
client (a local OpenAI-compatible server): planted unsupported, contradicted, dangling and
forbidden citations must never reach the answer."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from copilot.chains.base import Chain, ChainContext
from copilot.config import Settings
from copilot.copilot import Copilot
from copilot.llm import OpenAICompatibleChat
from copilot.router import RouteDecision
from copilot.types import Access, Draft, Evidence, Principal, Route
from copilot.verifier import COULD_NOT_VERIFY, Claim, Verifier, is_question, parse_judgement
from copilot.verify_checks import (
    misplaced_units,
    missing_identifiers,
    missing_names,
    numbers_in,
)
from indexes.embeddings import SentenceTransformerEmbedder
from tests.fakes.openai_server import FakeOpenAIServer

ANN = Principal.user("ann@x.example", frozenset({"eng"}))
VPN = Evidence(
    "docs:it/vpn.md",
    "doc",
    "VPN",
    "https://x/vpn.md#certificates",
    "VPN client certificates are renewed every 90 days. Renewal is automatic on the office "
    "network. If the VPN fails with error 809, restart the GlobalProtect agent.",
    Access.public(),
    relevance=0.8,
)
WIFI = Evidence(
    "slack:C1:1.0",
    "slack",
    "#general: guest wifi",
    "https://x/slack/1",
    "Bob Diaz: The guest wifi password is acme-guest-2026, rotated monthly.",
    Access.public(),
    relevance=0.6,
)
PAY = Evidence(
    "docs:hr/pay.md",
    "doc",
    "Pay",
    "https://x/pay.md#bands",
    "The 2026 salary band adjustment is 4.5 percent, effective April 1.",
    Access(groups=frozenset({"hr"})),
    relevance=0.9,
)
ROWS = Evidence(
    "sql:acme",
    "sql",
    "Query result from acme",
    "",
    "SQL: SELECT COUNT(*) AS sev1 FROM incidents WHERE severity = 'SEV1' LIMIT 100\n"
    "Result:\nsev1\n12",
    Access(users=frozenset({"ann@x.example"})),
    relevance=1.0,
)


def _judged(*labels: str) -> str:
    rows = [
        {"claim": i, "reason": f"scripted {label}", "verdict": label}
        for i, label in enumerate(labels, 1)
    ]
    return json.dumps({"verdicts": rows})


@pytest.fixture
def chat(settings: Settings, fake_llm: FakeOpenAIServer) -> OpenAICompatibleChat:
    return OpenAICompatibleChat(
        settings.model_copy(update={"llm_max_retries": 0}), fake_llm.base_url
    )


def _verifier(
    chat: OpenAICompatibleChat, embedder: SentenceTransformerEmbedder, strictness: Any = "strict"
) -> Verifier:
    return Verifier(chat, embedder, strictness, min_similarity=0.15)


def _claims_sent(request: dict[str, Any]) -> str:
    return str(request["messages"][-1]["content"]).split("Claims:", 1)[1]


def test_planted_unsupported_sentence_is_dropped_in_one_batched_judge_call(
    chat: OpenAICompatibleChat, embedder: SentenceTransformerEmbedder, fake_llm: FakeOpenAIServer
) -> None:
    fake_llm.replies = [_judged("supported", "not_mentioned")]
    draft = Draft(
        "VPN certificates are renewed every 90 days [1]. "
        "Renewal also requires approval from your manager [1].",
        (VPN,),
        "retrieval",
    )
    checked = _verifier(chat, embedder).check("How often are VPN certs renewed?", draft, ANN)
    assert checked.draft.text == "VPN certificates are renewed every 90 days [1]."
    assert [v.verdict for v in checked.verdicts] == ["supported", "not_mentioned"]
    assert [v.check for v in checked.verdicts] == ["judge", "judge"]
    assert len(fake_llm.requests) == 1  # both sentences in one call
    schema = json.dumps(fake_llm.requests[0]["response_format"])
    assert '"minItems": 2' in schema and '"maxItems": 2' in schema
    assert "approval from your manager" in _claims_sent(fake_llm.requests[0])


def test_contradicted_sentence_is_dropped_even_when_lenient(
    chat: OpenAICompatibleChat, embedder: SentenceTransformerEmbedder, fake_llm: FakeOpenAIServer
) -> None:
    fake_llm.replies = [_judged("supported", "contradicted", "not_mentioned")]
    draft = Draft(
        "The guest wifi password is acme-guest-2026 [2]. It is rotated every year [2]. "
        "Renewal is automatic on the office network [1].",
        (VPN, WIFI),
        "retrieval",
    )
    checked = _verifier(chat, embedder, "lenient").check("guest wifi password?", draft, ANN)
    assert "rotated every year" not in checked.draft.text
    assert "acme-guest-2026 [2]" in checked.draft.text
    assert "Renewal is automatic" in checked.draft.text  # lenient keeps a judged not_mentioned
    assert not checked.draft.refused


def test_strict_drops_what_the_judge_finds_not_mentioned(
    chat: OpenAICompatibleChat, embedder: SentenceTransformerEmbedder, fake_llm: FakeOpenAIServer
) -> None:
    fake_llm.replies = [_judged("supported", "supported", "not_mentioned")]
    draft = Draft(
        "The guest wifi password is acme-guest-2026 [2]. It is rotated monthly [2]. "
        "Renewal is automatic on the office network [1].",
        (VPN, WIFI),
        "retrieval",
    )
    checked = _verifier(chat, embedder, "strict").check("guest wifi password?", draft, ANN)
    assert "Renewal is automatic" not in checked.draft.text
    assert checked.draft.text.startswith("The guest wifi password is acme-guest-2026 [2].")


def test_citation_to_missing_evidence_is_unsupported_without_the_judge(
    chat: OpenAICompatibleChat, embedder: SentenceTransformerEmbedder, fake_llm: FakeOpenAIServer
) -> None:
    fake_llm.replies = [_judged("supported")]
    draft = Draft(
        "VPN certificates are renewed every 90 days [1]. Restart the agent twice [7].",
        (VPN,),
        "retrieval",
    )
    checked = _verifier(chat, embedder).check("VPN certificates?", draft, ANN)
    assert checked.draft.text == "VPN certificates are renewed every 90 days [1]."
    dangling = checked.verdicts[1]
    assert dangling.check == "cheap" and "[7]" in dangling.reason and dangling.cited == ()
    assert "Restart the agent" not in _claims_sent(fake_llm.requests[0])


def test_citation_to_forbidden_evidence_is_removed_and_never_shown_to_the_judge(
    chat: OpenAICompatibleChat, embedder: SentenceTransformerEmbedder, fake_llm: FakeOpenAIServer
) -> None:
    fake_llm.replies = [_judged("supported")]
    draft = Draft(
        "VPN certificates are renewed every 90 days [1][2]. "
        "The 2026 salary band adjustment is 4.5 percent [2].",
        (VPN, PAY),
        "retrieval",
    )
    checked = _verifier(chat, embedder).check("VPN and pay?", draft, ANN)
    assert checked.draft.text == "VPN certificates are renewed every 90 days [1]."
    assert "4.5" not in checked.draft.text
    assert "may not see" in checked.verdicts[1].reason
    assert all("salary band" not in json.dumps(r["messages"]) for r in fake_llm.requests)


def test_sql_number_not_in_the_rows_is_dropped_without_the_judge(
    chat: OpenAICompatibleChat, embedder: SentenceTransformerEmbedder, fake_llm: FakeOpenAIServer
) -> None:
    fake_llm.replies = [_judged("supported")]
    draft = Draft(
        "There were 12 SEV1 incidents [1]. That is 100 more than last year [1].",
        (ROWS,),
        "sql",
        sql="SELECT ...",
    )
    checked = _verifier(chat, embedder).check("How many SEV1 incidents?", draft, ANN)
    assert checked.draft.text == "There were 12 SEV1 incidents [1]."
    second = checked.verdicts[1]
    assert second.check == "cheap" and "100" in second.reason and "result rows" in second.reason
    assert len(fake_llm.requests) == 1 and "100 more" not in _claims_sent(fake_llm.requests[0])


def test_unrelated_sentence_is_not_mentioned_by_similarity(
    chat: OpenAICompatibleChat, embedder: SentenceTransformerEmbedder, fake_llm: FakeOpenAIServer
) -> None:
    fake_llm.replies = [_judged("supported")]
    draft = Draft(
        "VPN certificates are renewed every 90 days [1]. Bananas are yellow fruit [1].",
        (VPN,),
        "retrieval",
    )
    checked = _verifier(chat, embedder, "lenient").check("VPN?", draft, ANN)
    assert checked.draft.text == "VPN certificates are renewed every 90 days [1]."
    assert checked.verdicts[1].check == "cheap" and "cosine" in checked.verdicts[1].reason


def test_unsupported_core_regenerates_once_with_the_reasons(
    chat: OpenAICompatibleChat, embedder: SentenceTransformerEmbedder, fake_llm: FakeOpenAIServer
) -> None:
    fake_llm.replies = [_judged("supported")]  # only the retry reaches the judge
    feedback: list[str] = []

    def regenerate(reasons: str) -> Draft:
        feedback.append(reasons)
        return Draft("VPN certificates are renewed every 90 days [1].", (VPN,), "retrieval")

    draft = Draft("VPN certificates are renewed every 30 days [1].", (VPN, WIFI), "retrieval")
    checked = _verifier(chat, embedder).check("VPN?", draft, ANN, regenerate)
    assert len(feedback) == 1 and "every 30 days" in feedback[0] and "30 not in" in feedback[0]
    assert checked.regenerated and not checked.draft.refused
    assert checked.draft.text == "VPN certificates are renewed every 90 days [1]."
    assert [(v.attempt, v.check) for v in checked.verdicts] == [(1, "cheap"), (2, "judge")]


def test_still_unsupported_after_regenerating_is_refused_with_sources(
    chat: OpenAICompatibleChat, embedder: SentenceTransformerEmbedder, fake_llm: FakeOpenAIServer
) -> None:
    fake_llm.replies = [_judged("contradicted"), _judged("not_mentioned")]
    calls: list[str] = []

    def regenerate(reasons: str) -> Draft:
        calls.append(reasons)
        return Draft("Certificates renew on the office network only [1].", (VPN,), "retrieval")

    draft = Draft(
        "Certificates are never renewed automatically [1].", (VPN, WIFI, PAY), "retrieval"
    )
    checked = _verifier(chat, embedder).check("VPN?", draft, ANN, regenerate)
    assert len(calls) == 1 and "contradicted" in calls[0]
    assert checked.draft.refused and checked.draft.text == COULD_NOT_VERIFY
    assert [e.source_id for e in checked.sources] == ["docs:it/vpn.md", "slack:C1:1.0"]  # no PAY


def test_unreadable_judge_reply_fails_closed(
    chat: OpenAICompatibleChat, embedder: SentenceTransformerEmbedder, fake_llm: FakeOpenAIServer
) -> None:
    fake_llm.replies = ["not json at all"]
    draft = Draft("VPN certificates are renewed every 90 days [1].", (VPN,), "retrieval")
    checked = _verifier(chat, embedder, "lenient").check("VPN?", draft, ANN)
    assert checked.draft.refused and checked.verdicts[0].verdict == "not_mentioned"
    assert checked.verdicts[0].check == "unjudged"


def test_judge_schema_claims_and_parsing() -> None:
    parsed, answers = parse_judgement(
        "```json\n" + _judged("supported", "bogus", "contradicted") + "\n```"
    )
    assert parsed == {
        1: ("supported", "scripted supported"),
        3: ("contradicted", "scripted contradicted"),
    }
    assert answers  # only an explicit false says the claims miss the question
    assert parse_judgement('{"verdicts": [], "answers_question": false}') == ({}, False)
    assert Claim("x", (VPN,)).sources == (VPN,)


def test_true_sentences_that_do_not_answer_the_question_are_refused(
    chat: OpenAICompatibleChat, embedder: SentenceTransformerEmbedder, fake_llm: FakeOpenAIServer
) -> None:
    off_topic = json.loads(_judged("supported")) | {"answers_question": False}
    fake_llm.replies = [json.dumps(off_topic), json.dumps(off_topic)]
    feedback: list[str] = []

    def regenerate(reasons: str) -> Draft:
        feedback.append(reasons)
        return Draft("Renewal is automatic on the office network [1].", (VPN,), "retrieval")

    draft = Draft("VPN certificates are renewed every 90 days [1].", (VPN,), "retrieval")
    checked = _verifier(chat, embedder).check("When is the 2027 offsite?", draft, ANN, regenerate)
    assert checked.draft.refused and "does not answer the question" in feedback[0]
    request = fake_llm.requests[0]
    assert "When is the 2027 offsite?" in json.dumps(request["messages"])
    assert "answers_question" in json.dumps(request["response_format"])


def test_numbers_and_names_checks() -> None:
    assert numbers_in("three times", words=True) == {"3"} and numbers_in("one of us") == set()
    assert numbers_in("It costs $1,200.50 and 4.50 percent, three times, on 8:00", words=True) == {
        "1200.5",
        "4.5",
        "3",
        "8",
        "0",
    }
    assert missing_names("Restart the GlobalProtect agent, says Carol.", [VPN], "q") == ["Carol"]
    assert missing_names("Ask Bob Diaz about it.", [WIFI], "q") == []


class ScriptedChain(Chain):
    def __init__(self, route: Route, *drafts: Draft, feedback: bool = True) -> None:
        self.route = route
        self.accepts_feedback = feedback
        self._drafts = list(drafts)
        self.feedback: list[str] = []

    def _run(self, question: str, context: ChainContext) -> Draft:
        self.feedback.append(context.feedback)
        return self._drafts.pop(0)


class FixedRouter:
    def route(self, question: str, principal: Principal | None = None) -> RouteDecision:
        return RouteDecision("retrieval", "scripted", ("retrieval",))


def test_copilot_answer_carries_verdicts_and_refuses_with_sources(
    chat: OpenAICompatibleChat, embedder: SentenceTransformerEmbedder, fake_llm: FakeOpenAIServer
) -> None:
    fake_llm.replies = [_judged("not_mentioned"), _judged("not_mentioned")]
    invented = Draft("VPN certificates must be renewed by hand [1].", (VPN,), "retrieval")
    chain = ScriptedChain("retrieval", invented, invented)
    answer = Copilot(FixedRouter(), {"retrieval": chain}, _verifier(chat, embedder)).answer(
        "VPN?", ANN
    )
    data = answer.to_dict()
    assert data["refused"] and data["answer"] == COULD_NOT_VERIFY and data["citations"] == []
    assert [s["source_id"] for s in data["sources"]] == ["docs:it/vpn.md"]
    assert [v["verdict"] for v in data["verdicts"]] == ["not_mentioned", "not_mentioned"]
    assert chain.feedback[0] == "" and "renewed by hand" in chain.feedback[1]
    assert {"verify", "regenerate"} <= set(data["timings_ms"])


def test_copilot_keeps_supported_answer_and_skips_regeneration_without_feedback(
    chat: OpenAICompatibleChat, embedder: SentenceTransformerEmbedder, fake_llm: FakeOpenAIServer
) -> None:
    fake_llm.replies = [_judged("supported"), _judged("not_mentioned")]
    good = Draft("The guest wifi password is acme-guest-2026 [2].", (VPN, WIFI), "retrieval")
    verifier = _verifier(chat, embedder)
    answer = Copilot(
        FixedRouter(), {"retrieval": ScriptedChain("retrieval", good)}, verifier
    ).answer("wifi?", ANN)
    assert answer.verified and not answer.refused
    assert answer.answer == "The guest wifi password is acme-guest-2026 [1]."
    assert [c.source_id for c in answer.citations] == ["slack:C1:1.0"]
    bad = Draft("The wifi password changes hourly [1].", (WIFI,), "retrieval")
    rigid = ScriptedChain("retrieval", bad, feedback=False)
    refused = Copilot(FixedRouter(), {"retrieval": rigid}, verifier).answer("wifi?", ANN)
    assert refused.refused and len(rigid.feedback) == 1 and not refused.verified


def test_unmarked_sentence_is_anchored_and_judged_and_questions_are_not_claims(
    chat: OpenAICompatibleChat, embedder: SentenceTransformerEmbedder, fake_llm: FakeOpenAIServer
) -> None:
    fake_llm.replies = [_judged("supported", "supported")]
    draft = Draft(
        "The guest wifi password is acme-guest-2026 [2]. Anyone else? "
        "The guest wifi password is rotated monthly.",
        (VPN, WIFI),
        "retrieval",
    )
    checked = _verifier(chat, embedder).check("guest wifi password?", draft, ANN)
    assert checked.draft.text == (
        "The guest wifi password is acme-guest-2026 [2]. "
        "The guest wifi password is rotated monthly [2]."
    )
    assert checked.verdicts[1].reason == "not a claim" and checked.verdicts[2].cited == (2,)
    assert "rotated monthly. (cites [1])" in _claims_sent(fake_llm.requests[0])


BUDGET_HEAD = Evidence(
    "docs:finance/budget.md",
    "doc",
    "Budget",
    "https://x/budget.md#overview",
    "The budget covers every engineering team, SRE and Security included.",
    Access.public(),
    relevance=0.9,
)
BUDGET_TABLE = Evidence(
    "docs:finance/budget.md",
    "doc",
    "Budget",
    "https://x/budget.md#by-team",
    "| Engineering (incl. SRE, Security) | $22.8M |\n| Sales | $9.1M |",
    Access.public(),
    relevance=0.7,
)
BUDGET_SECRET = replace(BUDGET_TABLE, url="https://x/secret.md", access=Access.nobody())


def test_a_number_cited_to_the_wrong_passage_is_repointed_then_judged(
    chat: OpenAICompatibleChat, embedder: SentenceTransformerEmbedder, fake_llm: FakeOpenAIServer
) -> None:
    fake_llm.replies = [_judged("supported")]
    draft = Draft("The engineering budget is $22.8M [1].", (BUDGET_HEAD, BUDGET_TABLE), "retrieval")
    checked = _verifier(chat, embedder).check("engineering budget?", draft, ANN)
    assert checked.draft.text == "The engineering budget is $22.8M [2]."
    assert [(v.cited, v.check) for v in checked.verdicts] == [((2,), "judge")]
    assert "$22.8M" in str(fake_llm.requests[0]["messages"][-1]["content"])


@pytest.mark.parametrize(
    "evidence",
    [
        (BUDGET_HEAD, BUDGET_TABLE, BUDGET_TABLE),  # two passages hold it: which is a guess
        (BUDGET_HEAD, BUDGET_SECRET),  # the one that holds it is not the reader's to see
        (BUDGET_HEAD, ROWS),  # an SQL result is never a passage to re-point to
    ],
    ids=["two-holders", "hidden-holder", "sql-holder"],
)
def test_a_number_is_not_repointed_to_a_guess_a_hidden_source_or_sql_rows(
    chat: OpenAICompatibleChat,
    embedder: SentenceTransformerEmbedder,
    fake_llm: FakeOpenAIServer,
    evidence: tuple[Evidence, ...],
) -> None:
    number = "12" if ROWS in evidence else "22.8"
    draft = Draft(f"The engineering budget is ${number}M [1].", evidence, "retrieval")
    verdicts = _verifier(chat, embedder).verify("engineering budget?", draft, ANN)
    assert [(v.cited, v.verdict, v.check) for v in verdicts] == [((1,), "not_mentioned", "cheap")]
    assert fake_llm.requests == []


@pytest.mark.parametrize(
    ("sentence", "question"),
    [
        ("Anyone else? [2]", True),
        ("When does the match vest? [1].", True),  # the question echoed, a marker added
        ("The match vests after one year [1].", False),
        ("Is it 4%? No: it is 6% [1].", False),  # one sentence to the splitter, ends a claim
    ],
)
def test_questions_claim_nothing_even_with_a_marker_after_them(
    sentence: str, question: bool
) -> None:
    assert is_question(sentence) is question


def test_a_coded_identifier_from_a_false_premise_is_not_mentioned_without_the_judge(
    chat: OpenAICompatibleChat, embedder: SentenceTransformerEmbedder, fake_llm: FakeOpenAIServer
) -> None:
    limits = replace(WIFI, kind="doc", text="Rate limits: Growth 600 requests per minute.")
    draft = Draft("The v3 API allows 600 requests per minute [1].", (limits,), "retrieval")
    verdicts = _verifier(chat, embedder).verify("What are the v3 API rate limits?", draft, ANN)
    assert [(v.verdict, v.check, v.reason) for v in verdicts] == [
        ("not_mentioned", "cheap", "v3 not in the cited evidence")
    ]
    assert fake_llm.requests == []


def test_identifiers_match_across_spacing_and_sql_queries_count() -> None:
    budget = replace(VPN, text="FY 2026 engineering budget; see INC 2026-014.")
    assert missing_identifiers("The FY2026 budget, after INC-2026-014.", [budget]) == []
    assert missing_identifiers("The M3 laptop and the v3 API.", [budget]) == ["M3", "v3"]
    credits = replace(
        ROWS,
        text="SQL: SELECT SUM(amount) FROM credits WHERE incident = 'INC-2026-014'\n"
        "Result:\nsum\n12611.47",
    )
    assert missing_identifiers("We paid $12,611.47 after INC-2026-014.", [credits]) == []
    assert missing_identifiers("36GB, $499, the 1st of May, 401k.", [budget]) == []  # no codes


def test_a_borrowed_number_with_an_invented_unit_is_not_mentioned_without_the_judge(
    chat: OpenAICompatibleChat, embedder: SentenceTransformerEmbedder, fake_llm: FakeOpenAIServer
) -> None:
    runbook = replace(VPN, text="Scale up: `acmectl scale webhooks --replicas 16` (default 8).")
    draft = Draft("The maximum webhook payload is 16 bytes [1].", (runbook,), "retrieval")
    verdicts = _verifier(chat, embedder).verify("Maximum webhook payload size?", draft, ANN)
    assert [(v.verdict, v.check) for v in verdicts] == [("not_mentioned", "cheap")]
    assert "16 bytes" in verdicts[0].reason and fake_llm.requests == []


@pytest.mark.parametrize(
    ("claim", "evidence", "misplaced"),
    [
        ("Certificates last 90 days.", "Device certificates are valid for 90 days.", []),
        ("Certificates last 90 days.", "Issue 90-day certificates.", []),
        ("Certificates last 90 days.", "| Cert | Lifetime (days) |\n| VPN | 90 |", []),
        ("Meals: up to $60 a day.", "Meals are reimbursed up to 60 USD daily.", []),
        ("Acme matches 4% of salary.", "Acme matches 4 percent.", []),
        ("A page is acked in 15 minutes.", "Ack within 15 min.", []),
        ("The limit is 16 KB.", "Run it with --replicas 16.", ["16 kilobytes"]),
        ("It takes 5 days.", "Step 5: wait two hours.", ["5 days"]),
        ("It was 1954 and 3 songs.", "In 1954 he wrote 3 songs.", []),  # no units to check
        ("The fee is 7%.", "The fee changed in 2026.", []),  # 7 is missing_numbers' to report
    ],
)
def test_misplaced_units_wants_the_claimed_unit_near_the_number(
    claim: str, evidence: str, misplaced: list[str]
) -> None:
    assert misplaced_units(claim, [replace(VPN, text=evidence)], "question?") == misplaced


def test_sql_rows_and_tool_results_are_not_held_to_units() -> None:
    rows = replace(
        ROWS, text="SQL: SELECT SUM(amount_usd) AS total FROM invoices\nResult:\ntotal\n12.5"
    )
    tool = replace(ROWS, kind="tool", text='{"total": 12.5}')
    for source in (rows, tool):
        assert misplaced_units("The total is $12.5.", [source], "What is the total?") == []
