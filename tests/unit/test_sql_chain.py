"""The SQL chain end to end on a real SQLite database, with a scripted model over HTTP:
related tables and value links in the prompt, access to tables, voting over candidates."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from copilot.chains.base import ChainContext
from copilot.config import Settings
from copilot.copilot import Workspace
from copilot.llm import OpenAICompatibleChat
from copilot.types import Principal
from indexes.embeddings import SentenceTransformerEmbedder
from tests.fakes.openai_server import FakeOpenAIServer

CONFIG = """
name: geo
users: users.yaml
sources:
  - type: database
    name: geo
    url: "sqlite:///{workspace}/geo.sqlite"
    access:
      default: {public: true}
      tables:
        salaries: {groups: [hr]}
"""
USERS = "users:\n  - {email: ann@geo.example, name: Ann, groups: [eng]}\n"
TABLES = {
    "state": ("state_name TEXT, capital TEXT, population INT", [("texas", "austin", 29)]),
    "city": (
        "city_name TEXT, state_name TEXT, population INT",
        [("austin", "texas", 1), ("dallas", "texas", 2), ("El Paso", "texas", 3)],
    ),
    "river": ("river_name TEXT, traverse TEXT, length INT", [("rio grande", "texas", 3000)]),
    "salaries": ("person TEXT, amount INT", [("ann", 100)]),
}
AUSTIN = "```sql\nSELECT capital FROM state WHERE state_name = 'texas'\n```"
DALLAS = "```sql\nSELECT city_name FROM city WHERE population = 2\n```"
DALLAS_AGAIN = (
    "```sql\nSELECT c.city_name FROM city AS c WHERE c.population > 1.5 AND c.population < 3\n```"
)
BROKEN = "```sql\nSELECT nope FROM nowhere\n```"


def _workspace(root: Path, embedder: SentenceTransformerEmbedder, **settings: object) -> Workspace:
    (root / "copilot.yaml").write_text(CONFIG)
    (root / "users.yaml").write_text(USERS)
    with sqlite3.connect(root / "geo.sqlite") as conn:
        for name, (columns, rows) in TABLES.items():
            conn.execute(f"CREATE TABLE {name} ({columns})")
            marks = ", ".join("?" * len(rows[0]))
            conn.executemany(f"INSERT INTO {name} VALUES ({marks})", rows)
    base = Settings.load(root).model_copy(update={"data_dir": root / ".copilot", **settings})
    ws = Workspace(base)
    ws.embedder = embedder  # type: ignore[misc]  # the session's model, loaded once
    ws.ingest()
    return ws


def _ask(ws: Workspace, server: FakeOpenAIServer, question: str, who: Principal) -> object:
    chat = OpenAICompatibleChat(ws.settings, server.base_url)
    return ws.sql_chain(chat).run(question, ChainContext(who))


@pytest.fixture
def fake() -> FakeOpenAIServer:
    with FakeOpenAIServer() as server:
        yield server


def test_prompt_shows_every_readable_table_and_the_linked_values(
    tmp_path: Path, embedder: SentenceTransformerEmbedder, fake: FakeOpenAIServer
) -> None:
    ws = _workspace(tmp_path, embedder)
    fake.replies = [AUSTIN, "Austin [1]."]
    draft = _ask(ws, fake, "What is the capital of Texas, near el paso?", Principal.anonymous())
    prompt = "\n".join(m["content"] for m in fake.requests[0]["messages"])
    for table in ("state", "city", "river"):
        assert f"Table {table} in database geo" in prompt  # a small database is shown whole
    assert "salaries" not in prompt  # but never a table the asker may not read
    texas = next(line for line in prompt.splitlines() if line.startswith('- "texas" is a value'))
    assert set(texas.split(" of ")[1].split(", ")) == {
        "state.state_name",
        "city.state_name",
        "river.traverse",
    }
    assert '"El Paso" is a value of city.city_name' in prompt
    assert draft.sql is not None and "texas" in draft.sql  # type: ignore[attr-defined]


def test_the_result_most_candidates_agree_on_wins(
    tmp_path: Path, embedder: SentenceTransformerEmbedder, fake: FakeOpenAIServer
) -> None:
    ws = _workspace(tmp_path, embedder, sql_candidates=4, sql_temperature=0.9)
    fake.replies = [AUSTIN, DALLAS, BROKEN, DALLAS_AGAIN, "Dallas [1]."]
    draft = _ask(ws, fake, "Which city has 2 people?", Principal.anonymous())
    assert draft.sql == "SELECT city_name FROM city WHERE population = 2 LIMIT 100"  # type: ignore[attr-defined]
    temperatures = [r["temperature"] for r in fake.requests[:4]]
    assert temperatures == [0.0, 0.9, 0.9, 0.9]  # the greedy query, then samples


def test_one_candidate_is_the_greedy_query_with_repairs(
    tmp_path: Path, embedder: SentenceTransformerEmbedder, fake: FakeOpenAIServer
) -> None:
    ws = _workspace(tmp_path, embedder, llm_sql_model="coder")
    fake.replies = [BROKEN, AUSTIN, "Austin [1]."]
    draft = _ask(ws, fake, "capital of texas", Principal.anonymous())
    assert "capital" in (draft.sql or "")  # type: ignore[attr-defined]
    assert "failed" in fake.requests[1]["messages"][-1]["content"]  # the repair turn
    assert [r["model"] for r in fake.requests] == ["coder", "coder", "coder"]


def test_a_result_is_shown_only_to_whom_it_was_computed_for(
    tmp_path: Path, embedder: SentenceTransformerEmbedder, fake: FakeOpenAIServer
) -> None:
    ws = _workspace(tmp_path, embedder)
    ann = ws.principal("ann@geo.example")
    fake.replies = [AUSTIN, "Austin [1].", AUSTIN, "Austin [1]."]
    for_ann = _ask(ws, fake, "capital of texas", ann).evidence[0]  # type: ignore[attr-defined]
    assert for_ann.kind == "sql" and for_ann.access.allows(ann)
    assert not for_ann.access.allows(Principal.user("bob@geo.example"))
    # Anonymous reads public tables only, so its result is public data, not "nobody's".
    public = _ask(ws, fake, "capital of texas", Principal.anonymous()).evidence[0]  # type: ignore[attr-defined]
    assert public.access.allows(Principal.anonymous())


def test_a_query_that_finds_nothing_is_retried_once_and_kept_if_the_retry_fails(
    tmp_path: Path, embedder: SentenceTransformerEmbedder, fake: FakeOpenAIServer
) -> None:
    ws = _workspace(tmp_path, embedder)
    nothing = "```sql\nSELECT capital FROM state WHERE state_name = 'Texas'\n```"
    fake.replies = [nothing, AUSTIN, "Austin [1]."]
    draft = _ask(ws, fake, "capital of texas", Principal.anonymous())
    retry = fake.requests[1]["messages"][-1]["content"]
    assert "returned no rows" in retry
    assert 'state.state_name stores "Texas" as "texas".' in retry
    assert draft.sql is not None and "'texas'" in draft.sql  # type: ignore[attr-defined]
    # A retry that finds nothing either (or fails) leaves the first, empty, result standing.
    fake.replies = [nothing, BROKEN, nothing, nothing]  # the repeat is sampled again
    found = ws.sql_chain(OpenAICompatibleChat(ws.settings, fake.base_url)).query(
        "capital of texas?", ChainContext(Principal.anonymous())
    )
    assert found.result is not None and found.result.rows == []
    assert found.sql is not None and "'Texas'" in found.sql


def test_a_repair_that_repeats_a_failed_query_is_sampled_again(
    tmp_path: Path, embedder: SentenceTransformerEmbedder, fake: FakeOpenAIServer
) -> None:
    ws = _workspace(tmp_path, embedder, sql_temperature=0.8)
    wrong = "```sql\nSELECT T1.capital FROM city AS T1\n```"
    fake.replies = [wrong, wrong, AUSTIN, "Austin [1]."]
    draft = _ask(ws, fake, "capital of texas", Principal.anonymous())
    repair = fake.requests[1]["messages"][-1]["content"]
    assert "capital is a column of state." in repair
    assert "T1 is city, whose columns are: city_name, state_name, population." in repair
    assert [r["temperature"] for r in fake.requests[1:3]] == [0.0, 0.8]
    assert "capital" in (draft.sql or "")  # type: ignore[attr-defined]


def test_a_value_compared_with_a_column_that_does_not_hold_it_is_named_at_the_retry(
    tmp_path: Path, embedder: SentenceTransformerEmbedder, fake: FakeOpenAIServer
) -> None:
    ws = _workspace(tmp_path, embedder)
    wrong_column = "```sql\nSELECT length FROM river WHERE river_name = 'texas'\n```"
    right_column = "```sql\nSELECT length FROM river WHERE traverse = 'texas'\n```"
    fake.replies = [wrong_column, right_column]
    found = ws.sql_chain(OpenAICompatibleChat(ws.settings, fake.base_url)).query(
        "how long is the river in texas?", ChainContext(Principal.anonymous())
    )
    retry = fake.requests[1]["messages"][-1]["content"]
    assert '"texas" is stored in ' in retry and "not in river.river_name." in retry
    assert "river.traverse" in retry.split('"texas" is stored in ')[1]
    assert found.result is not None and found.result.rows == [(3000,)]


def test_a_column_qualified_with_the_wrong_alias_is_moved_before_it_runs(
    tmp_path: Path, embedder: SentenceTransformerEmbedder, fake: FakeOpenAIServer
) -> None:
    ws = _workspace(tmp_path, embedder)
    fake.replies = [
        "```sql\nSELECT T2.city_name FROM state AS T1 JOIN city AS T2 "
        "ON T1.state_name = T2.state_name WHERE T2.capital = 'austin'\n```"
    ]
    found = ws.sql_chain(OpenAICompatibleChat(ws.settings, fake.base_url)).query(
        "which cities are in the state whose capital is austin?",
        ChainContext(Principal.anonymous()),
    )
    assert len(fake.requests) == 1  # no repair turn was needed
    assert found.sql is not None and "T1.capital = 'austin'" in found.sql
    assert found.result is not None
    assert sorted(found.result.rows) == [("El Paso",), ("austin",), ("dallas",)]
