"""The evaluation's baselines, with the chat model scripted through the real clients: LlamaIndex
and LangChain talk HTTP to the fake OpenAI-compatible server, as they would to vLLM."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from llama_index.core import Settings as LlamaSettings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from copilot.config import Settings
from copilot.copilot import Workspace
from copilot.types import Access, Chunk
from eval.baselines.langchain_sql import (
    LangChainSqlBaseline,
    clean_sql,
    database_urls,
    readonly_schema_url,
    render_rows,
)
from eval.baselines.llamaindex_rag import LlamaIndexBaseline, source_texts
from indexes.embeddings import SentenceTransformerEmbedder
from tests.conftest import ACME
from tests.fakes.openai_server import FakeOpenAIServer
from tests.fakes.tiny_workspace import make_tiny_workspace

SHOP = """
name: shop
sources:
  - {type: database, name: shop, url: "sqlite:///{workspace}/shop.sqlite"}
"""


def _chunk(doc_id: str, n: int, text: str, kind: str = "doc", heading: str = "") -> Chunk:
    return Chunk(
        id=f"{doc_id}#{n}",
        doc_id=doc_id,
        kind=kind,  # type: ignore[arg-type]
        title=doc_id.upper(),
        text=text,
        url="",
        access=Access.public(),
        heading=heading,
    )


def test_source_texts_rebuild_each_document_in_chunk_order_without_schema_cards() -> None:
    chunks = [
        _chunk("docs:a.md", 10, "ten", heading="Later"),
        _chunk("db:shop.orders", 0, "orders table", kind="table"),
        _chunk("docs:a.md", 2, "two", heading="Start"),
        _chunk("slack:C1:1.0", 0, "hello", kind="slack"),
        _chunk("docs:a.md", 9, "nine", heading="Start"),
    ]
    texts = {t.source_id: t.text for t in source_texts(chunks)}
    assert list(texts) == ["docs:a.md", "slack:C1:1.0"]
    assert texts["docs:a.md"] == "DOCS:A.MD\n\nStart\n\ntwo\n\nnine\n\nLater\n\nten"


@pytest.fixture(scope="module")
def tiny(
    tmp_path_factory: pytest.TempPathFactory, embedder: SentenceTransformerEmbedder
) -> Settings:
    """The tiny workspace, ingested (so its catalog holds chunks) with the real MiniLM."""
    settings = Settings.load(make_tiny_workspace(tmp_path_factory.mktemp("ws")))
    workspace = Workspace(settings.model_copy(update={"llm_max_retries": 0}))
    workspace.embedder = embedder
    workspace.ingest()
    return workspace.settings


@pytest.fixture(scope="module")
def rag(tiny: Settings) -> Iterator[tuple[LlamaIndexBaseline, FakeOpenAIServer]]:
    """One index for the module; its chat server is the fake, started before the build."""
    with FakeOpenAIServer() as server:
        yield LlamaIndexBaseline.build(tiny, server.base_url), server


def test_llamaindex_baseline_answers_from_our_documents_with_our_ids(
    rag: tuple[LlamaIndexBaseline, FakeOpenAIServer], tiny: Settings
) -> None:
    baseline, server = rag
    server.replies = ["Every 90 days."]
    answer = baseline.answer("How often are VPN client certificates renewed?")
    assert answer.error is None and answer.text == "Every 90 days."
    assert answer.source_ids[0] == "docs:it/vpn.md"
    assert len(set(answer.source_ids)) == len(answer.source_ids)
    indexed = {s.chunk.doc_id for s in Workspace(tiny).catalog.all_chunks()}
    assert set(answer.source_ids) <= indexed
    request = server.requests[-1]
    assert request["model"] == tiny.llm_model and request["temperature"] == 0
    assert request["max_tokens"] == tiny.llm_max_tokens
    prompt = " ".join(str(m["content"]) for m in request["messages"])
    assert "90 days" in prompt and "docs:it/vpn.md" not in prompt  # ids are bookkeeping only
    assert answer.total_ms > 0
    # The model and embedder were passed in, never set on llama-index's process-wide Settings.
    assert LlamaSettings._llm is None and LlamaSettings._embed_model is None


def test_llamaindex_baseline_returns_a_model_failure_as_a_value(
    rag: tuple[LlamaIndexBaseline, FakeOpenAIServer],
) -> None:
    baseline, server = rag
    server.status = 500
    try:
        answer = baseline.answer("How often are VPN client certificates renewed?")
    finally:
        server.status = 200
    assert answer.error and answer.text == "" and answer.source_ids == ()


@pytest.fixture
def shop(tmp_path: Path) -> Settings:
    """A workspace whose one source is a real SQLite file with three customers."""
    (tmp_path / "copilot.yaml").write_text(SHOP)
    with sqlite3.connect(tmp_path / "shop.sqlite") as conn:
        conn.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT, city TEXT)")
        conn.executemany(
            "INSERT INTO customers VALUES (?, ?, ?)",
            [(1, "Ada", "Oslo"), (2, "Bo", "Rome"), (3, "Cy", "Oslo")],
        )
    conn.close()
    settings = Settings.load(tmp_path)
    return settings.model_copy(update={"llm_max_retries": 0, "llm_sql_model": "sql-coder"})


def _sql_baseline(settings: Settings, server: FakeOpenAIServer) -> LangChainSqlBaseline:
    return LangChainSqlBaseline(settings, server.base_url, database_urls(settings)["shop"])


def _customers(settings: Settings) -> list[tuple[object, ...]]:
    path = settings.ws.root / "shop.sqlite"
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT * FROM customers ORDER BY id").fetchall()
    conn.close()
    return rows


def test_database_urls_names_each_database_source_with_its_expanded_url() -> None:
    urls = database_urls(Settings.load(ACME))
    assert urls == {"acme": f"sqlite:///{ACME.resolve()}/db/acme.sqlite"}


def test_langchain_baseline_runs_the_chains_sql_and_returns_the_rows(
    shop: Settings, fake_llm: FakeOpenAIServer
) -> None:
    fake_llm.replies = ["SQLQuery: SELECT name FROM customers WHERE city = 'Oslo' ORDER BY name"]
    answer = _sql_baseline(shop, fake_llm).answer("Which customers are in Oslo?")
    assert answer.error is None
    assert answer.sql == "SELECT name FROM customers WHERE city = 'Oslo' ORDER BY name"
    assert answer.rows == (("Ada",), ("Cy",))
    assert answer.text == "name\nAda\nCy\n(2 rows)"
    assert answer.source_ids == ("db:shop.customers",)
    request = fake_llm.requests[0]
    assert request["model"] == "sql-coder" and request["temperature"] == 0
    prompt = request["messages"][0]["content"]
    assert "CREATE TABLE customers" in prompt and "Which customers are in Oslo?" in prompt


def test_langchain_baseline_cannot_write_the_database(
    shop: Settings, fake_llm: FakeOpenAIServer
) -> None:
    before = _customers(shop)
    fake_llm.replies = ["DELETE FROM customers", "```sql\nDROP TABLE customers;\n```"]
    baseline = _sql_baseline(shop, fake_llm)
    deleted = baseline.answer("Remove every customer")
    dropped = baseline.answer("Drop the customers table")
    assert deleted.sql == "DELETE FROM customers" and dropped.sql == "DROP TABLE customers;"
    assert deleted.error and deleted.rows is None and dropped.error and dropped.rows is None
    assert _customers(shop) == before and len(before) == 3


def test_langchain_baseline_returns_bad_sql_and_model_failures_as_values(
    shop: Settings, fake_llm: FakeOpenAIServer
) -> None:
    fake_llm.replies = ["SELECT nme FROM customer"]
    baseline = _sql_baseline(shop, fake_llm)
    bad = baseline.answer("Names?")
    assert bad.sql == "SELECT nme FROM customer" and bad.error and "no such table" in bad.error
    fake_llm.status = 500
    failed = baseline.answer("Names?")
    assert failed.error and failed.sql is None and failed.rows is None


def test_langchain_baseline_reports_an_unreachable_database_as_a_value(
    fake_llm: FakeOpenAIServer, tmp_path: Path
) -> None:
    baseline = LangChainSqlBaseline(
        Settings(_env_file=None),  # type: ignore[call-arg]
        fake_llm.base_url,
        f"sqlite:///{tmp_path}/missing/none.sqlite",
    )
    answer = baseline.answer("How many?")
    assert answer.error and answer.rows is None and fake_llm.requests == []


@pytest.mark.parametrize(
    ("raw", "sql"),
    [
        ("SELECT 1", "SELECT 1"),
        ("SQLQuery: SELECT 1", "SELECT 1"),
        ("```sql\nSELECT 1\n```", "SELECT 1"),
        ("```\nSQLQuery: SELECT 1\n```\nThis counts them.", "SELECT 1"),
        ("SELECT 1\nSQLResult: 1\nAnswer: one", "SELECT 1"),
        ("Question: How many?\n\nSQLQuery: SELECT 1", "SELECT 1"),
    ],
)
def test_clean_sql_only_unwraps_the_chains_output(raw: str, sql: str) -> None:
    assert clean_sql(raw) == sql


def test_readonly_schema_url_opens_sqlite_files_read_only_and_leaves_servers_alone(
    shop: Settings,
) -> None:
    url = make_url(readonly_schema_url("sqlite:////data/a b.sqlite"))
    assert url.database == "file:///data/a%20b.sqlite" and dict(url.query) == {
        "mode": "ro",
        "uri": "true",
    }
    engine = create_engine(readonly_schema_url(database_urls(shop)["shop"]))
    with pytest.raises(OperationalError, match="readonly"), engine.begin() as conn:
        conn.execute(text("DELETE FROM customers"))
    engine.dispose()
    assert len(_customers(shop)) == 3
    server = "postgresql+psycopg://ro:secret@db/shop"
    assert readonly_schema_url(server) == server


def test_render_rows_is_short() -> None:
    rows = tuple((n,) for n in range(12))
    text = render_rows(["n"], rows)
    assert text.splitlines()[0] == "n" and text.endswith("(12 rows, 10 shown)")
    assert render_rows(["n"], ()) == "The query returned no rows."
