"""Shared fixtures: real services (PostgreSQL, MariaDB), the real embedding model and the
fake LLM server."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from copilot.config import Settings
from indexes.embeddings import SentenceTransformerEmbedder
from tests.fakes.openai_server import FakeOpenAIServer

REPO = Path(__file__).resolve().parents[1]
ACME = REPO / "examples" / "acme"
PG_ADMIN_URL = os.environ.get(
    "COPILOT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
MARIADB_ADMIN_URL = os.environ.get(
    "COPILOT_TEST_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306/"
)


def require_service(name: str, reason: str) -> None:
    """Skip when a service is missing, unless CI demands services (then fail loudly)."""
    message = f"{name} is not available ({reason})"
    if os.environ.get("COPILOT_REQUIRE_SERVICES") == "1":
        pytest.fail(message + "; COPILOT_REQUIRE_SERVICES=1 says it must be", pytrace=False)
    pytest.skip(message)


def _scratch_database(service: str, admin_url: str, create: str, drop: str) -> Iterator[str]:
    """Create a uniquely named database on a real server, yield its URL, drop it after."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import SQLAlchemyError

    name = f"copilot_test_{uuid.uuid4().hex[:10]}"
    try:
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(create.format(name=name)))
    except (SQLAlchemyError, ImportError) as exc:  # ImportError: the driver is not installed
        require_service(service, f"{admin_url}: {exc.__class__.__name__}")
    try:
        yield admin_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(drop.format(name=name)))
        admin.dispose()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    yield from _scratch_database(
        "PostgreSQL",
        PG_ADMIN_URL,
        'CREATE DATABASE "{name}"',
        'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
    )


@pytest.fixture
def mariadb_url() -> Iterator[str]:
    """A fresh, empty MariaDB (or MySQL) database for one test, dropped afterwards."""
    yield from _scratch_database(
        "MariaDB",
        MARIADB_ADMIN_URL,
        "CREATE DATABASE `{name}` CHARACTER SET utf8mb4",
        "DROP DATABASE IF EXISTS `{name}`",
    )


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings(_env_file=None)  # type: ignore[call-arg]


@pytest.fixture(scope="session")
def embedder(settings: Settings) -> SentenceTransformerEmbedder:
    """The real packaged MiniLM, loaded once per test session."""
    return SentenceTransformerEmbedder(settings)


@pytest.fixture
def fake_llm() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer() as server:
        yield server
