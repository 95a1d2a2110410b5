"""Cut a streamed LLM reply into speakable clauses, as early as each one can be spoken.

A clause ends at a sentence end (. ! ? then whitespace), a line break, or a clause boundary
(, ; : — –, or a spaced hyphen) once it holds enough words: `first_clause_min_words` for the first clause
(latency: it starts the audio), `min_words` for later ones. Numbers ("$1,200", "3.5", "10:30"), phone
numbers ("555-123-4567", "5 5 5, 1 2 3"), abbreviations (Mr. Dr. St. e.g. a.m.) and list markers ("1. ")
are never cut. A boundary whose next character has not arrived yet waits for it (one token).

Clauses come out cleaned for TTS: no markdown, emoji, asterisks or list markers. The first clause is
returned at once; each later one is held until the next has two words, so that a tiny trailing fragment
("Goodbye.") is merged into it at `flush` instead of being synthesized alone.
"""

from __future__ import annotations

import re
import unicodedata

SENTENCE_END = ".!?"
CLAUSE_MARKS = ",;:"
DASHES = "—–"
CLOSERS = "\"')]”’»*_`"
ABBREVIATIONS = frozenset(
    {"mr.", "mrs.", "ms.", "dr.", "st.", "jr.", "sr.", "mt.", "ft.", "vs.", "approx.", "apt.", "no.", "inc.", "ltd."}
)
INITIALS = re.compile(r"^(?:[a-z]\.){2,}$|^[a-hj-z]\.$")  # e.g. i.e. a.m. p.m. u.s. / "J." (not "I.")
WORD = re.compile(r"[A-Za-z0-9$]+(?:['’.,:\-][A-Za-z0-9]+)*")
KEEP_SYMBOLS = frozenset("°")

_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_LIST_MARKER = re.compile(r"(?m)^[ \t]*(?:[-*•+]|\d{1,2}[.)]|#{1,6})[ \t]+")
_MARKUP = re.compile(r"[*_`~]+|#+(?!\d)")
_HASH_NUMBER = re.compile(r"#(?=\d)")
_RANGE_DASH = re.compile(r"(?<=\d)\s*[—–]\s*(?=\d)")
_DASH = re.compile(r"\s*[—–]\s*|\s+-\s+")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,.;:!?])")
_REPEATED_COMMA = re.compile(r",(?:\s*,)+")


def clean_for_speech(text: str) -> str:
    """What TTS should read: no markdown, emoji or list markers; dashes as commas ("10–12": "10 to 12")."""
    text = _LINK.sub(r"\1", text)
    text = _LIST_MARKER.sub("", text)
    text = _HASH_NUMBER.sub("number ", text)
    text = _MARKUP.sub("", text)
    text = "".join(ch for ch in text if _speakable(ch))
    text = _RANGE_DASH.sub(" to ", text)
    text = _DASH.sub(", ", text)
    text = " ".join(text.split())
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", text)
    text = _REPEATED_COMMA.sub(",", text).lstrip(" ,;:").rstrip()
    return text if any(ch.isalnum() for ch in text) else ""


def _speakable(ch: str) -> bool:
    if ch in KEEP_SYMBOLS or ch in "\n\t":
        return True
    category = unicodedata.category(ch)
    return category not in ("So", "Sk", "Cs", "Co", "Cn", "Cf") and ch != "\ufe0f"


def word_count(text: str) -> int:
    return len(WORD.findall(text))


class ClauseSplitter:
    """One per reply stream: `push` each LLM delta, then `flush` once at the end."""

    def __init__(self, *, first_clause_min_words: int = 3, min_words: int = 6) -> None:
        self._first_min = first_clause_min_words
        self._later_min = min_words
        self._pending = ""
        self._held: str | None = None
        self._emitted = 0

    def push(self, delta: str) -> list[str]:
        """The clauses this delta completed (stripped, non-empty), in order."""
        self._pending += delta
        out: list[str] = []
        while (cut := self._find_cut()) is not None:
            clause = clean_for_speech(self._pending[:cut])
            self._pending = self._pending[cut:]
            if clause:
                self._emit(clause, out)
        if self._held is not None and word_count(clean_for_speech(self._pending)) >= 2:
            out.append(self._held)
            self._held = None
        return out

    def flush(self) -> str | None:
        """The rest of the reply at end of stream (a held clause and any short tail, merged)."""
        rest = clean_for_speech(self._pending)
        held, self._pending, self._held = self._held, "", None
        if held and rest:
            return f"{held} {rest}" if held[-1] in ",;:.!?" else f"{held}, {rest}"
        return held or rest or None

    def _emit(self, clause: str, out: list[str]) -> None:
        self._emitted += 1
        if self._emitted == 1:
            out.append(clause)
            return
        if self._held is not None:
            out.append(self._held)
        self._held = clause

    def _find_cut(self) -> int | None:
        """End index of the first complete clause in the pending text, or None (not yet)."""
        text = self._pending
        min_words = self._first_min if self._emitted == 0 else self._later_min
        for index, ch in enumerate(text):
            if ch in SENTENCE_END:
                cut = _sentence_cut(text, index)
            elif ch == "\n":
                cut = index + 1 if _has_letter(text[:index]) else -1
            elif ch in CLAUSE_MARKS or ch in DASHES or _is_spaced_hyphen(text, index):
                cut = _clause_cut(text, index, min_words)
            else:
                continue
            if cut is None:
                return None
            if cut > 0:
                return cut
        return None


def _sentence_cut(text: str, index: int) -> int | None:
    """Cut after the sentence end at `index`: -1 when it is not one, None when the next char is unknown."""
    end = index + 1
    while end < len(text) and (text[end] in SENTENCE_END or text[end] in CLOSERS):
        end += 1
    if end >= len(text):
        return None
    if not text[end].isspace():
        return -1  # "3.5", "555.123.4567", "a.m" (mid-abbreviation)
    if text[index] == "." and end == index + 1 and _is_abbreviation(text[:end]):
        return -1
    return end if _has_letter(text[:end]) else -1


def _clause_cut(text: str, index: int, min_words: int) -> int | None:
    """Cut after a comma/semicolon/colon/dash at `index` once the clause is long enough."""
    after = index + 1
    if after >= len(text):
        return None
    if text[index] in CLAUSE_MARKS and not text[after].isspace():
        return -1  # "$1,200", "10:30"
    if index > 0 and text[index - 1 : index].strip() == "" and text[index] in CLAUSE_MARKS:
        return -1
    if _digit_before(text, index):
        following = text[after:].lstrip()
        if not following:
            return None
        if following[0].isdigit():
            return -1  # "5 5 5, 1 2 3", "10–12"
    if word_count(clean_for_speech(text[:after])) < min_words:
        return -1
    return after


def _is_spaced_hyphen(text: str, index: int) -> bool:
    return text[index] == "-" and 0 < index < len(text) - 1 and text[index - 1] == " " and text[index + 1] == " "


def _digit_before(text: str, index: int) -> bool:
    before = text[:index].rstrip()
    return bool(before) and before[-1].isdigit()


def _is_abbreviation(text: str) -> bool:
    word = text.split()[-1].lstrip("\"'(“‘").lower() if text.split() else ""
    return word in ABBREVIATIONS or bool(INITIALS.match(word))


def _has_letter(text: str) -> bool:
    return any(ch.isalpha() for ch in clean_for_speech(text))


def clauses_of(text: str) -> list[str]:
    """A whole fixed line cut into clauses, sentence by sentence, the same way every time.

    Replies and the phrase cache both cut fixed lines with this, so a question prepared at start-up
    is found again when it is the second sentence of "Thanks, Maria. What's the address…?".
    """
    clauses: list[str] = []
    for sentence in re.split(r"(?<=[.!?])\s+", text.strip()):
        splitter = ClauseSplitter()
        clauses += [clause for clause in [*splitter.push(sentence), splitter.flush()] if clause]
    return clauses
