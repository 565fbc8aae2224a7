#!/usr/bin/env python3
"""Generate the Acme Cloud sample workspace (Slack export, docs, SQLite DB, golden set).

Usage:  python examples/generator/generate_acme.py --out examples/acme [--seed 42]

Deterministic: same seed -> byte-identical output. Needs stdlib + fpdf2 (for the PDFs).
Fails loudly if the golden set does not verify against the generated workspace.
"""

import argparse
import datetime as dt
import json
import os
import random
import re
import shutil
import sqlite3
import sys

sys.dont_write_bytecode = True

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from content import docs_md, docs_other, golden, threads_a, threads_b, variations  # noqa: E402
from content import facts as FX  # noqa: E402
from content.facts import CHANNELS, INCIDENTS, ONCALL, PEOPLE, PRIVATE, RESTRICTED, SERVICES  # noqa: E402

UTC = dt.UTC
P = {
    p[0]: dict(
        key=p[0],
        name=p[1],
        slack_id=p[2],
        title=p[3],
        groups=p[4],
        manager=p[5],
        dept=p[6],
        start=p[7],
        email=FX.email(p[0]),
    )
    for p in PEOPLE
}
CH = {
    c[0]: dict(
        name=c[0], id=c[1], private=c[2], purpose=c[3], topic=c[4], creator=c[5], members=c[6]
    )
    for c in CHANNELS
}
START = dt.date(2026, 1, 5)
END = dt.date(2026, 10, 30)
US_HOLIDAYS = {"2026-01-19", "2026-04-03", "2026-05-25", "2026-07-03", "2026-09-07"}


class GenError(Exception):
    pass


def fail(msg):
    raise GenError(msg)


def parse_when(s):
    return dt.datetime.strptime(s, "%Y-%m-%d %H:%M").replace(tzinfo=UTC)


def ts_of(d):
    return int(d.timestamp())


# ----------------------------------------------------------------- members
def channel_members(c):
    m = c["members"]
    if m is None:
        keys = list(P)
    elif m == "eng+":
        keys = [k for k in P if {"engineering", "sre"} & set(P[k]["groups"])] + [
            "nora",
            "fatima",
            "liam",
            "ethan",
        ]
    elif m == "sales+":
        keys = [k for k in P if {"sales", "exec"} & set(P[k]["groups"])] + ["mei"]
    elif m == "support+":
        keys = [k for k in P if {"support", "engineering"} & set(P[k]["groups"])]
    else:
        keys = list(m)
    seen = []
    for k in keys:
        if k not in seen:
            seen.append(k)
    return seen


# -------------------------------------------------------------------- DB
FIRST = [
    "Alex",
    "Jordan",
    "Sam",
    "Taylor",
    "Morgan",
    "Riley",
    "Casey",
    "Jamie",
    "Avery",
    "Quinn",
    "Noah",
    "Emma",
    "Lucas",
    "Mia",
    "Elena",
    "Ivan",
    "Chloe",
    "Mateo",
    "Zara",
    "Hugo",
    "Ines",
    "Arjun",
    "Leah",
    "Felix",
    "Amara",
    "Oscar",
    "Sana",
    "Theo",
    "Nina",
    "Diego",
    "Maya",
    "Pavel",
    "Rosa",
]
LAST = [
    "Novak",
    "Reyes",
    "Murphy",
    "Kowalski",
    "Nguyen",
    "Brennan",
    "Costa",
    "Lund",
    "Hughes",
    "Silva",
    "Moreau",
    "Khan",
    "Duarte",
    "Petrov",
    "Keane",
    "Ahmed",
    "Berg",
    "Rossi",
    "Tan",
    "Lopez",
    "Yilmaz",
    "Dubois",
    "Ortiz",
    "Schultz",
    "Ito",
    "Farrell",
    "Mensah",
    "Lee",
    "Varga",
    "Quinlan",
    "Haas",
    "Romero",
    "Soto",
]
EXTRA_ROLES = [
    ("Engineering", "Software Engineer", "sofia"),
    ("Engineering", "Software Engineer", "victor"),
    ("Engineering", "Senior Software Engineer", "sofia"),
    ("Engineering", "Frontend Engineer", "victor"),
    ("Engineering", "Data Engineer", "victor"),
    ("Engineering", "Site Reliability Engineer", "lena"),
    ("Sales", "Account Executive", "carlos"),
    ("Sales", "Account Executive", "carlos"),
    ("Sales", "Sales Development Representative", "carlos"),
    ("Support", "Support Engineer", "fatima"),
    ("Support", "Support Engineer", "fatima"),
    ("Marketing", "Product Marketing Manager", "olivia"),
    ("Customer Success", "Customer Success Manager", "carlos"),
    ("Product", "Product Designer", "yuki"),
    ("Finance", "Accountant", "mei"),
    ("People", "Recruiter", "helen"),
]
CUST_A = [
    "Aurora",
    "Bluefin",
    "Cedar",
    "Driftwood",
    "Ember",
    "Fjord",
    "Granite",
    "Harbor",
    "Ironclad",
    "Juniper",
    "Keystone",
    "Lumen",
    "Maple",
    "Nimbus",
    "Orchid",
    "Pinnacle",
    "Quarry",
    "Redwood",
    "Summit",
    "Tidewater",
    "Umber",
    "Vantage",
    "Willow",
    "Zephyr",
    "Atlas",
    "Beacon",
    "Cobalt",
    "Delta",
    "Evergreen",
    "Falcon",
    "Horizon",
    "Kestrel",
]
CUST_B = [
    "Analytics",
    "Logistics",
    "Health",
    "Software",
    "Labs",
    "Systems",
    "Robotics",
    "Media",
    "Foods",
    "Energy",
    "Learning",
    "Security",
    "Travel",
    "Studios",
    "Networks",
    "Payments",
    "Legal",
]


def build_db(rng, path):
    emps = []  # dict(id, name, email, dept, title, manager_key/manager_id, start, key)
    for i, k in enumerate(P, start=1):
        p = P[k]
        emps.append(
            dict(
                id=i,
                key=k,
                name=p["name"],
                email=p["email"],
                dept=p["dept"],
                title=p["title"],
                manager=p["manager"],
                start=p["start"],
            )
        )
    key_to_id = {e["key"]: e["id"] for e in emps}
    used = {e["name"] for e in emps}
    n = len(emps)
    while len(emps) < 60:
        dept, title, mgr = EXTRA_ROLES[(len(emps) - n) % len(EXTRA_ROLES)]
        while True:
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            if name not in used:
                break
        used.add(name)
        start = dt.date(2019, 6, 1) + dt.timedelta(days=rng.randrange(0, 2600))
        eid = len(emps) + 1
        emps.append(
            dict(
                id=eid,
                key=f"x{eid}",
                name=name,
                email=name.lower().replace(" ", ".") + "@acme.example",
                dept=dept,
                title=title,
                manager=mgr,
                start=start.isoformat(),
            )
        )
    for e in emps:
        e["manager_id"] = key_to_id.get(e["manager"]) if e["manager"] else None

    # customers
    names = sorted({f"{a} {b}" for a in CUST_A for b in CUST_B})
    rng.shuffle(names)
    owners_ent = [key_to_id[k] for k in ("jessica", "ben")] + [
        e["id"] for e in emps if e["title"] == "Account Executive" and e["key"].startswith("x")
    ]
    owners_small = owners_ent + [
        e["id"]
        for e in emps
        if e["title"] in ("Sales Development Representative", "Customer Success Manager")
        and e["key"].startswith("x")
    ]
    customers = []
    for i in range(400):
        plan = rng.choices(["starter", "growth", "enterprise"], [50, 35, 15])[0]
        region = rng.choices(["NA", "EMEA", "APAC"], [50, 32, 18])[0]
        signup = dt.date(2021, 1, 4) + dt.timedelta(
            days=rng.randrange(0, (dt.date(2026, 10, 15) - dt.date(2021, 1, 4)).days)
        )
        owner = rng.choice(owners_ent if plan == "enterprise" else owners_small)
        base = {
            "starter": 49.0,
            "growth": 499.0,
            "enterprise": float(rng.choice([2500, 3500, 5000, 7500, 12000])),
        }[plan]
        customers.append(
            dict(
                id=i + 1,
                name=names[i],
                plan=plan,
                region=region,
                signup=signup.isoformat(),
                owner=owner,
                base=base,
            )
        )

    # invoices: monthly for 2026 (Jan..Oct) for customers signed up before the month
    invoices = []
    for m in range(1, 11):
        month_start = dt.date(2026, m, 1)
        for c in customers:
            if c["signup"] >= month_start.isoformat():
                continue
            if rng.random() < 0.12:  # paused / skipped months
                continue
            fee = {"starter": 0.008, "growth": 0.005, "enterprise": 0.003}[c["plan"]]
            volume = rng.uniform(2_000, 40_000) * (
                1 if c["plan"] == "starter" else 8 if c["plan"] == "growth" else 60
            )
            amount = round(c["base"] + volume * fee, 2)
            created = dt.datetime(2026, m, 1, 2, 0, tzinfo=UTC) + dt.timedelta(minutes=c["id"])
            if m == 10:
                status = rng.choices(["open", "paid"], [70, 30])[0]
            elif m == 9:
                status = rng.choices(["paid", "overdue", "open"], [80, 12, 8])[0]
            else:
                status = rng.choices(["paid", "overdue", "void"], [95, 2, 3])[0]
            invoices.append(
                dict(
                    customer_id=c["id"],
                    amount=amount,
                    status=status,
                    created=created.strftime("%Y-%m-%d %H:%M:%S"),
                    due=(created + dt.timedelta(days=30)).strftime("%Y-%m-%d"),
                )
            )
    invoices.sort(key=lambda x: (x["created"], x["customer_id"]))
    for i, inv in enumerate(invoices, start=1):
        inv["id"] = i

    # tickets
    support_ids = [key_to_id[k] for k in ("ethan", "liam", "fatima")] + [
        e["id"] for e in emps if e["title"] == "Support Engineer" and e["key"].startswith("x")
    ]
    subjects = [
        "Invoice total looks wrong",
        "How do I change the billing email?",
        "Webhook events missing",
        "Need a copy of last month's invoice",
        "Dashboard export is slow",
        "Question about proration",
        "Card payments failing for some payers",
        "How to set up dunning emails",
        "SAML SSO setup help",
        "Tax calculation question",
        "Refund via API",
        "Change plan from Starter to Growth",
        "Feature request: custom invoice fields",
        "API key rotation",
        "Currency support question",
    ]
    codes = [c[0] for c in FX.ERROR_CODES]
    tickets = []
    t0 = dt.datetime(2026, 1, 5, tzinfo=UTC)
    span = int((dt.datetime(2026, 10, 30, tzinfo=UTC) - t0).total_seconds())
    for _ in range(1000):
        c = rng.choice(customers)
        pri = rng.choices(["P1", "P2", "P3", "P4"], [5, 15, 55, 25])[0]
        opened = t0 + dt.timedelta(seconds=rng.randrange(0, span))
        opened = opened.replace(second=0)
        hours = {
            "P1": rng.uniform(1, 10),
            "P2": rng.uniform(4, 48),
            "P3": rng.uniform(8, 120),
            "P4": rng.uniform(24, 400),
        }[pri]
        closed = opened + dt.timedelta(hours=hours)
        if closed > dt.datetime(2026, 10, 30, 18, tzinfo=UTC) or rng.random() < 0.04:
            status, closed_s = rng.choice(["open", "pending"]), None
        else:
            status, closed_s = "closed", closed.strftime("%Y-%m-%d %H:%M:%S")
        code = rng.choice(codes) if rng.random() < 0.3 else None
        subj = f"Getting {code} from the API" if code else rng.choice(subjects)
        tickets.append(
            dict(
                customer_id=c["id"],
                priority=pri,
                status=status,
                subject=subj,
                code=code,
                opened=opened.strftime("%Y-%m-%d %H:%M:%S"),
                closed=closed_s,
                assignee=rng.choice(support_ids),
            )
        )
    tickets.sort(key=lambda t: t["opened"])
    for i, t in enumerate(tickets, start=1):
        t["id"] = 4000 + i

    # services
    svc_id = {s[0]: i for i, s in enumerate(SERVICES, start=1)}

    # incidents
    incidents = []
    pools = {k: list(v) for k, v in variations.INCIDENT_POOL.items()}
    svc_weights = [
        (s[0], 4 if s[2] == "tier-1" else 2 if s[2] == "tier-2" else 1) for s in SERVICES
    ]
    commanders = ["priya", "tom", "victor", "lena"]
    for n in range(1, 41):
        iid = f"INC-2026-{n:03d}"
        if n in INCIDENTS:
            x = INCIDENTS[n]
            st, en = parse_when(x["start"]), parse_when(x["end"])
            incidents.append(
                dict(
                    id=iid,
                    service=x["service"],
                    severity=x["severity"],
                    title=x["title"],
                    started=st,
                    resolved=en,
                    commander=x["commander"],
                    generated=False,
                )
            )
            continue
        slot = dt.datetime(2026, 1, 6, tzinfo=UTC) + dt.timedelta(days=7 * (n - 1))
        st = slot + dt.timedelta(
            days=rng.randrange(0, 5), hours=rng.randrange(1, 21), minutes=rng.randrange(0, 60)
        )
        while True:
            svc = rng.choices([s for s, _ in svc_weights], [w for _, w in svc_weights])[0]
            if pools.get(svc):
                break
        title, cause, fix = pools[svc].pop(0) if len(pools[svc]) > 1 else pools[svc][0]
        sev = rng.choices(["SEV2", "SEV3"], [30, 70])[0]
        minutes = rng.randrange(18, 150) if sev == "SEV2" else rng.randrange(10, 90)
        incidents.append(
            dict(
                id=iid,
                service=svc,
                severity=sev,
                title=title,
                cause=cause,
                fix=fix,
                started=st,
                resolved=st + dt.timedelta(minutes=minutes),
                commander=rng.choice(commanders),
                generated=True,
                minutes=minutes,
            )
        )

    # deployments
    deployers = {
        "payments": ["marcus", "sofia", "raj"],
        "ledger": ["raj", "marcus"],
        "integrations": ["kenji", "victor"],
        "web": ["x29", "x31"],
        "identity": ["hannah", "tom"],
        "platform": ["victor", "tom", "priya"],
        "data": ["x32", "x28"],
    }
    weights = {"tier-1": 9, "tier-2": 4, "tier-3": 2}
    raw = []
    days = [START + dt.timedelta(days=i) for i in range((END - START).days + 1)]
    workdays = [d for d in days if d.weekday() < 5 and d.isoformat() not in US_HOLIDAYS]
    svc_list = [s[0] for s in SERVICES]
    svc_w = [weights[s[2]] for s in SERVICES]
    while len(raw) < 590:
        svc = rng.choices(svc_list, svc_w)[0]
        d = rng.choice(workdays)
        hour = rng.randrange(9, 18) if d.weekday() < 4 else rng.randrange(9, 15)
        when = dt.datetime(d.year, d.month, d.day, hour, rng.randrange(0, 60), tzinfo=UTC)
        team = SERVICES[svc_id[svc] - 1][1]
        status = "rolled_back" if rng.random() < 0.035 else "succeeded"
        raw.append(
            dict(service=svc, when=when, by=rng.choice(deployers[team]), status=status, pinned=None)
        )

    # ledger constraints for INC-2026-014 (v3.8.0 first in April, v3.7.4 last in March)
    # and INC-2026-037 (v3.13.2 third in September, v3.13.3 fix)
    def in_range(r, a, b):
        return r["service"] == "ledger" and a <= r["when"] < b

    def A(*x):
        return dt.datetime(*x, tzinfo=UTC)

    raw = [r for r in raw if not in_range(r, A(2026, 4, 1), A(2026, 4, 8))]
    raw = [r for r in raw if not in_range(r, A(2026, 9, 14), A(2026, 9, 16))]
    raw = [
        r
        for r in raw
        if not (r["service"] == "ledger" and r["when"].month == 3 and r["status"] == "rolled_back")
    ]
    raw = [
        r
        for r in raw
        if not (r["service"] == "ledger" and r["when"].month == 3 and r["when"].day > 27)
    ]

    def force_count(a, b, k, day_from):
        cur = sorted([r for r in raw if in_range(r, a, b)], key=lambda r: r["when"])
        while len(cur) > k:
            raw.remove(cur.pop())
        d = day_from
        while len(cur) < k:
            w = A(2026, a.month, d, 11, 15)
            if w.date() in workdays:
                r = dict(service="ledger", when=w, by="raj", status="succeeded", pinned=None)
                raw.append(r)
                cur.append(r)
            d += 1

    force_count(A(2026, 3, 1), A(2026, 4, 1), 5, 2)
    force_count(A(2026, 9, 1), A(2026, 9, 14), 2, 1)
    raw.append(
        dict(
            service="ledger",
            when=A(2026, 4, 7, 13, 5),
            by="raj",
            status="rolled_back",
            pinned="v3.8.0",
        )
    )
    raw.append(
        dict(
            service="ledger",
            when=A(2026, 4, 7, 16, 30),
            by="raj",
            status="succeeded",
            pinned="v3.8.1",
        )
    )
    raw.append(
        dict(
            service="ledger",
            when=A(2026, 9, 14, 10, 20),
            by="raj",
            status="succeeded",
            pinned="v3.13.2",
        )
    )
    raw.append(
        dict(
            service="ledger",
            when=A(2026, 9, 15, 18, 40),
            by="raj",
            status="succeeded",
            pinned="v3.13.3",
        )
    )
    # for each service in each month, versions vMAJOR.(MINOR+month-1).PATCH in deploy order
    raw.sort(key=lambda r: (r["when"], r["service"]))
    counters = {}
    for r in raw:
        s = SERVICES[svc_id[r["service"]] - 1]
        k = (r["service"], r["when"].month)
        patch = counters.get(k, 0)
        counters[k] = patch + 1
        r["version"] = f"v{s[3]}.{s[4] + r['when'].month - 1}.{patch}"
        if r["pinned"] and r["pinned"] != r["version"]:
            fail(f"pinned deploy {r['service']} {r['pinned']} got {r['version']}")
    ks = {e["key"]: e["id"] for e in emps}
    for i, r in enumerate(raw, start=1):
        r["id"] = i
        r["by_id"] = ks[r["by"]]

    # write sqlite
    if os.path.exists(path):
        os.remove(path)
    con = sqlite3.connect(path)
    con.executescript("""
PRAGMA foreign_keys = ON;
CREATE TABLE employees (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL UNIQUE, \
department TEXT NOT NULL,
  title TEXT NOT NULL, manager_id INTEGER REFERENCES employees(id), start_date TEXT NOT NULL);
CREATE TABLE services (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, owner_team TEXT NOT \
NULL, tier TEXT NOT NULL);
CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, plan TEXT NOT NULL \
CHECK (plan IN ('starter','growth','enterprise')),
  region TEXT NOT NULL CHECK (region IN ('NA','EMEA','APAC')), signup_date TEXT NOT NULL,
  account_owner_id INTEGER NOT NULL REFERENCES employees(id), monthly_base_usd REAL NOT NULL);
CREATE TABLE invoices (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES \
customers(id), amount_usd REAL NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('paid','open','overdue','void')), created_at TEXT NOT \
NULL, due_date TEXT NOT NULL);
CREATE TABLE tickets (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES \
customers(id), subject TEXT NOT NULL,
  priority TEXT NOT NULL CHECK (priority IN ('P1','P2','P3','P4')), status TEXT NOT NULL CHECK \
(status IN ('open','pending','closed')),
  error_code TEXT, opened_at TEXT NOT NULL, closed_at TEXT, assignee_id INTEGER REFERENCES \
employees(id));
CREATE TABLE incidents (id TEXT PRIMARY KEY, service_id INTEGER NOT NULL REFERENCES services(id),
  severity TEXT NOT NULL CHECK (severity IN ('SEV1','SEV2','SEV3')), title TEXT NOT NULL, \
started_at TEXT NOT NULL,
  resolved_at TEXT NOT NULL, commander_id INTEGER REFERENCES employees(id));
CREATE TABLE deployments (id INTEGER PRIMARY KEY, service_id INTEGER NOT NULL REFERENCES \
services(id), version TEXT NOT NULL,
  deployed_at TEXT NOT NULL, deployed_by INTEGER NOT NULL REFERENCES employees(id),
  status TEXT NOT NULL CHECK (status IN ('succeeded','rolled_back')), environment TEXT NOT NULL \
DEFAULT 'prod');
""")
    fmt = "%Y-%m-%d %H:%M:%S"
    con.executemany(
        "INSERT INTO employees VALUES (?,?,?,?,?,?,?)",
        [
            (e["id"], e["name"], e["email"], e["dept"], e["title"], e["manager_id"], e["start"])
            for e in emps
        ],
    )
    con.executemany(
        "INSERT INTO services VALUES (?,?,?,?)",
        [(svc_id[s[0]], s[0], s[1], s[2]) for s in SERVICES],
    )
    con.executemany(
        "INSERT INTO customers VALUES (?,?,?,?,?,?,?)",
        [
            (c["id"], c["name"], c["plan"], c["region"], c["signup"], c["owner"], c["base"])
            for c in customers
        ],
    )
    con.executemany(
        "INSERT INTO invoices VALUES (?,?,?,?,?,?)",
        [
            (i["id"], i["customer_id"], i["amount"], i["status"], i["created"], i["due"])
            for i in invoices
        ],
    )
    con.executemany(
        "INSERT INTO tickets VALUES (?,?,?,?,?,?,?,?,?)",
        [
            (
                t["id"],
                t["customer_id"],
                t["subject"],
                t["priority"],
                t["status"],
                t["code"],
                t["opened"],
                t["closed"],
                t["assignee"],
            )
            for t in tickets
        ],
    )
    con.executemany(
        "INSERT INTO incidents VALUES (?,?,?,?,?,?,?)",
        [
            (
                x["id"],
                svc_id[x["service"]],
                x["severity"],
                x["title"],
                x["started"].strftime(fmt),
                x["resolved"].strftime(fmt),
                ks[x["commander"]],
            )
            for x in incidents
        ],
    )
    con.executemany(
        "INSERT INTO deployments VALUES (?,?,?,?,?,?,?)",
        [
            (
                r["id"],
                svc_id[r["service"]],
                r["version"],
                r["when"].strftime(fmt),
                r["by_id"],
                r["status"],
                "prod",
            )
            for r in raw
        ],
    )
    con.commit()
    con.execute("VACUUM")
    con.close()
    return dict(
        emps=emps,
        customers=customers,
        tickets=tickets,
        incidents=incidents,
        deploys=raw,
        key_to_id=ks,
    )


DESCRIPTIONS = {
    "employees": (
        "One row per Acme Cloud employee (current staff).",
        {
            "id": "Employee id (primary key).",
            "name": "Full name.",
            "email": "Work email address (@acme.example); matches users.yaml.",
            "department": "Department, e.g. Engineering, Sales, Support, Finance, People, IT.",
            "title": "Job title.",
            "manager_id": "Employee id of the direct manager (NULL for the CEO).",
            "start_date": "First working day (YYYY-MM-DD).",
        },
    ),
    "services": (
        "Production services that make up the Acme Billing platform.",
        {
            "id": "Service id (primary key).",
            "name": "Service name, e.g. billing-api, ledger, webhooks.",
            "owner_team": "Engineering team that owns the service.",
            "tier": "Criticality: tier-1 (customer-facing, paged 24/7), tier-2 or tier-3.",
        },
    ),
    "customers": (
        "One row per paying customer account.",
        {
            "id": "Customer id (primary key).",
            "name": "Customer company name.",
            "plan": "Subscription tier: starter, growth or enterprise.",
            "region": "Sales region: NA, EMEA or APAC.",
            "signup_date": "Date the account was created (YYYY-MM-DD).",
            "account_owner_id": "Employee id of the account owner (sales/CS).",
            "monthly_base_usd": (
                "Monthly subscription base price in USD "
                "(49 for Starter, 499 for Growth, contract price for Enterprise)."
            ),
        },
    ),
    "invoices": (
        "Monthly invoices issued to customers in 2026 (subscription base plus platform fee).",
        {
            "id": "Invoice id (primary key).",
            "customer_id": "Customer billed (customers.id).",
            "amount_usd": "Invoice total in USD.",
            "status": (
                "paid, open (not yet due or not yet paid), overdue (past due date, unpaid) or void."
            ),
            "created_at": "When the invoice was issued (UTC, YYYY-MM-DD HH:MM:SS).",
            "due_date": "Payment due date (30 days after issue).",
        },
    ),
    "tickets": (
        "Customer support tickets.",
        {
            "id": "Ticket number (primary key), shown as #NNNN in Slack.",
            "customer_id": "Customer who opened the ticket (customers.id).",
            "subject": "Ticket subject line.",
            "priority": "P1 (production down / payments failing), P2, P3 or P4 (feature request).",
            "status": "open, pending (waiting on customer) or closed.",
            "error_code": "Acme API error code reported, e.g. ACME-2001; NULL if none.",
            "opened_at": "When the ticket was opened (UTC).",
            "closed_at": "When the ticket was closed (UTC); NULL if not closed.",
            "assignee_id": "Support employee assigned (employees.id).",
        },
    ),
    "incidents": (
        "Production incidents declared in 2026.",
        {
            "id": "Incident id, e.g. INC-2026-014 (primary key).",
            "service_id": "Primarily affected service (services.id).",
            "severity": "SEV1 (major customer impact), SEV2 (degraded) or SEV3 (minor).",
            "title": "Short incident title.",
            "started_at": "Start of customer impact (UTC).",
            "resolved_at": "When the incident was resolved (UTC).",
            "commander_id": "Incident commander (employees.id).",
        },
    ),
    "deployments": (
        "Production deployments recorded by deploybot.",
        {
            "id": "Deployment id (primary key).",
            "service_id": "Deployed service (services.id).",
            "version": "Service version, e.g. v2.14.3.",
            "deployed_at": "When the deploy was promoted to production (UTC).",
            "deployed_by": "Employee who ran the deploy (employees.id).",
            "status": "succeeded or rolled_back.",
            "environment": "Always prod.",
        },
    ),
}


def q(s):
    return json.dumps(s, ensure_ascii=False)


def write_text(path, text):
    with open(path, "w") as fh:
        fh.write(text)


def write_json(path, obj):
    with open(path, "w") as fh:
        json.dump(obj, fh, indent=2)


def write_descriptions(path):
    lines = ["tables:"]
    for t, (desc, cols) in DESCRIPTIONS.items():
        lines.append(f"  {t}:")
        lines.append(f"    description: {q(desc)}")
        lines.append("    columns:")
        for c, d in cols.items():
            lines.append(f"      {c}: {q(d)}")
    write_text(path, "\n".join(lines) + "\n")


# -------------------------------------------------------------------- docs
def html_to_text(h):
    h = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", h, flags=re.S)
    h = re.sub(r"<[^>]+>", " ", h)
    for a, b in (("&gt;", ">"), ("&lt;", "<"), ("&amp;", "&"), ("&quot;", '"')):
        h = h.replace(a, b)
    return re.sub(r"\s+", " ", h)


LATIN = {
    "\u2019": "'",
    "\u2018": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u2014": "-",
    "\u2013": "-",
    "\u2026": "...",
}


def latin1(s):
    for a, b in LATIN.items():
        s = s.replace(a, b)
    s.encode("latin-1")
    return s


def write_pdf(path, pages, title):
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_creation_date(dt.datetime(2026, 1, 5, tzinfo=UTC))
    pdf.set_title(title)
    pdf.set_author("Acme Cloud")
    pdf.set_creator("acme sample workspace generator")
    pdf.set_producer("fpdf2")
    pdf.set_auto_page_break(False)
    for n, page in enumerate(pages, start=1):
        pdf.add_page()
        w = pdf.w - 2 * pdf.l_margin
        for kind, text in page:
            text = latin1(text)
            if kind == "h1":
                pdf.set_font("Helvetica", "B", 16)
                pdf.multi_cell(w, 8, text)
                pdf.ln(3)
            elif kind == "h2":
                pdf.set_font("Helvetica", "B", 13)
                pdf.ln(2)
                pdf.multi_cell(w, 7, text)
                pdf.ln(1)
            elif kind == "li":
                pdf.set_font("Helvetica", "", 11)
                pdf.multi_cell(w, 6, "- " + text)
            else:
                pdf.set_font("Helvetica", "", 11)
                pdf.multi_cell(w, 6, text)
                pdf.ln(2)
        pdf.set_y(-15)
        pdf.set_font("Helvetica", "I", 8)
        pdf.cell(0, 8, f"{latin1(title)} - page {n} of {len(pages)}", align="C")
    pdf.output(path)


def build_docs(out):
    texts = {}
    root = os.path.join(out, "docs")
    all_docs = {}
    all_docs.update(docs_md.docs())
    all_docs.update(docs_md.txt_docs())
    all_docs.update(docs_other.html_docs())
    for rel, body in sorted(all_docs.items()):
        p = os.path.join(root, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w", encoding="utf-8") as fh:
            fh.write(body)
        texts[rel] = html_to_text(body) if rel.endswith(".html") else body
    for rel, pages in sorted(docs_other.pdf_docs().items()):
        p = os.path.join(root, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        title = pages[0][0][1]
        write_pdf(p, pages, title)
        texts[rel] = "\n".join(t for page in pages for _, t in page)
    return texts


# ------------------------------------------------------------------- slack
def render_text(s):
    s = re.sub(r"@@([a-z]+)", lambda m: f"<@{P[m.group(1)]['slack_id']}>", s)
    s = re.sub(
        r"\[\[([^|\]]+)\|([^\]]+)\]\]", lambda m: f"<{FX.DOCS_URL}/{m.group(1)}|{m.group(2)}>", s
    )
    return s


def plain(s):
    """Text used for verification (mentions -> names)."""
    s = re.sub(r"<@([A-Z0-9]+)>", lambda m: "@" + SID_NAME.get(m.group(1), m.group(1)), s)
    s = re.sub(r"<(https?://[^|>]+)\|([^>]+)>", r"\2 (\1)", s)
    return s


SID_NAME = {p["slack_id"]: p["name"] for p in P.values()}
SID_KEY = {p["slack_id"]: k for k, p in P.items()}


def build_slack(rng, out, all_threads, db):
    sroot = os.path.join(out, "slack")
    os.makedirs(sroot, exist_ok=True)
    # users.json
    users = []
    for p in P.values():
        users.append(
            {
                "id": p["slack_id"],
                "team_id": FX.TEAM_ID,
                "name": p["email"].split("@")[0],
                "deleted": False,
                "real_name": p["name"],
                "is_bot": False,
                "profile": {
                    "real_name": p["name"],
                    "display_name": p["name"].split()[0].lower(),
                    "email": p["email"],
                    "title": p["title"],
                },
            }
        )
    g = FX.DEACTIVATED
    users.append(
        {
            "id": g[2],
            "team_id": FX.TEAM_ID,
            "name": "greg.holloway",
            "deleted": True,
            "real_name": g[1],
            "is_bot": False,
            "profile": {
                "real_name": g[1],
                "display_name": "greg",
                "email": "greg.holloway@acme.example",
                "title": g[3],
            },
        }
    )
    for uid, bid, name, real in FX.BOTS:
        users.append(
            {
                "id": uid,
                "team_id": FX.TEAM_ID,
                "name": name,
                "deleted": False,
                "real_name": real,
                "is_bot": True,
                "profile": {"real_name": real, "display_name": name, "bot_id": bid},
            }
        )
    write_json(os.path.join(sroot, "users.json"), users)

    members_of = {name: channel_members(c) for name, c in CH.items()}
    # messages: list of (datetime, order, msg dict, thread ref)
    msgs = {name: [] for name in CH}
    order = [0]

    def add(ch, when, m):
        order[0] += 1
        msgs[ch].append([when, order[0], m])
        return msgs[ch][-1]

    thread_index = {}
    for t in all_threads:
        ch = t["channel"]
        if ch not in CH:
            fail(f"unknown channel {ch}")
        if t["key"] in thread_index:
            fail(f"duplicate thread key {t['key']}")
        base = parse_when(t["when"])
        if not (START <= base.date() <= END):
            fail(f"thread {t['key']} outside date range: {t['when']}")
        mem = members_of[ch]
        recs = []
        cur = base
        for i, m in enumerate(t["msgs"]):
            user, text = m[0], m[1]
            if user not in P:
                fail(f"unknown user {user} in {t['key']}")
            if CH[ch]["private"] and user not in mem:
                fail(f"{user} posts in private {ch} without membership")
            if i > 0:
                if len(m) > 2:
                    days = int(m[2].strip("+d"))
                    cur = dt.datetime.combine(
                        base.date() + dt.timedelta(days=days), dt.time(9, 0), UTC
                    ) + dt.timedelta(minutes=rng.randrange(0, 120))
                else:
                    cur = cur + dt.timedelta(
                        minutes=rng.randrange(2, 40), seconds=rng.randrange(0, 60)
                    )
            if cur.date() > END:
                fail(f"reply of {t['key']} after end date")
            msg = {"type": "message", "user": P[user]["slack_id"], "text": render_text(text)}
            recs.append(add(ch, cur, msg))
        thread_index[t["key"]] = (ch, recs)

    # people who post in a public channel they were not in join it shortly before their first post
    first_post = {}
    for ch, recs in thread_index.values():
        for r in recs:
            k = SID_KEY[r[2]["user"]]
            if k not in members_of[ch]:
                cur = first_post.get((ch, k))
                if cur is None or r[0] < cur:
                    first_post[(ch, k)] = r[0]
    late_join = {}
    for (ch, k), when in sorted(first_post.items(), key=lambda x: (x[1], x[0])):
        if CH[ch]["private"]:
            fail(f"{k} posts in private {ch}")
        late_join[(ch, k)] = when - dt.timedelta(minutes=3)
    for (ch, k), when in late_join.items():
        members_of[ch].append(k)
        add(
            ch,
            when,
            {
                "type": "message",
                "subtype": "channel_join",
                "user": P[k]["slack_id"],
                "text": f"<@{P[k]['slack_id']}> has joined the channel",
            },
        )
    # noise: joins at creation, some leaves, bot messages
    for name in CH:
        mem = [k for k in members_of[name] if (name, k) not in late_join]
        for i, k in enumerate(mem):
            when = dt.datetime(2026, 1, 5, 8, 0, tzinfo=UTC) + dt.timedelta(minutes=i)
            add(
                name,
                when,
                {
                    "type": "message",
                    "subtype": "channel_join",
                    "user": P[k]["slack_id"],
                    "text": f"<@{P[k]['slack_id']}> has joined the channel",
                },
            )
    for name in ("general", "it-help"):
        add(
            name,
            dt.datetime(2026, 1, 5, 7, 59, tzinfo=UTC),
            {
                "type": "message",
                "subtype": "channel_join",
                "user": g[2],
                "text": f"<@{g[2]}> has joined the channel",
            },
        )
    # Greg (deactivated) left the channels when offboarded; two people left #sales / #deploys
    for name, who, when in (
        ("general", None, "2026-01-16 17:00"),
        ("it-help", None, "2026-01-16 17:01"),
        ("sales", "helen", "2026-03-02 12:00"),
        ("deploys", "nora", "2026-05-11 10:00"),
        ("support-escalations", "yuki", "2026-06-15 09:00"),
    ):
        uid = g[2] if who is None else P[who]["slack_id"]
        if who is not None:
            if who not in members_of[name]:
                fail(f"{who} leaves {name} without being a member")
            if any(
                r[2].get("user") == uid and not r[2].get("subtype") and r[0] > parse_when(when)
                for r in msgs[name]
            ):
                fail(f"{who} posts in {name} after leaving")
            members_of[name].remove(who)
        add(
            name,
            parse_when(when),
            {
                "type": "message",
                "subtype": "channel_leave",
                "user": uid,
                "text": f"<@{uid}> has left the channel",
            },
        )
    dep_bot = FX.BOTS[0]
    names_by_id = {e["id"]: e for e in db["emps"]}
    for r in db["deploys"]:
        who = names_by_id[r["by_id"]]
        mention = f"<@{P[who['key']]['slack_id']}>" if who["key"] in P else who["name"]
        add(
            "deploys",
            r["when"],
            {
                "type": "message",
                "subtype": "bot_message",
                "bot_id": dep_bot[1],
                "username": dep_bot[2],
                "text": f"Deployed {r['service']} {r['version']} to prod (started by {mention})",
            },
        )
        if r["status"] == "rolled_back":
            add(
                "deploys",
                r["when"] + dt.timedelta(minutes=33),
                {
                    "type": "message",
                    "subtype": "bot_message",
                    "bot_id": dep_bot[1],
                    "username": dep_bot[2],
                    "text": f"Rolled back {r['service']} {r['version']} in prod",
                },
            )
    pager = FX.BOTS[1]
    for x in db["incidents"]:
        add(
            "sre",
            x["started"] + dt.timedelta(minutes=1),
            {
                "type": "message",
                "subtype": "bot_message",
                "bot_id": pager[1],
                "username": pager[2],
                "text": (
                    f":rotating_light: [{x['severity']}] {x['id']} triggered for "
                    f"*{x['service']}*: {x['title']}"
                ),
            },
        )
        add(
            "sre",
            x["resolved"],
            {
                "type": "message",
                "subtype": "bot_message",
                "bot_id": pager[1],
                "username": pager[2],
                "text": f":white_check_mark: {x['id']} resolved",
            },
        )

    # channel metadata
    pub, priv = [], []
    for name, c in CH.items():
        mem = members_of[name]
        obj = {
            "id": c["id"],
            "name": name,
            "created": FX.CHANNEL_CREATED,
            "creator": P[c["creator"]]["slack_id"],
            "is_archived": False,
            "is_general": name == "general",
            "members": [P[k]["slack_id"] for k in mem],
            "topic": {
                "value": c["topic"],
                "creator": P[c["creator"]]["slack_id"],
                "last_set": FX.CHANNEL_CREATED,
            },
            "purpose": {
                "value": c["purpose"],
                "creator": P[c["creator"]]["slack_id"],
                "last_set": FX.CHANNEL_CREATED,
            },
        }
        (priv if c["private"] else pub).append(obj)
    write_json(os.path.join(sroot, "channels.json"), pub)
    write_json(os.path.join(sroot, "groups.json"), priv)

    # assign ts, build thread metadata
    thread_ids = {}
    for lst in msgs.values():
        lst.sort(key=lambda r: (r[0], r[1]))
        prev = 0
        for i, r in enumerate(lst):
            sec = max(ts_of(r[0]), prev + 1)
            prev = sec
            r[2]["ts"] = f"{sec}.{(i * 137 + 100) % 1000000:06d}"
            r.append(sec)
    for key, (ch, recs) in thread_index.items():
        parent = recs[0][2]
        replies = [r[2] for r in recs[1:]]
        if replies:
            parent["thread_ts"] = parent["ts"]
            parent["reply_count"] = len(replies)
            ru = []
            for r in replies:
                if r["user"] not in ru:
                    ru.append(r["user"])
            parent["reply_users_count"] = len(ru)
            parent["latest_reply"] = replies[-1]["ts"]
            parent["reply_users"] = ru
            parent["replies"] = [{"user": r["user"], "ts": r["ts"]} for r in replies]
            for r in replies:
                r["thread_ts"] = parent["ts"]
                r["parent_user_id"] = parent["user"]
        thread_ids[key] = (CH[ch]["id"], parent["ts"], len(replies))
    # a few edited messages (deterministic choice)
    for key in (
        "gen_dublin_move",
        "eng_review_rules",
        "sre_p99_threshold",
        "it_vpn_expired",
        "sales_discount_25",
        "hrt_salary_adjust",
    ):
        ch, recs = thread_index[key]
        m = recs[-1][2]
        m["edited"] = {"user": m["user"], "ts": f"{int(m['ts'].split('.')[0]) + 95}.000000"}
    # write day files
    for name, lst in msgs.items():
        d = os.path.join(sroot, name)
        os.makedirs(d, exist_ok=True)
        by_day = {}
        for r in lst:
            day = dt.datetime.fromtimestamp(r[3], UTC).date().isoformat()
            by_day.setdefault(day, []).append(r[2])
        for day, ms in sorted(by_day.items()):
            with open(os.path.join(d, f"{day}.json"), "w") as fh:
                json.dump(ms, fh, indent=2, ensure_ascii=False)
    thread_text = {}
    for key, (_ch, recs) in thread_index.items():
        thread_text[key] = "\n".join(plain(r[2]["text"]) for r in recs)
    return thread_ids, thread_text, msgs


# --------------------------------------------------------------------- yaml
def write_users_yaml(path):
    lines = ["users:"]
    for p in P.values():
        lines.append(f"  - email: {p['email']}")
        lines.append(f"    name: {p['name']}")
        lines.append(f"    slack_id: {p['slack_id']}")
        lines.append(f"    title: {q(p['title'])}")
        lines.append(f"    groups: [{', '.join(p['groups'])}]")
        if p["manager"]:
            lines.append(f"    manager: {P[p['manager']]['email']}")
    write_text(path, "\n".join(lines) + "\n")


def write_oncall_yaml(path):
    lines = ["timezone: UTC", "rotations:"]
    for team, start, members in ONCALL:
        lines.append(f"  - team: {team}")
        lines.append(f"    start: {start}")
        lines.append("    handoff_weekday: monday")
        lines.append('    handoff_time: "09:00"')
        lines.append('    handoff: "Monday 09:00 UTC"')
        lines.append(f"    members: [{', '.join(P[m]['email'] for m in members)}]")
    write_text(path, "\n".join(lines) + "\n")


def oncall_for(team, date_s):
    for t, start, members in ONCALL:
        if t == team:
            d = dt.date.fromisoformat(date_s)
            if d.weekday() == 0:
                fail("on-call golden dates must not be a Monday (handoff ambiguity)")
            weeks = (d - dt.date.fromisoformat(start)).days // 7
            return members[weeks % len(members)]
    fail(f"no rotation {team}")


# ------------------------------------------------------------------- golden
def build_golden(out, thread_ids, thread_text, doc_texts, dbpath):
    tables = {
        r[0]
        for r in sqlite3.connect(dbpath).execute(
            "SELECT name FROM sqlite_master WHERE type='table'"
        )
    }
    private_keys = {k for k, v in thread_ids.items() if CH_BY_ID[v[0]]["private"]}

    def resolve(ref):
        kind, val = ref.split(":", 1)
        if kind == "thread":
            if val not in thread_ids:
                fail(f"unknown thread {val}")
            cid, ts, nrep = thread_ids[val]
            if nrep < 1:
                fail(f"golden thread {val} has no replies")
            return f"slack:{cid}:{ts}", thread_text[val]
        if kind == "doc":
            if val not in doc_texts or not os.path.exists(os.path.join(out, "docs", val)):
                fail(f"unknown doc {val}")
            return f"docs:{val}", doc_texts[val]
        if kind == "table":
            if val not in tables:
                fail(f"unknown table {val}")
            return f"db:acme.{val}", ""
        fail(f"bad ref {ref}")

    def is_private_ref(ref):
        kind, val = ref.split(":", 1)
        return (kind == "thread" and val in private_keys) or (
            kind == "doc" and val.split("/")[0] in FX.DOCS_ACL
        )

    public_corpus = [thread_text[k] for k in thread_ids if k not in private_keys] + [
        t for p, t in doc_texts.items() if p.split("/")[0] not in FX.DOCS_ACL
    ]
    public_blob = "\n".join(public_corpus).lower()

    rows = []

    def row(
        id,
        user,
        question,
        route,
        sources,
        facts,
        answerable,
        kind,
        forbidden=(),
        gold_sql=None,
        notes="",
    ):
        if user not in P:
            fail(f"unknown user {user}")
        rows.append(
            {
                "id": id,
                "question": question,
                "user": P[user]["email"],
                "expected_route": route,
                "expected_source_ids": list(sources),
                "answer_facts": list(facts),
                "answerable": answerable,
                "kind": kind,
                "forbidden_source_ids": list(forbidden),
                "gold_sql": gold_sql,
                "notes": notes,
            }
        )

    for g in golden.RETRIEVAL:
        ids, texts = zip(*[resolve(s) for s in g["sources"]], strict=True)
        for s in g["sources"]:
            if is_private_ref(s):
                fail(f"{g['id']}: retrieval question uses a private source {s}")
        for fct in g["facts"]:
            if not any(fct.lower() in t.lower() for t in texts):
                fail(f"{g['id']}: fact {fct!r} not found in any expected source")
        row(
            g["id"],
            g["user"],
            g["question"],
            "retrieval",
            ids,
            g["facts"],
            True,
            "retrieval",
            notes=g["notes"],
        )

    con = sqlite3.connect(dbpath)
    for g in golden.SQL:
        try:
            res = con.execute(g["sql"]).fetchall()
        except sqlite3.Error as e:
            fail(f"{g['id']}: gold SQL failed: {e}")
        if not res:
            fail(f"{g['id']}: gold SQL returned no rows")
        m = re.search(r"LIMIT (\d+)\s*$", g["sql"])
        if m and g["sql"].count("ORDER BY"):
            k = int(m.group(1))
            more = con.execute(re.sub(r"LIMIT \d+\s*$", f"LIMIT {k + 1}", g["sql"])).fetchall()
            if len(more) > k and more[k][-1] == more[k - 1][-1] and len(more[0]) > 1:
                fail(f"{g['id']}: tie at the top-{k} boundary: {more}")
        if len(res[0]) > 1 and "names" in g["notes"]:
            facts = [str(r[0]) for r in res]
        elif len(res[0]) > 1:
            facts = [str(res[0][0])]
        else:
            facts = [str(r[0]) for r in res]
        flat = {str(v) for r in res for v in r}
        for fct in facts:
            if fct not in flat:
                fail(f"{g['id']}: fact {fct} not in SQL result")
        tbls = sorted(set(re.findall(r"(?:FROM|JOIN)\s+([a-z_]+)", g["sql"])))
        ids = [resolve(f"table:{t}")[0] for t in tbls]
        row(
            g["id"],
            g["user"],
            g["question"],
            "sql",
            ids,
            facts,
            True,
            "sql",
            gold_sql=g["sql"],
            notes=g["notes"],
        )

    for g in golden.TOOL:
        if g["tool"] == "oncall":
            who = oncall_for(*g["args"])
            facts = [P[who]["name"]]
            notes = f"{g['args'][0]} rotation, weekly handoff Monday 09:00 UTC -> {P[who]['email']}"
        elif g["tool"] == "directory":
            p = P[g["args"][0]]
            if len(g["args"]) > 1:
                facts = [P[p["manager"]]["name"], p["email"]]
            else:
                facts = [p["title"], P[p["manager"]]["name"]]
            notes = "users.yaml title/manager"
        else:
            if g["args"][0] == "add":
                facts = [
                    (
                        dt.date.fromisoformat(g["args"][1]) + dt.timedelta(days=g["args"][2])
                    ).isoformat()
                ]
            else:
                facts = [
                    str(
                        (
                            dt.date.fromisoformat(g["args"][2])
                            - dt.date.fromisoformat(g["args"][1])
                        ).days
                    )
                ]
            notes = "date arithmetic"
        row(
            g["id"],
            g["user"],
            g["question"],
            "tool",
            [f"tool:{g['tool']}"],
            facts,
            True,
            "tool",
            notes=notes,
        )

    for g in golden.UNANSWERABLE:
        row(
            g["id"],
            g["user"],
            g["question"],
            "retrieval",
            [],
            [],
            False,
            "unanswerable",
            notes="not covered by the workspace",
        )

    for mid, member, oid, other, question, sources, facts in golden.ACCESS:
        ids, texts = zip(*[resolve(s) for s in sources], strict=True)
        for s in sources:
            if not is_private_ref(s):
                fail(f"{mid}: access probe source {s} is not private")
            kind, val = s.split(":", 1)
            if kind == "thread":
                ch = CH_BY_ID[thread_ids[val][0]]
                allowed = set(channel_members(ch))
                groups_ok = None
            else:
                allowed = None
                groups_ok = set(FX.DOCS_ACL[val.split("/")[0]])
            for u, should in ((member, True), (other, False)):
                ok = (
                    (u in allowed) if allowed is not None else bool(groups_ok & set(P[u]["groups"]))
                )
                if ok != should:
                    fail(f"{mid}: access for {u} on {s} is {ok}, expected {should}")
        for fct in facts:
            if not any(fct.lower() in t.lower() for t in texts):
                fail(f"{mid}: fact {fct!r} not in private source")
            if fct.lower() in public_blob:
                fail(f"{mid}: private fact {fct!r} leaks into a public source")
        row(
            mid,
            member,
            question,
            "retrieval",
            ids,
            facts,
            True,
            "access_probe",
            notes="member of the private source",
        )
        row(
            oid,
            other,
            question,
            "retrieval",
            [],
            [],
            False,
            "access_probe",
            forbidden=ids,
            notes="non-member: must not answer from the private source",
        )
    # private channel facts must appear nowhere else (docs included)
    all_other = {}
    for k, t in thread_text.items():
        all_other[f"thread:{k}"] = t
    for p_, t in doc_texts.items():
        all_other[f"doc:{p_}"] = t
    priv_src = {
        "salary_adjust": "hrt_salary_adjust",
        "eng_mgr_reqs": "hrt_eng_mgr_reqs",
        "q3_forecast": "fin_q3_forecast",
        "q4_hires": "fin_q4_hiring",
        "credits_total": "incw_credits",
    }
    for fk, tk in priv_src.items():
        val = PRIVATE[fk].lower()
        for src, t in all_other.items():
            if src != f"thread:{tk}" and val in t.lower():
                fail(f"private fact {PRIVATE[fk]!r} also appears in {src}")
    for fk, val in RESTRICTED.items():
        if val.lower() in public_blob:
            fail(f"restricted fact {fk}={val!r} appears in a public source")

    ids = [r["id"] for r in rows]
    if len(ids) != len(set(ids)):
        fail("duplicate golden ids")
    with open(os.path.join(out, "golden.jsonl"), "w") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    return rows


CH_BY_ID = {c["id"]: c for c in CH.values()}


# ------------------------------------------------------------------- README
def write_readme(out, stats):
    persona_rows = "\n".join(
        f"| {P[k]['name']} | {P[k]['email']} | {P[k]['title']} | {', '.join(P[k]['groups'])} |"
        for k in FX.PERSONAS
    )
    priv = "\n".join(
        f"- `#{c['name']}` (`{c['id']}`): {', '.join(P[m]['name'] for m in channel_members(c))}"
        for c in CH.values()
        if c["private"]
    )
    text = f"""# Acme Cloud - sample workspace

Acme Cloud is a fictional ~300-person B2B SaaS company (HQ Austin, offices in Dublin and \
Singapore) selling the
**Acme Billing API** (subscriptions, invoices, payments) and the **Acme Dashboard**. All content \
covers
2026-01-05 to 2026-10-30 (UTC); email domain `acme.example`; Slack workspace \
`https://acme-cloud.slack.com`.
Every fact comes from one module (`examples/generator/content/facts.py`), so sources never disagree.

## What's where
| Path | Contents |
|---|---|
| `users.yaml` | {stats["users"]} people with title, groups and manager (directory + ACL groups) |
| `slack/` | Slack export: `channels.json`, `groups.json` (private), `users.json`, one folder per \
channel with `YYYY-MM-DD.json` day files. {stats["channels"]} channels, {stats["threads"]} \
threads, {stats["noise"]} noise messages (joins/leaves/bots) |
| `docs/` | {stats["docs"]} docs: handbook, runbooks, api, postmortems, policies, it, sales, \
support, and restricted `hr/` (group `hr`) and `finance/` (groups `finance`, `exec`) |
| `db/acme.sqlite` | SQLite: employees, services, customers, invoices, tickets, incidents, \
deployments ({stats["rows"]} rows); column docs in `db/descriptions.yaml` |
| `oncall.yaml` | Weekly rotations for sre, payments, it (handoff Monday 09:00 UTC) |
| `golden.jsonl` | {stats["golden"]} evaluation questions (retrieval, sql, tool, unanswerable, \
access probes) |

## Personas
| Name | Email | Title | Groups |
|---|---|---|---|
{persona_rows}

## Access control
Private Slack channels are visible to their members only:
{priv}

Docs under `docs/hr/` are restricted to group `hr`; docs under `docs/finance/` to groups `finance` \
and `exec`.
Everything else (public channels, other docs) is visible to every employee.

## Regenerate
```
python3 -m pip install --target /tmp/acme-gen-libs fpdf2
PYTHONPATH=/tmp/acme-gen-libs python3 examples/generator/generate_acme.py --out examples/acme
```
The generator is deterministic (`random.Random(42)`, fixed timestamps) and verifies the golden set
(sources exist, facts appear in their sources, gold SQL results, no private facts in public \
sources).
"""
    write_text(os.path.join(out, "README.md"), text)


# --------------------------------------------------------------------- main
def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()
    out = args.out
    rng = random.Random(args.seed)
    for sub in ("slack", "docs", "db"):
        shutil.rmtree(os.path.join(out, sub), ignore_errors=True)
    os.makedirs(os.path.join(out, "db"), exist_ok=True)

    dbpath = os.path.join(out, "db", "acme.sqlite")
    db = build_db(rng, dbpath)
    write_descriptions(os.path.join(out, "db", "descriptions.yaml"))
    doc_texts = build_docs(out)

    # systematic thread variations from DB rows
    cust = {c["id"]: c for c in db["customers"]}
    err_tickets = [t for t in db["tickets"] if t["code"] and t["priority"] in ("P1", "P2", "P3")]
    picked, per_code = [], {}
    for t in err_tickets:
        if (
            per_code.get(t["code"], 0) < 3
            and t["opened"][11:13] >= "08"
            and t["opened"][11:13] <= "20"
        ):
            per_code[t["code"]] = per_code.get(t["code"], 0) + 1
            c = cust[t["customer_id"]]
            picked.append(
                dict(
                    id=t["id"],
                    customer=c["name"],
                    plan=c["plan"].capitalize(),
                    region=c["region"],
                    error_code=t["code"],
                    opened_at=t["opened"],
                )
            )
    gen_threads = variations.error_code_threads(
        rng, picked, ["ethan", "liam", "fatima"], ["marcus", "kenji", "raj", "victor"]
    )
    gen_inc = []
    for x in db["incidents"]:
        if x["generated"]:
            gen_inc.append(
                dict(
                    id=x["id"],
                    severity=x["severity"],
                    service=x["service"],
                    title=x["title"],
                    cause=x["cause"],
                    fix=x["fix"],
                    commander=x["commander"],
                    minutes=x["minutes"],
                    resolved_at=x["resolved"].strftime("%Y-%m-%d %H:%M"),
                )
            )
    gen_threads += variations.incident_threads(gen_inc, None)
    ents = [c for c in db["customers"] if c["plan"] in ("growth", "enterprise")]
    deals = []
    for i in range(16):
        c = ents[i * 7 % len(ents)]
        pct = [8, 12, 15, 18, 22, 25, 28, 35, 10, 20, 14, 30, 5, 24, 16, 40][i]
        ae = ["jessica", "ben", "jessica", "aisha"][i % 4]
        day = START + dt.timedelta(days=10 + i * 18)
        while day.weekday() >= 5:
            day += dt.timedelta(days=1)
        deals.append(
            (
                c["name"],
                c["plan"].capitalize(),
                pct,
                ae,
                f"{day.isoformat()} 1{i % 7}:{(i * 13) % 60:02d}",
            )
        )
    gen_threads += variations.discount_threads(rng, deals)
    human_deploys = [
        r for r in db["deploys"] if r["by"] in P and r["when"].date() < END - dt.timedelta(days=2)
    ]
    step = max(1, len(human_deploys) // 12)
    sel = [
        dict(
            service=r["service"],
            version=r["version"],
            deployed_at=r["when"].strftime("%Y-%m-%d %H:%M"),
            deployed_by=r["by"],
            status=r["status"],
        )
        for r in human_deploys[::step][:12]
    ]
    gen_threads += variations.deploy_threads(sel, None)
    days = []
    for i in range(len(variations.APPS)):
        d = START + dt.timedelta(days=20 + i * 21)
        while d.weekday() >= 4:
            d += dt.timedelta(days=1)
        days.append(f"{d.isoformat()} 1{i % 8}:{(i * 17) % 60:02d}")
    gen_threads += variations.access_threads(
        rng, ["ethan", "jessica", "raj", "beatriz", "kenji", "samuel"], days
    )

    all_threads = threads_a.THREADS + threads_b.THREADS + gen_threads
    thread_ids, thread_text, msgs = build_slack(rng, out, all_threads, db)

    write_users_yaml(os.path.join(out, "users.yaml"))
    write_oncall_yaml(os.path.join(out, "oncall.yaml"))
    rows = build_golden(out, thread_ids, thread_text, doc_texts, dbpath)

    con = sqlite3.connect(dbpath)
    nrows = sum(con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in DESCRIPTIONS)
    noise = sum(1 for lst in msgs.values() for r in lst if r[2].get("subtype"))
    stats = dict(
        users=len(P),
        channels=len(CH),
        threads=sum(1 for v in thread_ids.values() if v[2] > 0),
        noise=noise,
        docs=len(doc_texts),
        rows=nrows,
        golden=len(rows),
    )
    write_readme(out, stats)
    print(json.dumps(stats))


if __name__ == "__main__":
    try:
        main()
    except GenError as e:
        print(f"GENERATION FAILED: {e}", file=sys.stderr)
        sys.exit(1)
