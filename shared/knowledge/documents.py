"""What a document becomes on its way into the index, and the limits it must keep to."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

ContentType = Literal["text", "markdown", "pdf", "html"]
CONTENT_TYPES: tuple[ContentType, ...] = ("text", "markdown", "pdf", "html")

MAX_UPLOAD_BYTES = 5 * 1024 * 1024  # API Gateway carries 6 MB at most, and a price sheet is far smaller
MAX_TEXT_CHARS = 200_000  # about 60 pages of text: more is a manual, not a phone answer sheet
MAX_CHUNKS = 400
MAX_TITLE_CHARS = 120
LANGUAGE_CODE = re.compile(r"^[a-z]{2}$")


class DocumentRejected(ValueError):
    """The upload cannot be indexed; the message says why in words an operator can act on."""


@dataclass(frozen=True)
class ParsedDocument:
    """A document read into Markdown-like text: `#` lines are headings, blank lines end paragraphs."""

    content_type: ContentType
    text: str
    byte_size: int


@dataclass(frozen=True)
class Chunk:
    position: int
    heading: str  # the heading path it sits under ("Services > Water heaters"), "" before any heading
    text: str

    def embedding_text(self, title: str) -> str:
        """What is embedded: the heading travels with the text, so "tankless" in a heading still counts."""
        context = " > ".join(part for part in (title, self.heading) if part)
        return f"{context}\n{self.text}" if context else self.text


def check_language(language: str) -> str:
    language = language.strip().lower()
    if not LANGUAGE_CODE.match(language):
        raise DocumentRejected(f"language must be a two-letter code such as 'en' or 'es', not {language!r}")
    return language


def check_title(title: str) -> str:
    title = " ".join(title.split())
    if not title:
        raise DocumentRejected("a document needs a title (it is what the agent says as the source)")
    if len(title) > MAX_TITLE_CHARS:
        raise DocumentRejected(f"the title is longer than {MAX_TITLE_CHARS} characters")
    return title
