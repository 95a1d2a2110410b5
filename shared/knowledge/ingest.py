"""Uploads (text, Markdown, PDF, HTML) read into one Markdown-like text; anything else is refused whole.

Headings survive as `#` lines so chunking can keep them with their text: Markdown as written, HTML
from <h1>..<h6>, PDF from short title-like lines (a PDF has no structure to read them from).
"""

from __future__ import annotations

import io
import logging
import re
from html.parser import HTMLParser
from pathlib import PurePath

from shared.knowledge.documents import MAX_TEXT_CHARS, MAX_UPLOAD_BYTES, ContentType, DocumentRejected, ParsedDocument

log = logging.getLogger(__name__)

EXTENSIONS: dict[str, ContentType] = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".pdf": "pdf",
    ".html": "html",
    ".htm": "html",
}


def content_type_of(file_name: str) -> ContentType:
    suffix = PurePath(file_name).suffix.lower()
    if suffix not in EXTENSIONS:
        known = ", ".join(sorted(EXTENSIONS))
        raise DocumentRejected(f"{file_name!r} is not a supported type: upload one of {known}")
    return EXTENSIONS[suffix]


def read_document(data: bytes, *, file_name: str) -> ParsedDocument:
    """Check and read an upload; raises DocumentRejected with the reason (nothing is stored before this)."""
    content_type = content_type_of(file_name)
    if not data.strip():
        raise DocumentRejected(f"{file_name!r} is empty")
    if len(data) > MAX_UPLOAD_BYTES:
        raise DocumentRejected(
            f"{file_name!r} is {len(data) / 1e6:.1f} MB; the limit is {MAX_UPLOAD_BYTES / 1e6:.0f} MB"
            " (split it into smaller documents)"
        )
    if content_type == "pdf":
        text = _pdf_text(data, file_name)
    else:
        decoded = _decode(data, file_name)
        text = _html_text(decoded) if content_type == "html" else decoded
    text = _tidy(text)
    if not text.strip():
        raise DocumentRejected(f"{file_name!r} has no readable text (a scanned PDF needs OCR first)")
    if len(text) > MAX_TEXT_CHARS:
        raise DocumentRejected(
            f"{file_name!r} holds {len(text):,} characters of text; the limit is {MAX_TEXT_CHARS:,}"
            " (split it into smaller documents)"
        )
    return ParsedDocument(content_type=content_type, text=text, byte_size=len(data))


def _decode(data: bytes, file_name: str) -> str:
    if b"\x00" in data[:4096]:
        raise DocumentRejected(f"{file_name!r} looks like a binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DocumentRejected(
            f"{file_name!r} is not UTF-8 text (byte {error.start} cannot be read): save it as UTF-8"
        ) from error


def _tidy(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [" ".join(line.split()) if not line.lstrip().startswith("#") else line.strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _pdf_text(data: bytes, file_name: str) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    if not data.startswith(b"%PDF"):
        raise DocumentRejected(f"{file_name!r} is named .pdf but is not a PDF file")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise DocumentRejected(f"{file_name!r} is password-protected: upload an unprotected copy")
        pages = [page.extract_text() or "" for page in reader.pages]
    except DocumentRejected:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as error:
        log.info("unreadable pdf", extra={"file_name": file_name, "reason": type(error).__name__})
        raise DocumentRejected(f"{file_name!r} is a damaged or unreadable PDF ({type(error).__name__})") from error
    return "\n\n".join(_pdf_headings(page) for page in pages)


def _pdf_headings(page: str) -> str:
    """A short line without closing punctuation, standing alone before text, reads as a heading."""
    out: list[str] = []
    lines = [line.strip() for line in page.split("\n")]
    for index, line in enumerate(lines):
        following = lines[index + 1] if index + 1 < len(lines) else ""
        title_like = 0 < len(line.split()) <= 8 and line[-1] not in ".,;:!?" and line[0].isupper()
        if title_like and following and len(following) > len(line):
            out.extend(["", f"## {line}", ""])
        else:
            out.append(line)
    return "\n".join(out)


class _HtmlToText(HTMLParser):
    BLOCKS = frozenset({"p", "div", "li", "tr", "br", "section", "article", "ul", "ol", "table", "dd", "dt"})
    SKIPPED = frozenset({"script", "style", "noscript", "template", "head", "nav", "footer"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIPPED:
            self._skipping += 1
        elif re.fullmatch(r"h[1-6]", tag):
            self.parts.append("\n\n" + "#" * int(tag[1]) + " ")
        elif tag in self.BLOCKS:
            self.parts.append("\n\n" if tag in {"p", "section", "article", "table", "ul", "ol"} else "\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIPPED:
            self._skipping = max(0, self._skipping - 1)
        elif re.fullmatch(r"h[1-6]", tag) or tag == "p":
            self.parts.append("\n\n")
        elif tag in {"td", "th"}:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data.replace("\n", " "))


def _html_text(markup: str) -> str:
    parser = _HtmlToText()
    parser.feed(markup)
    parser.close()
    return "".join(parser.parts)
