from datetime import datetime

from copilot.types import Access, Document, Member, Principal, Section

ANN = Principal.user("ann@x.example", frozenset({"eng"}))
BOB = Principal.user("bob@x.example", frozenset({"hr"}))


def test_default_access_is_nobody() -> None:
    assert not Access().allows(ANN)
    assert not Access.nobody().allows(Principal.anonymous())


def test_public_allows_everyone_including_anonymous() -> None:
    assert Access.public().allows(Principal.anonymous())
    assert Access.public().allows(ANN)


def test_users_and_groups_grant_access() -> None:
    by_user = Access(users=frozenset({"ann@x.example"}))
    by_group = Access(groups=frozenset({"hr"}))
    assert by_user.allows(ANN) and not by_user.allows(BOB)
    assert by_group.allows(BOB) and not by_group.allows(ANN)


def test_anonymous_sees_nothing_private() -> None:
    assert not Access(groups=frozenset({"hr"})).allows(Principal.anonymous())


def test_audience_needs_every_member_allowed() -> None:
    channel = Principal(
        "channel:C1", (Member("ann@x.example", frozenset({"eng"})), Member("bob@x.example"))
    )
    assert not Access(groups=frozenset({"eng"})).allows(channel)
    both = Access(users=frozenset({"bob@x.example"}), groups=frozenset({"eng"}))
    assert both.allows(channel)


def test_access_json_round_trip_and_fail_closed() -> None:
    access = Access(users=frozenset({"a@x"}), groups=frozenset({"g"}))
    assert Access.from_json(access.to_json()) == access
    assert Access.from_json(Access.public().to_json()).is_public
    for garbage in ("", "not json", "[]", '{"public": "yes"}', None):
        assert not Access.from_json(garbage).allows(ANN)


def _doc(text: str, access: Access) -> Document:
    return Document(
        id="docs:a.md",
        source="docs",
        kind="doc",
        title="A",
        url="file:///a.md",
        sections=(Section(text=text, url="file:///a.md#a"),),
        updated_at=datetime(2026, 1, 1),
        access=access,
    )


def test_content_hash_covers_text_and_access() -> None:
    base = _doc("hello", Access.public())
    assert base.content_hash == _doc("hello", Access.public()).content_hash
    assert base.content_hash != _doc("hello!", Access.public()).content_hash
    assert base.content_hash != _doc("hello", Access(groups=frozenset({"hr"}))).content_hash


def test_naive_datetimes_become_utc() -> None:
    assert _doc("x", Access.public()).updated_at.tzinfo is not None
