"""Heading-aware chunking: a chunk never spans two headings, and keeps its section's deep link.

Long sections are split by llama-index's ``SentenceSplitter`` (sentence boundaries first) with
the embedding model's own tokenizer, so chunk sizes match what the model can read. Short
neighbouring pieces of the same group (the messages of one Slack thread) are merged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from copilot.types import Chunk, Document, Section

Tokenizer = Callable[[str], list[str]]


@dataclass(frozen=True)
class _Piece:
    text: str
    section: Section
    tokens: int


def indexed_text(chunk: Chunk) -> str:
    """What embeddings and BM25 see: the title and heading give a chunk its context."""
    context = " > ".join(p for p in (chunk.title, chunk.heading) if p)
    return f"{context}\n{chunk.text}" if context else chunk.text


class Chunker:
    def __init__(self, tokenizer: Tokenizer, chunk_tokens: int, overlap_tokens: int) -> None:
        from llama_index.core.node_parser import SentenceSplitter

        self._count: Callable[[str], int] = lambda text: len(tokenizer(text))
        self._limit = chunk_tokens
        self._splitter = SentenceSplitter(
            chunk_size=chunk_tokens, chunk_overlap=overlap_tokens, tokenizer=tokenizer
        )

    def chunk(self, doc: Document) -> list[Chunk]:
        pieces = [p for section in doc.sections for p in self._split(section)]
        return [
            Chunk(
                id=f"{doc.id}#{n}",
                doc_id=doc.id,
                kind=doc.kind,
                title=doc.title,
                text="\n".join(p.text for p in group),
                url=group[0].section.url,
                access=doc.access,
                heading=group[0].section.heading,
            )
            for n, group in enumerate(self._merge(pieces))
        ]

    def _split(self, section: Section) -> list[_Piece]:
        text = section.text.strip()
        if not text:
            return []
        count = self._count(text)
        if count <= self._limit:
            return [_Piece(text, section, count)]
        return [_Piece(t, section, self._count(t)) for t in self._splitter.split_text(text)]

    def _merge(self, pieces: list[_Piece]) -> list[list[_Piece]]:
        groups: list[list[_Piece]] = []
        size = 0
        for piece in pieces:
            last = groups[-1] if groups else None
            mergeable = (
                last is not None
                and last[-1].section.group == piece.section.group
                and last[-1].section.group != ""
                and size + piece.tokens <= self._limit
            )
            if mergeable and last is not None:
                last.append(piece)
                size += piece.tokens
            else:
                groups.append([piece])
                size = piece.tokens
        return groups
