"""Times of day as people say them: "2pm", "2:30", "two thirty", "half past two", "quarter to three",
"noon", "a las dos y media de la tarde", and as Whisper writes them ("5 a,", "11 p", "5 de la mañana":
clock_text.py reads those first). Returns (hour, minute) on the 24-hour clock."""

from __future__ import annotations

import re

from shared.agents.fields.clock_text import clock_text
from shared.agents.fields.lexicons import Lexicon
from shared.agents.fields.number_words import cardinals, tokens

_CLOCK = re.compile(r"\b(\d{1,2})(?::|\.|h)(\d{2})\b")
_MARKED = re.compile(r"(?<![\w:.])(\d{1,2})(?::(\d{2}))? ([ap])m(?!\w)")  # clock_text's form, lowered


def extract_time(text: str, lex: Lexicon, *, answering: bool) -> tuple[int, int] | None:
    lowered = clock_text(text, lex).lower()
    clock = _marked(lowered, lex) or _clock(lowered) or _spoken(lowered, lex, answering=answering)
    if clock is None:
        return None
    hour, minute, explicit = clock
    return _with_period(hour, minute, lowered, lex, explicit_24h=explicit), minute


def _marked(text: str, lex: Lexicon) -> tuple[int, int, bool] | None:
    """The first time that says its own half of the day ("5 am", "11:30 pm"); in a range, its start."""
    match = _MARKED.search(text)
    if match is None:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if minute == 0 and lex.half.search(text):  # "half past 7 am" (en); "y media" (es) is read by _spoken
        minute = 30
    elif minute == 0 and lex.quarter_past.search(text):
        minute = 15
    elif minute == 0 and lex.quarter_to.search(text):
        hour, minute = (hour - 1) or 12, 45
    return hour % 12 + (12 if match.group(3) == "p" else 0), minute, True


def _clock(text: str) -> tuple[int, int, bool] | None:
    if match := _CLOCK.search(text):
        hour, minute = int(match.group(1)), int(match.group(2))
        if hour < 24 and minute < 60:
            return hour, minute, hour > 12 or match.group(1).startswith("0")
    return None


def _spoken(text: str, lex: Lexicon, *, answering: bool) -> tuple[int, int, bool] | None:
    numbers = cardinals(text, lex)
    if not numbers:
        return None
    for position, (value, start, _end) in enumerate(numbers):
        if not 1 <= value <= 12:
            continue
        lead = " ".join(tokens(text)[:start])
        marked = lex.time_lead.search(lead) or lex.morning.search(text) or lex.evening.search(text)
        if not (answering or marked or lex.half.search(text) or lex.quarter_past.search(text)):
            continue
        minute = _minutes(text, numbers, position, lex)
        if lex.quarter_to.search(text):
            return (value - 1 or 12), 45, False
        return value, minute, False
    return None


def _minutes(text: str, numbers: list[tuple[int, int, int]], position: int, lex: Lexicon) -> int:
    if lex.half.search(text):
        return 30
    if lex.quarter_past.search(text):
        return 15
    following = numbers[position + 1][0] if position + 1 < len(numbers) else None
    return following if following is not None and 0 < following < 60 and following % 5 == 0 else 0


def _with_period(hour: int, minute: int, text: str, lex: Lexicon, *, explicit_24h: bool) -> int:
    if explicit_24h or hour > 12:
        return hour % 24
    if lex.evening.search(text) or re.search(r"\bp\.?m\.?\b", text):
        return hour % 12 + 12
    if lex.morning.search(text) or re.search(r"\ba\.?m\.?\b", text):
        return hour % 12
    # No period said: the hours a small business keeps (7–11 in the morning, 12–6 in the afternoon).
    return hour if hour >= 7 else hour + 12
