"""Cutting a document's text into chunks a caller's question can be matched against.

A chunk never crosses a heading, and each carries the path of headings above it, so "Tankless water
heaters" stays attached to the paragraph that says "Yes, we install and repair them". Paragraphs
under one heading are packed together up to `max_chars`; a longer paragraph is cut at sentences.
"""

from __future__ import annotations

import re

from shared.knowledge.documents import MAX_CHUNKS, Chunk, DocumentRejected

MAX_CHUNK_CHARS = 600
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*$")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def chunk_text(text: str, *, max_chars: int = MAX_CHUNK_CHARS) -> list[Chunk]:
    headings: list[tuple[int, str]] = []
    chunks: list[Chunk] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            path = " > ".join(title for _, title in headings)
            chunks.append(Chunk(position=len(chunks), heading=path, text="\n".join(pending)))
            pending.clear()

    for block in _blocks(text):
        heading = _HEADING.match(block)
        if heading:
            flush()
            level = len(heading.group(1))
            headings[:] = [(lvl, title) for lvl, title in headings if lvl < level]
            if heading.group(2):
                headings.append((level, heading.group(2)))
            continue
        for piece in _pieces(block, max_chars):
            if pending and sum(len(p) + 1 for p in pending) + len(piece) > max_chars:
                flush()
            pending.append(piece)
    flush()
    if len(chunks) > MAX_CHUNKS:
        raise DocumentRejected(f"the document makes {len(chunks)} chunks; the limit is {MAX_CHUNKS}: split it")
    return chunks


def _blocks(text: str) -> list[str]:
    """Paragraphs (blank-line separated); a heading line is always a block of its own."""
    blocks: list[str] = []
    current: list[str] = []
    for line in text.split("\n"):
        if not line.strip() or _HEADING.match(line.strip()):
            if current:
                blocks.append("\n".join(current))
                current = []
            if line.strip():
                blocks.append(line.strip())
            continue
        current.append(line.strip())
    if current:
        blocks.append("\n".join(current))
    return blocks


def _pieces(block: str, max_chars: int) -> list[str]:
    if len(block) <= max_chars:
        return [block]
    pieces: list[str] = []
    current = ""
    for sentence in _SENTENCE_END.split(block):
        while len(sentence) > max_chars:  # one run-on "sentence": cut at a space
            cut = sentence.rfind(" ", 0, max_chars)
            cut = cut if cut > 0 else max_chars
            if current:
                pieces.append(current)
                current = ""
            pieces.append(sentence[:cut].strip())
            sentence = sentence[cut:].strip()
        if current and len(current) + 1 + len(sentence) > max_chars:
            pieces.append(current)
            current = ""
        current = f"{current} {sentence}".strip()
    if current:
        pieces.append(current)
    return pieces
