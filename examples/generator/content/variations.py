"""Systematic thread variations built from database rows, so every figure matches the DB.

Each builder returns thread dicts in the same format as the hand-written threads.
"""

import datetime as _dt

from .facts import ERROR_CODES, F

# Incident templates per service: (title, cause, fix). Used for generated incidents
# (the DB) and for the matching #sre follow-up threads.
INCIDENT_POOL = {
    "billing-api": [
        (
            "Elevated 5xx on POST /v2/invoices",
            "a hot partition in the invoices table after a bulk import",
            "throttled the import and added a composite index",
        ),
        (
            "Slow invoice finalization",
            "a missing index on invoice_line_items.invoice_id after a migration",
            "added the index concurrently",
        ),
        (
            "Intermittent 502s from billing-api",
            "pods being OOM-killed after a memory regression in PDF rendering",
            "raised the memory limit and reverted the renderer bump",
        ),
    ],
    "ledger": [
        (
            "Ledger write latency spike",
            "autovacuum on the postings table competing with peak writes",
            "tuned autovacuum cost limits for the postings table",
        ),
        (
            "Delayed ledger-recon report",
            "the processor settlement file arriving 4 hours late",
            "re-ran recon once the file landed",
        ),
    ],
    "webhooks": [
        (
            "Webhook retries delayed",
            "the retry scheduler stuck on a poison message",
            "moved the message to the dead-letter queue and patched the parser",
        ),
        (
            "Duplicate webhook deliveries",
            "a consumer committing offsets after instead of before the ack timeout",
            "fixed the commit order",
        ),
    ],
    "dashboard": [
        (
            "Dashboard charts not loading",
            "an expired CDN cache rule serving stale JS bundles",
            "purged the CDN and fixed the cache key",
        ),
        (
            "Slow dashboard invoice search",
            "the search index lagging behind after a reindex",
            "paused the reindex and let it catch up off-peak",
        ),
    ],
    "auth": [
        (
            "API key validation latency",
            "the key cache TTL set to 0 by a config typo",
            "restored the 60-second TTL",
        ),
        (
            "Password reset emails delayed",
            "the email provider rate-limiting our sending domain",
            "moved reset emails to the transactional IP pool",
        ),
    ],
    "api-gateway": [
        (
            "429s for customers under their limit",
            "a rate-limiter node with a skewed clock",
            "resynced NTP and added a clock-skew alert",
        ),
        (
            "TLS handshake errors for old clients",
            "a cipher-suite change dropping TLS 1.2 ECDHE-RSA suites",
            "restored the previous cipher list",
        ),
    ],
    "invoicing": [
        (
            "Invoice PDFs missing tax lines",
            "a template change that skipped tax_breakdown for EUR",
            "fixed the template and regenerated the PDFs",
        ),
        (
            "Scheduled invoices created twice",
            "two scheduler leaders after a network partition",
            "added a fencing token to the scheduler lock",
        ),
    ],
    "notifications": [
        (
            "Dunning emails not sent",
            "an expired API token for the email provider",
            "rotated the token and added an expiry alert",
        ),
    ],
    "reporting": [
        (
            "Revenue report export timeouts",
            "a query plan regression after a Postgres minor upgrade",
            "pinned the plan with an index hint",
        ),
    ],
    "fx-rates": [
        (
            "Stale FX rates for 2 hours",
            "the upstream rates provider returning cached data",
            "switched to the secondary provider",
        ),
    ],
    "fraud-check": [
        (
            "Legitimate payments flagged as fraud",
            "a new rule with an inverted threshold",
            "disabled the rule and added a shadow-mode stage for new rules",
        ),
    ],
    "search": [
        (
            "Search cluster yellow",
            "a node running out of disk after a log spike",
            "added disk and lowered log retention on the node",
        ),
    ],
    "admin-console": [
        (
            "Admin console 403 for support",
            "an Okta group rename breaking role mapping",
            "mapped roles by group id instead of name",
        ),
    ],
    "data-pipeline": [
        (
            "Warehouse sync 6 hours behind",
            "a schema change in the events table breaking the loader",
            "updated the loader schema and backfilled",
        ),
    ],
    "scheduler": [
        (
            "Cron jobs skipped overnight",
            "the scheduler pod evicted during node maintenance",
            "added a PodDisruptionBudget",
        ),
    ],
}

ENDPOINT_FOR = {
    "ACME-1001": "GET /v2/customers",
    "ACME-1002": "POST /v2/invoices",
    "ACME-1003": "POST /v2/invoices",
    "ACME-2001": "POST /v2/payments",
    "ACME-2002": "POST /v2/payments",
    "ACME-2003": "POST /v2/payments",
    "ACME-2004": "POST /v2/payments",
    "ACME-3001": "POST /v2/payments",
    "ACME-3002": "POST /v2/invoices/{id}/finalize",
    "ACME-4001": "GET /v2/invoices",
    "ACME-4002": "POST /v2/customers",
    "ACME-5001": "POST /v2/payments",
    "ACME-5002": "POST /v2/payments",
}
ERR = {c[0]: c for c in ERROR_CODES}


def T(channel, key, when, msgs):
    return dict(channel=channel, key=key, when=when, msgs=msgs)


def error_code_threads(rng, tickets, support_keys, eng_keys):
    """tickets: list of dicts with id, customer, plan, region, error_code, opened_at."""
    out = []
    openers = [
        "Ticket {tid}: {cust} ({plan}, {region}) keeps getting `{code}` on `{ep}`. What should I tell them?",
        "{cust} is asking about `{code}` responses from `{ep}` (ticket {tid}, {plan} plan). Expected?",
        "Escalating ticket {tid}: {cust} sees `{code}` since this morning on `{ep}`. They're on {plan} in {region}.",
    ]
    closers = [
        "Thanks, replied to the customer.",
        "Makes sense, closing the ticket with that explanation.",
        "Perfect, they confirmed it works now.",
        "Got it, added that to the macro.",
    ]
    for i, t in enumerate(tickets):
        code, http, name, meaning, fix = ERR[t["error_code"]]
        sup = support_keys[i % len(support_keys)]
        eng = eng_keys[(i // 2) % len(eng_keys)]
        opener = openers[i % len(openers)].format(
            tid=f"#{t['id']}",
            cust=t["customer"],
            plan=t["plan"],
            region=t["region"],
            code=code,
            ep=ENDPOINT_FOR[code],
        )
        answer = (
            f"`{code}` is `{name}` (HTTP {http}): {meaning} {fix} [[api/errors.md|Error codes]]"
        )
        msgs = [(sup, opener), (eng, answer)]
        if i % 3 != 2:
            msgs.append((sup, closers[i % len(closers)]))
        out.append(T("support-escalations", f"err_{t['id']}", t["opened_at"][:16], msgs))
    return out


def incident_threads(incidents, name_of):
    """incidents: generated (non-hand-written) incidents with title/cause/fix/service/commander."""
    out = []
    askers = ["ben", "fatima", "kenji", "raj", "marcus", "yuki", "ethan", "liam"]
    for i, inc in enumerate(incidents):
        dur = inc["minutes"]
        cmd = inc["commander"]
        asker = askers[i % len(askers)]
        first = (
            f"{inc['id']} ({inc['severity']}, {inc['service']}) resolved at {inc['resolved_at'][11:16]} UTC after "
            f"{dur} minutes: *{inc['title']}*. Cause: {inc['cause']}."
        )
        q = [
            "Any customer impact we should know about?",
            "Do we need a postmortem for this one?",
            "What was the fix?",
            "Is it safe to deploy again?",
        ][i % 4]
        if i % 4 == 0:
            a = (
                "Minor: " if inc["severity"] == "SEV3" else "Yes, some: "
            ) + f"the fix was that we {inc['fix']}. Support has the macro."
        elif i % 4 == 1:
            a = (
                "No, SEV3s only need the incident summary. "
                if inc["severity"] == "SEV3"
                else "Yes, SEV2 gets a short postmortem within 5 business days. "
            ) + "[[runbooks/incident-response.md|Incident response]]"
        elif i % 4 == 2:
            a = f"We {inc['fix']}."
        else:
            a = f"Yes, {inc['service']} deploys are unblocked."
        out.append(
            T(
                "sre",
                f"inc_{inc['id']}",
                inc["resolved_at"][:16],
                [(cmd, first), (asker, q), (cmd, a)],
            )
        )
    return out


def discount_threads(rng, deals):
    """deals: list of (customer, plan, pct, ae_key, when)."""
    out = []
    for i, (cust, plan, pct, ae, when) in enumerate(deals):
        if pct <= 10:
            resp = "carlos"
            ans = f"{pct}% is within your own {F['disc_ae']} authority, no approval needed. Go for it."
        elif pct <= 20:
            resp = "carlos"
            ans = f"{pct}% is VP Sales territory, so me. Approved, log it on the Discount Request."
        elif pct <= 30:
            resp = "daniel"
            ans = f"{pct}% needs CFO approval. Approved given the multi-year term; please note it on the opportunity."
        else:
            resp = "olivia"
            ans = f"{pct}% is above {F['disc_cfo']}, so it comes to me. Let's talk before you send anything."
        q = f"{cust} ({plan}) is asking for {pct}% off on their renewal. Who signs off on this?"
        out.append(T("sales", f"disc_{i}", when, [(ae, q), (resp, ans)]))
    return out


def deploy_threads(deploys, name_of):
    """deploys: DB deploy rows (service, version, deployed_at, deployed_by_key, status)."""
    askers = ["ethan", "liam", "yuki", "ben", "fatima", "aisha"]
    out = []
    for i, d in enumerate(deploys):
        asker = askers[i % len(askers)]
        q = f"Is {d['service']} {d['version']} live in prod yet? A customer is waiting on the fix."
        if d["status"] == "succeeded":
            a = f"Yes, deployed {d['deployed_at'][:10]} at {d['deployed_at'][11:16]} UTC."
        else:
            a = f"It went out {d['deployed_at'][:10]} but was rolled back the same day; a fixed version is coming."
        nxt = (_dt.date.fromisoformat(d["deployed_at"][:10]) + _dt.timedelta(days=1)).isoformat()
        out.append(T("deploys", f"depq_{i}", nxt + " 08:30", [(asker, q), (d["deployed_by"], a)]))
    return out


APPS = [
    ("Looker", "samuel"),
    ("Salesforce", "carlos"),
    ("Zendesk", "fatima"),
    ("Grafana", "lena"),
    ("PagerDuty", "lena"),
    ("Workday", "helen"),
    ("Figma", "yuki"),
    ("Coupa", "mei"),
    ("GitHub", "victor"),
    ("AWS console", "victor"),
    ("Lattice", "grace"),
    ("Gong", "carlos"),
]


def access_threads(rng, requesters, days):
    out = []
    for i, (app, owner) in enumerate(APPS):
        req = requesters[i % len(requesters)]
        prod = app in ("AWS console", "GitHub")
        msgs = [
            (req, f"How do I get access to {app}?"),
            (
                "omar",
                f"Open an *Access Request* in the IT portal; {app} is owned by @@{owner}, who approves it. "
                + (
                    "Because it's production access you'll also need a " + F["yubikey"] + ". "
                    if prod
                    else ""
                )
                + "[[it/sso.html|SSO doc]]",
            ),
            (owner, "Approved.", "+1d"),
        ]
        out.append(T("it-help", f"access_{i}", days[i], msgs))
    return out
