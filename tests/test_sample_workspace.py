"""Size and integrity checks for the committed Acme Cloud sample workspace (examples/acme).

stdlib + PyYAML only; no project imports.
"""

import json
import re
import sqlite3
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent / "examples" / "acme"
SLACK = ROOT / "slack"
DOCS = ROOT / "docs"
DB = ROOT / "db" / "acme.sqlite"

GOLDEN_FIELDS = {
    "id",
    "question",
    "user",
    "expected_route",
    "expected_source_ids",
    "answer_facts",
    "answerable",
    "kind",
    "forbidden_source_ids",
    "gold_sql",
    "notes",
}
SOURCE_RE = {
    "slack": re.compile(r"^slack:[CG][A-Z0-9]{8,10}:\d{10}\.\d{6}$"),
    "docs": re.compile(r"^docs:[a-z0-9_./-]+\.(md|html|pdf|txt)$", re.I),
    "db": re.compile(r"^db:acme\.[a-z_]+$"),
    "tool": re.compile(r"^tool:(oncall|directory|date_calc)$"),
}


def _load(p):
    with open(p, encoding="utf-8") as fh:
        return json.load(fh)


@pytest.fixture(scope="module")
def channels():
    pub = _load(SLACK / "channels.json")
    priv = _load(SLACK / "groups.json")
    return pub, priv


@pytest.fixture(scope="module")
def messages(channels):
    pub, priv = channels
    out = {}
    for ch in pub + priv:
        msgs = []
        for day in sorted((SLACK / ch["name"]).glob("*.json")):
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}\.json", day.name)
            for m in _load(day):
                m["_day"] = day.stem
                msgs.append(m)
        out[ch["id"]] = (ch, msgs)
    return out


@pytest.fixture(scope="module")
def golden():
    lines = (ROOT / "golden.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@pytest.fixture(scope="module")
def users():
    return yaml.safe_load((ROOT / "users.yaml").read_text())["users"]


def test_channels(channels):
    pub, priv = channels
    assert len(pub) + len(priv) >= 8
    assert len(priv) >= 2
    for ch in pub + priv:
        assert re.fullmatch(r"[CG][A-Z0-9]{8,10}", ch["id"])
        for k in (
            "name",
            "created",
            "creator",
            "is_archived",
            "is_general",
            "members",
            "topic",
            "purpose",
        ):
            assert k in ch
        assert (SLACK / ch["name"]).is_dir()
    for ch in pub:
        assert ch["id"].startswith("C")


def test_slack_users(users):
    su = _load(SLACK / "users.json")
    ids = {u["id"] for u in su}
    assert sum(1 for u in su if u.get("is_bot")) >= 2
    assert sum(1 for u in su if u.get("deleted")) >= 1
    for u in users:
        assert u["slack_id"] in ids


def test_threads_and_noise(messages):
    threads = noise = edited = 0
    for _cid, (ch, msgs) in messages.items():
        last = 0.0
        by_ts = {}
        for m in sorted(msgs, key=lambda m: float(m["ts"])):
            assert re.fullmatch(r"\d{10}\.\d{6}", m["ts"])
            assert float(m["ts"]) > last, f"ts not strictly increasing in {ch['name']}"
            last = float(m["ts"])
            by_ts[m["ts"]] = m
        for m in msgs:
            if m.get("subtype") in ("channel_join", "channel_leave", "bot_message"):
                noise += 1
            if "edited" in m:
                edited += 1
            if m.get("thread_ts") == m["ts"] and m.get("reply_count", 0) > 0:
                threads += 1
                assert len(m["replies"]) == m["reply_count"]
                for r in m["replies"]:
                    assert r["ts"] in by_ts and by_ts[r["ts"]]["thread_ts"] == m["ts"]
                assert m["latest_reply"] == m["replies"][-1]["ts"]
            elif "thread_ts" in m:
                assert m["thread_ts"] in by_ts and "parent_user_id" in m
    assert threads >= 200
    assert noise >= 40
    assert edited >= 1


def test_docs():
    files = [p for p in DOCS.rglob("*") if p.is_file()]
    by_ext = {}
    for p in files:
        by_ext[p.suffix] = by_ext.get(p.suffix, 0) + 1
    assert len(files) >= 40
    assert by_ext.get(".md", 0) >= 22
    assert by_ext.get(".html", 0) >= 8
    assert by_ext.get(".pdf", 0) >= 6
    assert by_ext.get(".txt", 0) >= 6
    for sub in (
        "handbook",
        "runbooks",
        "api",
        "postmortems",
        "policies",
        "it",
        "sales",
        "hr",
        "finance",
    ):
        assert (DOCS / sub).is_dir()
    for p in DOCS.rglob("*.pdf"):
        assert p.read_bytes().startswith(b"%PDF")
    multi = sum(
        1
        for p in DOCS.rglob("*.pdf")
        if len(re.findall(rb"/Type\s*/Page[^s]", p.read_bytes())) >= 3
    )
    assert multi >= 3


def test_database():
    con = sqlite3.connect(DB)
    tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    assert len(tables) >= 6
    assert sum(con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables) >= 5000
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    desc = yaml.safe_load((ROOT / "db" / "descriptions.yaml").read_text())["tables"]
    for t in tables:
        cols = [r[1] for r in con.execute(f"PRAGMA table_info({t})")]
        assert desc[t]["description"]
        assert set(cols) <= set(desc[t]["columns"]), t


def test_users_and_personas(users):
    assert len(users) >= 24
    for u in users:
        assert {"email", "name", "slack_id", "title", "groups"} <= set(u)
        assert u["email"].endswith("@acme.example")
    sets = {frozenset(u["groups"]) for u in users}
    assert len(sets) >= 6
    for need in ({"sales"}, {"support"}):
        assert frozenset(need) in sets
    for g in ("hr", "finance", "exec"):
        assert any(g in u["groups"] for u in users)
    assert any({"sre", "engineering"} <= set(u["groups"]) for u in users)


def test_oncall(users):
    oc = yaml.safe_load((ROOT / "oncall.yaml").read_text())
    emails = {u["email"] for u in users}
    teams = {r["team"] for r in oc["rotations"]}
    assert {"sre", "payments", "it"} <= teams
    for r in oc["rotations"]:
        assert set(r["members"]) <= emails


def test_golden(golden, users, messages):
    assert len(golden) >= 70
    emails = {u["email"] for u in users}
    kinds = {}
    for g in golden:
        assert set(g) >= GOLDEN_FIELDS, g["id"]
        assert g["user"] in emails
        assert g["expected_route"] in ("retrieval", "sql", "tool")
        assert g["kind"] in ("retrieval", "sql", "tool", "unanswerable", "access_probe")
        kinds[g["kind"]] = kinds.get(g["kind"], 0) + 1
        for sid in g["expected_source_ids"] + g["forbidden_source_ids"]:
            assert SOURCE_RE[sid.split(":", 1)[0]].match(sid), sid
        if not g["answerable"]:
            assert g["expected_source_ids"] == [] and g["answer_facts"] == []
        if g["kind"] == "sql":
            assert g["gold_sql"]
    assert kinds.get("retrieval", 0) >= 35
    assert kinds.get("sql", 0) >= 12
    assert kinds.get("tool", 0) >= 6
    assert kinds.get("unanswerable", 0) >= 8
    assert kinds.get("access_probe", 0) >= 8
    multi = sum(
        1 for g in golden if g["kind"] == "retrieval" and len(g["expected_source_ids"]) >= 2
    )
    assert multi >= 8


def test_golden_sources_resolve(golden, messages):
    con = sqlite3.connect(DB)
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    thread_ids = set()
    for cid, (_ch, msgs) in messages.items():
        for m in msgs:
            if m.get("thread_ts") == m["ts"] and m.get("reply_count", 0) > 0:
                thread_ids.add(f"slack:{cid}:{m['ts']}")
    for g in golden:
        for sid in g["expected_source_ids"] + g["forbidden_source_ids"]:
            kind, val = sid.split(":", 1)
            if kind == "slack":
                assert sid in thread_ids, sid
            elif kind == "docs":
                assert (DOCS / val).is_file(), sid
            elif kind == "db":
                assert val.split(".", 1)[1] in tables, sid
        if g["gold_sql"]:
            res = con.execute(g["gold_sql"]).fetchall()
            values = {str(v) for row in res for v in row}
            for f in g["answer_facts"]:
                assert f in values, (g["id"], f)


def test_workspace_size():
    total = sum(p.stat().st_size for p in ROOT.rglob("*") if p.is_file())
    assert total < 20 * 1024 * 1024
