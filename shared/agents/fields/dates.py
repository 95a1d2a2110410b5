"""Dates as people say them, relative to the business's today: "tomorrow", "next Tuesday", "December 3rd",
"the 5th", "el martes", "pasado mañana", "3 de diciembre". Returns ISO dates."""

from __future__ import annotations

import re
from datetime import date, timedelta

from shared.agents.fields.lexicons import Lexicon
from shared.agents.fields.number_words import cardinals, tokens

_ORDINAL = re.compile(r"^(\d{1,2})(st|nd|rd|th|º|°)?$")
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def extract_date(text: str, lex: Lexicon, *, today: date) -> date | None:
    lowered = text.lower()
    if match := _ISO.search(lowered):
        return _safe_date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    # "de la mañana" is a time of day, not "tomorrow": skip phrases inside a time-of-day phrase.
    periods = [m.span() for p in (lex.morning, lex.evening) for m in p.finditer(lowered) if " " in m.group(0)]
    for phrase, days in sorted(lex.relative_days.items(), key=lambda item: -len(item[0])):
        for match in re.finditer(rf"(?<!\w){re.escape(phrase)}(?!\w)", lowered):
            if not any(start <= match.start() < end for start, end in periods):
                return today + timedelta(days=days)
    return _month_day(lowered, lex, today) or _weekday(lowered, lex, today) or _day_of_month(lowered, lex, today)


def _month_day(text: str, lex: Lexicon, today: date) -> date | None:
    items = tokens(text)
    for index, word in enumerate(items):
        month = lex.months.get(word)
        day = _day_near(items, index, lex) if month is not None else None
        if month is not None and day is not None:  # "may" alone is a verb, not the month
            return _upcoming(today, month, day)
    return None


def _day_near(items: list[str], index: int, lex: Lexicon) -> int | None:
    """The day number right after the month ("December 3rd") or just before it ("3 de diciembre")."""
    after = " ".join(items[index + 1 : index + 4])
    before = " ".join(items[max(0, index - 4) : index])
    for window, pick in ((after, 0), (before, -1)):
        numbers = [value for value, _start, _end in cardinals(window, lex) if 1 <= value <= 31]
        ordinals = [int(m.group(1)) for m in (_ORDINAL.match(w) for w in window.split()) if m]
        candidates = ordinals or numbers
        if candidates:
            return candidates[pick]
    return None


def _weekday(text: str, lex: Lexicon, today: date) -> date | None:
    items = tokens(text)
    for index, word in enumerate(items):
        weekday = lex.weekdays.get(word)
        if weekday is None:
            continue
        ahead = (weekday - today.weekday()) % 7
        if ahead == 0 and not (index and items[index - 1] in lex.next_words and items[index - 1] in {"this", "este"}):
            ahead = 7
        return today + timedelta(days=ahead)
    return None


def _day_of_month(text: str, lex: Lexicon, today: date) -> date | None:
    match = re.search(r"\b(?:the|el|día|dia)\s+(\d{1,2})(?:st|nd|rd|th)?\b", text)
    if not match:
        return None
    day = int(match.group(1))
    candidate = _safe_date(today.year, today.month, day)
    if candidate is None or candidate < today:
        month = today.month % 12 + 1
        candidate = _safe_date(today.year + (today.month == 12), month, day)
    return candidate


def _upcoming(today: date, month: int, day: int) -> date | None:
    candidate = _safe_date(today.year, month, day)
    if candidate is not None and candidate < today:
        candidate = _safe_date(today.year + 1, month, day)
    return candidate


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
