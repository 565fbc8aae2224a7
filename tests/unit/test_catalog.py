"""The catalog on SQLite and on a real PostgreSQL: keys, versions, rows, access, checkpoints."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from copilot.types import Access, Chunk, Document, Section
from indexes.catalog import Catalog, StoredChunk, checkpoints_table

WHEN = datetime(2024, 5, 1, 9, 30, tzinfo=UTC)
HR = Access(users=frozenset({"ana@acme.test", "raj@acme.test"}), groups=frozenset({"hr", "exec"}))


@pytest.fixture(params=["sqlite", "postgres"])
def catalog_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/c.sqlite"
    url: str = request.getfixturevalue("postgres_url")
    return url


def doc(
    doc_id: str,
    source: str = "docs",
    text: str = "body",
    access: Access = HR,
    updated_at: datetime = WHEN,
) -> Document:
    return Document(
        id=doc_id,
        source=source,
        kind="doc",
        title=f"Title of {doc_id}",
        url=f"https://docs.acme.test/{doc_id}",
        sections=(Section(text=text, url=f"https://docs.acme.test/{doc_id}#s"),),
        updated_at=updated_at,
        access=access,
        metadata={"path": doc_id},
    )


def stored(document: Document, keys: Sequence[int], prefix: str = "part") -> list[StoredChunk]:
    return [
        StoredChunk(
            key,
            Chunk(
                id=f"{document.id}#{prefix}{n}",
                doc_id=document.id,
                kind=document.kind,
                title=document.title,
                text=f"{prefix} {n} of {document.id}",
                url=document.url,
                access=document.access,
                heading=f"heading {n}",
            ),
        )
        for n, key in enumerate(keys)
    ]


def test_reserve_keys_gives_disjoint_increasing_ranges(catalog_url: str) -> None:
    catalog = Catalog(catalog_url)
    first, second, empty, third = (catalog.reserve_keys(n) for n in (3, 5, 0, 2))
    assert len(first) == 3 and len(second) == 5 and len(empty) == 0 and len(third) == 2
    assert first.start >= 1
    assert first.stop <= second.start and second.stop <= third.start
    assert not set(first) & set(second) and not set(second) & set(third)


def test_commit_version_stores_rows_and_sets_active_version(catalog_url: str) -> None:
    catalog = Catalog(catalog_url)
    assert catalog.active_version() is None
    a = doc("a.md")
    keys = list(catalog.reserve_keys(2))
    catalog.commit_version(1, [(a, stored(a, keys))], [])
    assert catalog.active_version() == 1
    assert catalog.counts() == {"documents": 1, "chunks": 2}
    assert sorted(catalog.chunk_keys_for(["a.md"])) == keys
    assert [s.chunk.text for s in catalog.all_chunks()] == ["part 0 of a.md", "part 1 of a.md"]
    catalog.commit_version(2, [], [])
    assert catalog.active_version() == 2


def test_document_states_are_per_source(catalog_url: str) -> None:
    catalog = Catalog(catalog_url)
    a, b = doc("a.md"), doc("b.md", text="other")
    thread = doc("slack:C1:1.0", source="slack")
    catalog.commit_version(1, [(a, []), (b, []), (thread, [])], [])
    states = catalog.document_states("docs")
    assert set(states) == {"a.md", "b.md"}
    assert states["a.md"].content_hash == a.content_hash
    assert states["b.md"].content_hash == b.content_hash != a.content_hash
    assert states["a.md"].updated_at == WHEN
    assert set(catalog.document_states("slack")) == {"slack:C1:1.0"}
    assert catalog.document_states("nothing") == {}


def test_second_commit_replaces_a_documents_chunks(catalog_url: str) -> None:
    catalog = Catalog(catalog_url)
    a, b = doc("a.md"), doc("b.md")
    old = list(catalog.reserve_keys(3))
    catalog.commit_version(1, [(a, stored(a, old[:2])), (b, stored(b, old[2:]))], [])
    changed = doc("a.md", text="rewritten")
    new = list(catalog.reserve_keys(1))
    catalog.commit_version(2, [(changed, stored(changed, new, prefix="v2-"))], [])
    assert catalog.chunks(old[:2]) == {}
    assert sorted(catalog.chunk_keys_for(["a.md"])) == new
    assert catalog.chunks(new)[new[0]].chunk.text == "v2- 0 of a.md"
    assert catalog.counts() == {"documents": 2, "chunks": 2}
    assert catalog.document_states("docs")["a.md"].content_hash == changed.content_hash


def test_deleting_a_document_removes_its_rows(catalog_url: str) -> None:
    catalog = Catalog(catalog_url)
    a, b = doc("a.md"), doc("b.md")
    keys = list(catalog.reserve_keys(3))
    catalog.commit_version(1, [(a, stored(a, keys[:2])), (b, stored(b, keys[2:]))], [])
    catalog.commit_version(2, [], ["a.md", "never-existed.md"])
    assert set(catalog.document_states("docs")) == {"b.md"}
    assert catalog.chunk_keys_for(["a.md"]) == []
    assert set(catalog.chunks(keys)) == {keys[2]}
    assert catalog.counts() == {"documents": 1, "chunks": 1}


@pytest.mark.parametrize(
    "access",
    [HR, Access.public(), Access.nobody(), Access(is_public=True, users=frozenset({"x@y"}))],
    ids=["users-groups", "public", "nobody", "public-with-users"],
)
def test_chunks_round_trip_access_exactly(catalog_url: str, access: Access) -> None:
    catalog = Catalog(catalog_url)
    a = doc("a.md", access=access)
    chunks = stored(a, list(catalog.reserve_keys(2)))
    catalog.commit_version(1, [(a, chunks)], [])
    found = catalog.chunks([c.key for c in chunks] + [999_999])
    assert set(found) == {c.key for c in chunks}
    for original in chunks:
        assert found[original.key] == original
        assert found[original.key].chunk.access == access


@pytest.mark.parametrize(
    "raw",
    [None, "", "not json", "[]", "null", "42", '{"users": 5}', '{"public": "yes"}'],
)
def test_access_from_garbage_is_nobody(raw: str | None) -> None:
    access = Access.from_json(raw)
    assert not access.is_public
    assert access.users == frozenset() and access.groups == frozenset()


def checkpoint(catalog: Catalog, source: str) -> tuple[datetime | None, datetime, str, str | None]:
    with catalog.engine.connect() as conn:
        row = conn.execute(
            select(checkpoints_table).where(checkpoints_table.c.source == source)
        ).one()
    return row.last_success_at, row.last_attempt_at, row.status, row.error


def test_record_checkpoint_keeps_last_success_after_failure(catalog_url: str) -> None:
    catalog = Catalog(catalog_url)
    catalog.record_checkpoint("never-ok", ok=False, error="boom")
    assert checkpoint(catalog, "never-ok")[0] is None
    catalog.record_checkpoint("slack", ok=True)
    success, attempt, status, error = checkpoint(catalog, "slack")
    assert success is not None and status == "ok" and error is None
    catalog.record_checkpoint("slack", ok=False, error="export missing")
    kept, later_attempt, status, error = checkpoint(catalog, "slack")
    assert (kept, status, error) == (success, "failed", "export missing")
    assert later_attempt >= attempt


def test_reopened_catalog_keeps_its_data(catalog_url: str) -> None:
    catalog = Catalog(catalog_url)
    a = doc("a.md", access=Access.public())
    keys = list(catalog.reserve_keys(2))
    catalog.commit_version(7, [(a, stored(a, keys))], [])
    catalog.engine.dispose()
    again = Catalog(catalog_url)
    assert again.active_version() == 7
    assert again.counts() == {"documents": 1, "chunks": 2}
    assert again.chunks(keys)[keys[0]].chunk.access == Access.public()
    assert again.document_states("docs")["a.md"].content_hash == a.content_hash
    assert again.reserve_keys(1).start >= keys[-1] + 1


def test_document_states_keep_the_instant_of_a_non_utc_time(catalog_url: str) -> None:
    catalog = Catalog(catalog_url)
    local = datetime(2024, 5, 1, 11, 30, tzinfo=timezone(timedelta(hours=2)))
    catalog.commit_version(1, [(doc("a.md", updated_at=local), [])], [])
    assert catalog.document_states("docs")["a.md"].updated_at == WHEN
