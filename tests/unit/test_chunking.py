from datetime import datetime

from copilot.types import Access, Document, Section
from indexes.chunking import Chunker, indexed_text


def words(text: str) -> list[str]:
    return text.split()


def _doc(sections: list[Section], kind: str = "doc") -> Document:
    return Document(
        id="d",
        source="s",
        kind=kind,  # type: ignore[arg-type]
        title="Title",
        url="u",
        sections=tuple(sections),
        updated_at=datetime(2026, 1, 1),
        access=Access(groups=frozenset({"hr"})),
    )


def test_chunks_never_span_headings() -> None:
    doc = _doc([Section("alpha beta", "u#a", "A", "#a"), Section("gamma", "u#b", "B", "#b")])
    chunks = Chunker(words, 50, 5).chunk(doc)
    assert [(c.text, c.url, c.heading) for c in chunks] == [
        ("alpha beta", "u#a", "A"),
        ("gamma", "u#b", "B"),
    ]
    assert [c.id for c in chunks] == ["d#0", "d#1"]
    assert all(c.access == doc.access for c in chunks)


def test_thread_messages_merge_up_to_the_limit() -> None:
    messages = [Section(f"m{i} " + "w " * 9, f"u#{i}", group="thread") for i in range(5)]
    chunks = Chunker(words, 25, 0).chunk(_doc(messages, "slack"))
    assert len(chunks) == 3
    assert chunks[0].url == "u#0" and chunks[1].url == "u#2"
    assert chunks[0].text.startswith("m0") and "m1" in chunks[0].text


def test_long_section_is_split_within_limit() -> None:
    text = " ".join(f"Sentence number {i} talks about retries." for i in range(60))
    chunks = Chunker(words, 40, 5).chunk(_doc([Section(text, "u#x", "X", "#x")]))
    assert len(chunks) > 3
    assert all(len(words(c.text)) <= 40 for c in chunks)
    assert all(c.url == "u#x" for c in chunks)


def test_empty_sections_are_dropped() -> None:
    assert Chunker(words, 10, 0).chunk(_doc([Section("   ", "u")])) == []


def test_indexed_text_carries_title_and_heading() -> None:
    chunk = Chunker(words, 50, 0).chunk(_doc([Section("body", "u#a", "Renewal", "#a")]))[0]
    assert indexed_text(chunk) == "Title > Renewal\nbody"
