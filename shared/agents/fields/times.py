"""Times of day as people say them: "2pm", "2:30", "two thirty", "half past two", "quarter to three",
"noon", "a las dos y media de la tarde". Returns (hour, minute) on the 24-hour clock."""

from __future__ import annotations

import re

from shared.agents.fields.lexicons import Lexicon
from shared.agents.fields.number_words import cardinals, tokens

_CLOCK = re.compile(r"\b(\d{1,2})(?::|\.|h)(\d{2})\b")
_HOUR_MARK = re.compile(r"\b(\d{1,2})\s*(a\.?m\.?|p\.?m\.?)(?!\w)", re.IGNORECASE)


def extract_time(text: str, lex: Lexicon, *, answering: bool) -> tuple[int, int] | None:
    lowered = text.lower()
    if any(re.search(rf"(?<!\w){word}(?!\w)", lowered) for word in lex.noon):
        return 12, 0
    if any(re.search(rf"(?<!\w){word}(?!\w)", lowered) for word in lex.midnight):
        return 0, 0
    clock = _clock(lowered) or _spoken(lowered, lex, answering=answering)
    if clock is None:
        return None
    hour, minute, explicit = clock
    return _with_period(hour, minute, lowered, lex, explicit_24h=explicit), minute


def _clock(text: str) -> tuple[int, int, bool] | None:
    if match := _CLOCK.search(text):
        hour, minute = int(match.group(1)), int(match.group(2))
        if hour < 24 and minute < 60:
            return hour, minute, hour > 12 or match.group(1).startswith("0")
    if match := _HOUR_MARK.search(text):
        hour = int(match.group(1))
        return (hour, 0, False) if 1 <= hour <= 12 else None
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
