"""A folder of documents: Markdown, HTML, PDF, Word (.docx) and plain text, one document per
file.

Markdown, PDF, Word and text go through llama-index's file readers; HTML is parsed with
BeautifulSoup directly because llama-index's HTML reader drops the heading structure we need
for anchors. Every section gets a deep link: ``#heading-anchor`` or ``#page=N``. A file that
cannot be read is reported by name and skipped; the rest of the folder still loads.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from connectors.base import BaseConnector
from copilot.config import AccessSpec, DocumentsSource
from copilot.errors import ConnectorError
from copilot.types import Access, Document, Section

_HEADING_SEPARATOR = " > "


def slugify(heading: str) -> str:
    """GitHub-style anchor: lowercase, punctuation dropped, spaces to hyphens."""
    slug = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return re.sub(r"\s+", "-", slug)


def path_matches(rel: str, pattern: str) -> bool:
    """Glob match where ``*`` also crosses folders (``hr/*`` covers ``hr/a/b.md``, so a
    restricted folder's subfolders stay restricted) and ``**/x`` also matches a top-level
    ``x``."""
    if fnmatch.fnmatch(rel, pattern):
        return True
    return pattern.startswith("**/") and fnmatch.fnmatch(rel, pattern[3:])


def strip_repeated_lines(pages: list[str]) -> list[str]:
    """Drop running headers and footers: lines found on most pages once digits are ignored
    ("Benefits Guide - page 2 of 4"). They carry no facts and small models copy them."""
    if len(pages) < 2:
        return pages

    def shape(line: str) -> str:
        return re.sub(r"\d+", "#", line.strip())

    counts: dict[str, int] = {}
    for page in pages:
        for key in {shape(line) for line in page.splitlines() if line.strip()}:
            counts[key] = counts.get(key, 0) + 1
    repeated = {key for key, n in counts.items() if n >= max(2, (2 * len(pages) + 2) // 3)}
    return [
        "\n".join(line for line in page.splitlines() if shape(line) not in repeated)
        for page in pages
    ]


def access_from_spec(spec: AccessSpec) -> Access:
    return Access(
        is_public=spec.public,
        users=frozenset(u.lower() for u in spec.users),
        groups=frozenset(spec.groups),
    )


class DocumentsConnector(BaseConnector):
    def __init__(self, config: DocumentsSource, root: Path) -> None:
        super().__init__(config.name)
        self._config = config
        self._root = root
        self._parsers: dict[str, Callable[[Path, str], tuple[str, list[Section]]]] = {
            ".md": self._markdown,
            ".markdown": self._markdown,
            ".html": self._html,
            ".htm": self._html,
            ".pdf": self._pdf,
            ".txt": self._text,
            ".docx": self._docx,
        }

    def _files(self) -> list[Path]:
        if not self._root.is_dir():
            raise ConnectorError(self.name, f"documents folder {self._root} does not exist")
        return sorted(
            p
            for p in self._root.rglob("*")
            if p.is_file()
            and p.suffix.lower() in self._parsers
            and not any(part.startswith(".") for part in p.relative_to(self._root).parts)
        )

    def list_ids(self) -> Iterator[str]:
        for path in self._files():
            yield self._doc_id(path)

    def load(self, since: datetime | None = None) -> Iterator[Document]:
        for path in self._files():
            modified = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
            if since is not None and modified <= since:
                continue
            rel = path.relative_to(self._root).as_posix()
            try:
                title, sections = self._parsers[path.suffix.lower()](path, self._url(rel))
            except Exception as exc:  # any reader failure: report this file, keep going
                self.report_problem(rel, f"could not be read ({type(exc).__name__}: {exc})")
                continue
            if not any(s.text.strip() for s in sections):
                self.report_problem(rel, "has no text (empty, or a scanned PDF without OCR)")
                continue
            yield Document(
                id=self._doc_id(path),
                source=self.name,
                kind="doc",
                title=title,
                url=self._url(rel),
                sections=tuple(sections),
                updated_at=modified,
                access=self.access_for(rel),
                metadata={"path": rel, "format": path.suffix.lower().lstrip(".")},
            )

    def access_for(self, rel: str) -> Access:
        """The first rule whose pattern matches the relative path wins; else the default."""
        for rule in self._config.access.rules:
            if path_matches(rel, rule.pattern):
                return access_from_spec(rule)
        return access_from_spec(self._config.access.default)

    def _doc_id(self, path: Path) -> str:
        return f"{self.name}:{path.relative_to(self._root).as_posix()}"

    def _url(self, rel: str) -> str:
        if self._config.base_url:
            return self._config.base_url.rstrip("/") + "/" + rel
        return (self._root / rel).resolve().as_uri()

    def _markdown(self, path: Path, url: str) -> tuple[str, list[Section]]:
        """One section per heading, via llama-index's ``MarkdownNodeParser``.

        (Its ``MarkdownReader`` merges text under a heading into a following sub-heading,
        which would point citations at the wrong anchor.)
        """
        from llama_index.core import Document as LlamaDocument
        from llama_index.core.node_parser import MarkdownNodeParser

        text = path.read_text(encoding="utf-8")
        nodes = MarkdownNodeParser().get_nodes_from_documents([LlamaDocument(text=text)])
        title, sections = path.stem, []
        for node in nodes:
            heading_line, _, body = node.get_content().partition("\n")
            match = re.match(r"^(#{1,6})\s+(.*)", heading_line)
            if match is None:  # text before the first heading
                sections.append(Section(text=node.get_content().strip(), url=url))
                continue
            parents = [p for p in str(node.metadata.get("header_path", "")).split("/") if p]
            heading = match.group(2).strip()
            if not parents and len(match.group(1)) == 1:
                title = heading
            trail = _HEADING_SEPARATOR.join([*parents[1:], heading] if parents else [])
            anchor = f"#{slugify(heading)}"
            sections.append(
                Section(text=body.strip(), url=url + anchor, heading=trail, group=anchor)
            )
        return title, [s for s in sections if s.text]

    def _html(self, path: Path, url: str) -> tuple[str, list[Section]]:
        from bs4 import BeautifulSoup

        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        for tag in soup(["script", "style", "nav", "footer"]):
            tag.decompose()
        h1 = soup.find("h1")
        title = (soup.title.get_text(strip=True) if soup.title else "") or (
            h1.get_text(strip=True) if h1 else path.stem
        )
        body = soup.body or soup
        sections: list[Section] = []
        heading, anchor = "", ""
        lines: list[str] = []
        for element in body.find_all(["h1", "h2", "h3", "p", "li", "pre", "td", "th", "dt", "dd"]):
            if element.name in {"h1", "h2", "h3"}:
                sections.append(Section("\n".join(lines), url + anchor, heading, anchor))
                heading = element.get_text(" ", strip=True)
                anchor = "#" + str(element.get("id") or slugify(heading))
                lines = []
            elif not element.find_parent(["li", "td", "th"]) or element.name in {"li", "td"}:
                text = element.get_text(" ", strip=True)
                if text:
                    lines.append(("- " if element.name == "li" else "") + text)
        sections.append(Section("\n".join(lines), url + anchor, heading, anchor))
        return title, [s for s in sections if s.text]

    def _pdf(self, path: Path, url: str) -> tuple[str, list[Section]]:
        from llama_index.readers.file import PDFReader

        pages = PDFReader().load_data(path)
        texts = strip_repeated_lines([page.text for page in pages])
        sections = [
            Section(
                text=text.strip(),
                url=f"{url}#page={page.metadata.get('page_label', n)}",
                heading=f"page {page.metadata.get('page_label', n)}",
                group=f"page-{n}",
            )
            for n, (page, text) in enumerate(zip(pages, texts, strict=True), 1)
        ]
        first_line = next((s.text.split("\n")[0] for s in sections if s.text), path.stem)
        return first_line.strip()[:120] or path.stem, sections

    def _text(self, path: Path, url: str) -> tuple[str, list[Section]]:
        from llama_index.readers.file import FlatReader

        text = "\n".join(d.text for d in FlatReader().load_data(path))
        lines = [line for line in text.splitlines() if line.strip()]
        title = lines[0].strip() if lines else path.stem
        return title[:120], [Section(text=text.strip(), url=url, group="")]

    def _docx(self, path: Path, url: str) -> tuple[str, list[Section]]:
        """A Word document as one section, via llama-index's ``DocxReader`` (docx2txt).

        docx2txt returns plain text and loses the heading structure (styles are not kept),
        so there are no per-heading anchors to link to: the whole document is one section
        and the title is its first non-empty line, as for a text file.
        """
        from llama_index.readers.file import DocxReader

        text = "\n".join(d.text for d in DocxReader().load_data(path))
        text = re.sub(r"\n\s*\n", "\n\n", text).strip()  # docx2txt pads paragraphs unevenly
        title = next((line.strip() for line in text.splitlines() if line.strip()), path.stem)
        return title[:120], [Section(text=text, url=url, group="")]
