"""Turning the best chunks into a short spoken answer, and guarding what the small model says.

The model gets the question and the chunks (1-2 sentences, low temperature). Its answer is refused,
and the best chunk's own most relevant sentence said instead, when it adds a number or price that
the chunks don't hold, runs long, or is empty. When it says the notes don't answer, that stands:
the documents don't hold the answer, so nothing is made up.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from gpu_worker.knowledge.knowledge_lines import KnowledgeLines
from gpu_worker.models.stages import ChatMessage
from shared.knowledge.lexical import overlap, stems
from shared.repositories.documents import ChunkHit

MAX_ANSWER_CHARS = 280
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
_WORD = re.compile(r"[a-záéíóúñü0-9]+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_NUMBER_WORDS = """
zero one two three four five six seven eight nine ten eleven twelve fifteen twenty thirty forty fifty sixty
seventy eighty ninety hundred thousand million dollars percent half
uno dos tres cuatro cinco seis siete ocho nueve diez veinte treinta cuarenta cincuenta cien mil dólares
"""
NUMBER_WORDS = frozenset(_NUMBER_WORDS.split())

Phrasing = Literal["model", "extract", "declined"]


def prompt(question: str, chunks: Sequence[ChunkHit], lines: KnowledgeLines) -> list[ChatMessage]:
    notes = "\n".join(f"- {_label(chunk)}{chunk.text}" for chunk in chunks)
    system = lines.instructions.format(decline=lines.decline) + "\n\nNotes:\n" + notes
    return [ChatMessage(role="system", content=system), ChatMessage(role="user", content=question)]


def _label(chunk: ChunkHit) -> str:
    return f"{chunk.heading}: " if chunk.heading else ""


def check_answer(
    answer: str, question: str, chunks: Sequence[ChunkHit], lines: KnowledgeLines, language: str
) -> tuple[str, Phrasing]:
    """The model's answer if it is safe to say, else the extract; ("", "declined") when it declined."""
    answer = " ".join(answer.replace("*", "").split()).strip(" \"'")
    if _declined(answer, lines):
        return "", "declined"
    source = " ".join(chunk.text for chunk in chunks) + " " + question
    if not answer or len(answer) > MAX_ANSWER_CHARS or invented_numbers(answer, source):
        return extract(question, chunks[0], language), "extract"
    return answer, "model"


def _declined(answer: str, lines: KnowledgeLines) -> bool:
    marker = lines.decline.lower()
    return marker in answer.lower() or marker.replace(" ", "") in answer.lower().replace(" ", "")


def invented_numbers(answer: str, source: str) -> list[str]:
    """Numbers (digits or words) in the answer that the chunks and the question don't contain."""
    known_digits = {_plain(n) for n in _NUMBER.findall(source)}
    known_words = set(_WORD.findall(source.lower()))
    invented = [n for n in _NUMBER.findall(answer) if _plain(n) not in known_digits]
    invented += [w for w in _WORD.findall(answer.lower()) if w in NUMBER_WORDS and w not in known_words]
    if "$" in answer and "$" not in source:
        invented.append("$")
    return invented


def _plain(number: str) -> str:
    plain = number.replace(",", "").rstrip(".")
    return plain[:-3] if plain.endswith(".00") else plain


def extract(question: str, chunk: ChunkHit, language: str) -> str:
    """The chunk's sentence sharing most words with the question (the first on a tie), with the next
    one when it is too short to stand alone ("Yes.")."""
    sentences = [s.strip() for s in _SENTENCE_END.split(" ".join(chunk.text.split())) if s.strip()]
    if not sentences:
        return chunk.text.strip()
    asked = stems(question, language)
    overlaps = [overlap(asked, sentence, language) for sentence in sentences]
    best = overlaps.index(max(overlaps))
    chosen = sentences[best]
    if len(chosen.split()) < 5 and best + 1 < len(sentences):
        chosen = f"{chosen} {sentences[best + 1]}"
    return chosen


def attributed(answer: str, chunks: Sequence[ChunkHit], language: str) -> ChunkHit:
    """The chunk the answer's words come from (the better-ranked on a tie): the source to name."""
    said = stems(answer, language)
    shares = [overlap(said, chunk.text, language) for chunk in chunks]
    return chunks[shares.index(max(shares))]
