"""Uploads of every supported type read into text with headings; bad ones refused with a clear reason."""

from __future__ import annotations

import pytest

from shared.knowledge.chunking import chunk_text
from shared.knowledge.documents import MAX_TEXT_CHARS, MAX_UPLOAD_BYTES, DocumentRejected
from shared.knowledge.ingest import read_document
from tests.shared.knowledge.pdf_samples import text_pdf


def test_markdown_headings_stay_with_their_text() -> None:
    # GIVEN a Markdown service list with nested headings
    data = b"# Services\n\n## Tankless water heaters\nYes, we repair them.\n\n## Gas lines\nWe install gas lines.\n"
    # WHEN it is read and chunked
    chunks = chunk_text(read_document(data, file_name="services.md").text)
    # THEN each chunk carries the path of headings above it
    assert [(c.heading, c.text) for c in chunks] == [
        ("Services > Tankless water heaters", "Yes, we repair them."),
        ("Services > Gas lines", "We install gas lines."),
    ]


def test_html_headings_and_table_rows_become_text_without_scripts_or_navigation() -> None:
    # GIVEN a price page with a script, a menu, a heading and a table
    html = (
        b"<html><head><script>var x = 1;</script></head><body><nav>Home | Contact</nav>"
        b"<h2>Common jobs</h2><table><tr><td>Drain cleaning</td><td>from $150</td></tr></table></body></html>"
    )
    # WHEN it is read and chunked
    chunks = chunk_text(read_document(html, file_name="prices.html").text)
    # THEN the row sits under its heading, and neither the script nor the menu is indexed
    assert [(c.heading, c.text) for c in chunks] == [("Common jobs", "Drain cleaning from $150")]


def test_pdf_text_is_read_and_a_title_line_becomes_a_heading() -> None:
    # GIVEN a one-page PDF with a title line over a paragraph
    pdf = text_pdf(["Before your surgery", "Do not eat or drink anything after midnight before the operation."])
    # WHEN it is read and chunked
    chunks = chunk_text(read_document(pdf, file_name="pre-op.pdf").text)
    # THEN the paragraph is found under the title
    assert chunks[0].heading == "Before your surgery"
    assert "after midnight" in chunks[0].text


def test_a_long_paragraph_is_cut_at_sentences_under_the_same_heading() -> None:
    text = "# Policies\n" + " ".join(f"Rule number {n} is important to follow." for n in range(60))
    chunks = chunk_text(text, max_chars=300)
    assert len(chunks) > 1
    assert all(c.heading == "Policies" and len(c.text) <= 300 and c.text.endswith(".") for c in chunks)


@pytest.mark.parametrize(
    ("data", "file_name", "reason"),
    [
        (b"", "faq.md", "is empty"),
        (b"  \n\n ", "faq.txt", "is empty"),
        (b"hello", "prices.docx", "not a supported type"),
        (b"\x00\x01binary", "faq.txt", "binary"),
        (b"caf\xe9 menu", "menu.txt", "not UTF-8"),
        (b"<html>plain</html>", "faq.pdf", "is not a PDF"),
        (b"%PDF-1.4\n1 0 obj garbage", "broken.pdf", "damaged or unreadable PDF"),
        (b"<html><script>only()</script></html>", "empty.html", "no readable text"),
        (b"x" * (MAX_UPLOAD_BYTES + 1), "huge.txt", "the limit is 5 MB"),
        (("word " * (MAX_TEXT_CHARS // 4)).encode(), "long.txt", "characters of text"),
    ],
)
def test_bad_uploads_are_refused_with_the_reason(data: bytes, file_name: str, reason: str) -> None:
    with pytest.raises(DocumentRejected, match=reason):
        read_document(data, file_name=file_name)
