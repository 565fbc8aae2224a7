"""The documents connector against real Markdown, HTML, PDF, Word and text files."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from fpdf import FPDF

from connectors.documents import DocumentsConnector
from copilot.config import AccessSpec, DocumentAccess, DocumentsSource, PathRule
from copilot.types import Access, Document, Principal

HANDBOOK_MD = """# Ops Handbook

## Certificate Renewal

Renew the API certificate every 60 days with certbot.

## Disk Cleanup

### Old Logs

Delete logs older than 30 days from /var/log/app.

## Backups

Backups run nightly at 02:00 UTC.
"""

ONCALL_HTML = """<!doctype html>
<html><head><title>On-call Guide</title><style>.pager { color: red; }</style></head>
<body><script>var apiToken = "do-not-index";</script>
<h1>On-call Guide</h1><p>Welcome to the rotation.</p>
<h2 id="pager-setup">Pager Setup</h2><p>Install the pager app and enable alerts.</p>
<h2>Escalation Policy</h2><ul><li>Page the secondary after 15 minutes.</li></ul>
</body></html>
"""


def write(root: Path, rel: str, content: str | bytes) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def write_pdf(path: Path, pages: list[str]) -> Path:
    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 10, text)
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(path))
    return path


DOCX_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml"
 ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
</Types>"""

DOCX_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Target="word/document.xml"
 Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>
</Relationships>"""


def write_docx(path: Path, paragraphs: list[str]) -> Path:
    """A minimal but real Word file (a ZIP of three XML parts), as Word itself would open."""
    body = "".join(f"<w:p><w:r><w:t>{escape(p)}</w:t></w:r></w:p>" for p in paragraphs)
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body>{body}</w:body></w:document>"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as docx:
        docx.writestr("[Content_Types].xml", DOCX_CONTENT_TYPES)
        docx.writestr("_rels/.rels", DOCX_RELS)
        docx.writestr("word/document.xml", document)
    return path


def connector(root: Path, **config: Any) -> DocumentsConnector:
    source = DocumentsSource(type="documents", name="docs", path=root, **config)
    return DocumentsConnector(source, root)


def load(root: Path, **config: Any) -> dict[str, Document]:
    return {d.id: d for d in connector(root, **config).load()}


def test_markdown_headings_become_sections_with_anchors(tmp_path: Path) -> None:
    write(tmp_path, "ops/handbook.md", HANDBOOK_MD)
    doc = load(tmp_path, base_url="https://docs.acme.test")["docs:ops/handbook.md"]
    assert doc.title == "Ops Handbook"
    assert doc.url == "https://docs.acme.test/ops/handbook.md"
    by_anchor = {s.url.rsplit("#", 1)[1]: s for s in doc.sections}
    assert set(by_anchor) == {"certificate-renewal", "old-logs", "backups"}
    assert "certbot" in by_anchor["certificate-renewal"].text
    assert by_anchor["certificate-renewal"].heading == "Certificate Renewal"
    assert by_anchor["old-logs"].heading == "Disk Cleanup > Old Logs"
    assert "30 days" in by_anchor["old-logs"].text
    assert "nightly" in by_anchor["backups"].text
    assert doc.metadata == {"path": "ops/handbook.md", "format": "md"}


def test_markdown_text_before_a_subheading_keeps_its_own_anchor(tmp_path: Path) -> None:
    md = "# Runbook\n\n## Certificate Renewal\n\nRenew monthly.\n\n### Step One\n\nRun certbot.\n"
    write(tmp_path, "runbook.md", md)
    sections = load(tmp_path)["docs:runbook.md"].sections
    renewal = [s for s in sections if s.url.endswith("#certificate-renewal")]
    assert len(renewal) == 1 and renewal[0].text == "Renew monthly."


def test_html_sections_use_ids_or_slugs_and_drop_scripts(tmp_path: Path) -> None:
    write(tmp_path, "oncall.html", ONCALL_HTML)
    doc = load(tmp_path, base_url="https://docs.acme.test/")["docs:oncall.html"]
    assert doc.title == "On-call Guide"
    assert [(s.url, s.heading) for s in doc.sections] == [
        ("https://docs.acme.test/oncall.html#on-call-guide", "On-call Guide"),
        ("https://docs.acme.test/oncall.html#pager-setup", "Pager Setup"),
        ("https://docs.acme.test/oncall.html#escalation-policy", "Escalation Policy"),
    ]
    assert doc.sections[1].text == "Install the pager app and enable alerts."
    assert doc.sections[2].text == "- Page the secondary after 15 minutes."
    assert "do-not-index" not in doc.text and "color" not in doc.text


def test_pdf_has_one_section_per_page(tmp_path: Path) -> None:
    pages = ["Vendor Contract Summary", "The renewal fee is 4200 EUR per year.", "Signatures"]
    write_pdf(tmp_path / "contracts/vendor.pdf", pages)
    doc = load(tmp_path)["docs:contracts/vendor.pdf"]
    assert len(doc.sections) == 3
    assert [s.url.rsplit("#", 1)[1] for s in doc.sections] == ["page=1", "page=2", "page=3"]
    assert "4200 EUR" in doc.sections[1].text
    assert "4200 EUR" not in doc.sections[0].text + doc.sections[2].text
    assert doc.title == "Vendor Contract Summary"
    assert doc.sections[1].url == (tmp_path / "contracts/vendor.pdf").resolve().as_uri() + "#page=2"


def test_text_file_is_one_document(tmp_path: Path) -> None:
    write(tmp_path, "notes/wifi.txt", "Office Wi-Fi\n\nThe guest password rotates weekly.\n")
    doc = load(tmp_path)["docs:notes/wifi.txt"]
    assert doc.title == "Office Wi-Fi"
    assert len(doc.sections) == 1
    assert "rotates weekly" in doc.sections[0].text
    assert doc.url == (tmp_path / "notes/wifi.txt").resolve().as_uri()


def access_config() -> DocumentAccess:
    return DocumentAccess(
        default=AccessSpec(public=True),
        rules=[
            PathRule(pattern="hr/public/*", public=True),
            PathRule(pattern="hr/*", groups=["hr"], users=["CEO@acme.test"]),
            PathRule(pattern="*.secret.txt", users=["sec@acme.test"]),
        ],
    )


def test_docx_is_one_section_titled_by_its_first_line(tmp_path: Path) -> None:
    write_docx(
        tmp_path / "hr/leave.docx",
        ["", "Parental Leave Policy", "Parents get 16 weeks of paid leave.", "Ask HR & payroll."],
    )
    source = connector(tmp_path, base_url="https://docs.acme.test")
    assert list(source.list_ids()) == ["docs:hr/leave.docx"]
    doc = {d.id: d for d in source.load()}["docs:hr/leave.docx"]
    assert doc.title == "Parental Leave Policy"
    assert doc.url == "https://docs.acme.test/hr/leave.docx"
    assert doc.metadata == {"path": "hr/leave.docx", "format": "docx"}
    assert len(doc.sections) == 1
    section = doc.sections[0]
    assert section.url == doc.url and section.heading == ""
    assert "16 weeks of paid leave" in section.text
    assert "Ask HR & payroll." in section.text
    assert source.problems == []


def test_corrupt_docx_is_reported_and_skipped(tmp_path: Path) -> None:
    write(tmp_path, "broken.docx", b"PK\x03\x04 this is not really a zip archive")
    write_docx(tmp_path / "good.docx", ["Good memo", "All fine."])
    source = connector(tmp_path)
    assert [d.id for d in source.load()] == ["docs:good.docx"]
    assert len(source.problems) == 1
    assert source.problems[0].startswith("broken.docx: could not be read")


def test_access_rules_first_match_wins_else_default(tmp_path: Path) -> None:
    for rel in ("hr/public/holidays.txt", "hr/salaries.txt", "x.secret.txt", "readme.txt"):
        write(tmp_path, rel, f"{rel} contents\n")
    docs = load(tmp_path, access=access_config())
    hr = Access(users=frozenset({"ceo@acme.test"}), groups=frozenset({"hr"}))
    assert docs["docs:hr/public/holidays.txt"].access == Access.public()
    assert docs["docs:hr/salaries.txt"].access == hr
    assert docs["docs:x.secret.txt"].access == Access(users=frozenset({"sec@acme.test"}))
    assert docs["docs:readme.txt"].access == Access.public()
    assert docs["docs:hr/salaries.txt"].access.allows(
        Principal.user("x@acme.test", frozenset({"hr"}))
    )
    assert not docs["docs:hr/salaries.txt"].access.allows(Principal.user("x@acme.test"))


def test_default_access_spec_means_nobody(tmp_path: Path) -> None:
    write(tmp_path, "plan.txt", "Q3 plan\n")
    access = load(tmp_path)["docs:plan.txt"].access
    assert access == Access.nobody()
    assert not access.allows(Principal.user("anyone@acme.test"))


def test_double_star_rule_matches_root_level_file(tmp_path: Path) -> None:
    write(tmp_path, "salaries.txt", "Salaries\n")
    rules = DocumentAccess(
        default=AccessSpec(public=True),
        rules=[PathRule(pattern="**/salaries.txt", groups=["hr"])],
    )
    assert load(tmp_path, access=rules)["docs:salaries.txt"].access == Access(
        groups=frozenset({"hr"})
    )


def test_unreadable_files_are_reported_and_skipped(tmp_path: Path) -> None:
    write(tmp_path, "broken.pdf", bytes(range(256)) * 8)
    write(tmp_path, "latin1.txt", "caf\xe9 menu\n".encode("latin-1"))
    write(tmp_path, "good.txt", "Good file\n")
    source = connector(tmp_path)
    ids = [d.id for d in source.load()]
    assert ids == ["docs:good.txt"]
    assert len(source.problems) == 2
    assert any(p.startswith("broken.pdf:") for p in source.problems)
    assert any(p.startswith("latin1.txt:") for p in source.problems)


def test_hidden_folders_and_unknown_suffixes_are_ignored(tmp_path: Path) -> None:
    write(tmp_path, ".git/notes.md", "# Hidden\n\nsecret\n")
    write(tmp_path, "guides/.drafts/wip.txt", "draft\n")
    write(tmp_path, "image.png", b"\x89PNG")
    write(tmp_path, "guides/setup.md", "# Setup\n\nInstall it.\n")
    source = connector(tmp_path)
    assert [d.id for d in source.load()] == ["docs:guides/setup.md"]
    assert list(source.list_ids()) == ["docs:guides/setup.md"]
    assert source.problems == []


def test_content_hash_changes_with_text_and_with_access(tmp_path: Path) -> None:
    path = write(tmp_path, "policy.txt", "Travel policy\n\nEconomy class only.\n")
    first = load(tmp_path)["docs:policy.txt"]
    assert load(tmp_path)["docs:policy.txt"].content_hash == first.content_hash
    public = DocumentAccess(default=AccessSpec(public=True))
    opened = load(tmp_path, access=public)["docs:policy.txt"]
    assert opened.content_hash != first.content_hash
    path.write_text("Travel policy\n\nBusiness class allowed.\n", encoding="utf-8")
    assert load(tmp_path)["docs:policy.txt"].content_hash != first.content_hash


def test_running_headers_and_footers_are_stripped_from_pdf_pages() -> None:
    from connectors.documents import strip_repeated_lines

    pages = [
        "Benefits Guide 2026\nHealth plans start day one.\nBenefits Guide - page 1 of 3",
        "Benefits Guide 2026\nThe 401k match is 4%.\nBenefits Guide - page 2 of 3",
        "Benefits Guide 2026\nVision is included.\nBenefits Guide - page 3 of 3",
    ]
    assert strip_repeated_lines(pages) == [
        "Health plans start day one.",
        "The 401k match is 4%.",
        "Vision is included.",
    ]
    assert strip_repeated_lines(["only page\npage 1 of 1"]) == ["only page\npage 1 of 1"]
