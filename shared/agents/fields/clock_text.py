"""Clock times as speech-to-text writes them, rewritten one way: "5 a,", "5 a", "5 a.m", "5am", "5 A.M.",
"five a m", "six in the morning", "5 de la mañana" → "5 AM"; "11 p,", "11 de la noche" → "11 PM";
"7.30 am" → "7:30 AM"; noon → "12 PM", midnight → "12 AM"; two such times joined by a range word
("to", "until", "a", "hasta") or a dash → "5 AM–11 PM".

That one form is what a free-text answer keeps (the results CSV shows it, the outbound eval scores it) and
what the `time` kind reads as HH:MM. A bare "a" or "p" is a period only right after an hour and before a
comma, a full stop, the end or a range word ("5 a day", "plan a", "a, b and c" are left alone); an hour
said in words with a phrase ("six in the morning") only where a time is expected: first, or after a lead
word of the lexicon ("at", "from", "to"; "a las", "de"), so "one in the morning and one at night" (two
classes) is left alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from shared.agents.fields.lexicons import Lexicon

RANGE_SIGN = "–"
_CANONICAL = r"\d{1,2}(?::\d{2})? [AP]M"
WRITTEN_TIME = re.compile(r"(?<![\w:])(\d{1,2})(?::(\d{2}))? ([AP])M(?!\w)")  # the one form, as written here
_LEAD_WORD = re.compile(r"([^\W\d_]+)\W*$")


@dataclass(frozen=True)
class _Patterns:
    marked: re.Pattern[str]
    noon: re.Pattern[str]
    midnight: re.Pattern[str]
    time_range: re.Pattern[str]
    range_next: re.Pattern[str]  # a range word straight after a time


_COMPILED: dict[str, _Patterns] = {}


def clock_text(text: str, lex: Lexicon) -> str:
    """`text` with every clock time that carries its half of the day written the one way (see above)."""
    patterns = _patterns(lex)
    text = patterns.noon.sub("12 PM", text)
    text = patterns.midnight.sub("12 AM", text)
    text = patterns.marked.sub(lambda match: _canonical(match, lex), text)
    return patterns.time_range.sub(rf"\1{RANGE_SIGN}\2", text)


def _canonical(match: re.Match[str], lex: Lexicon) -> str:
    hour, minute = _hour_minute(match, lex)
    phrase = match["phrase"]
    if not 1 <= hour <= 12 or not 0 <= minute < 60 or (phrase and match["hour_word"] and not _led(match, lex)):
        return match.group(0)
    half = _half(match, lex, hour)
    return f"{hour}{f':{minute:02d}' if minute else ''} {half}{_sentence_end(match)}"


def _hour_minute(match: re.Match[str], lex: Lexicon) -> tuple[int, int]:
    """(hour, minute) as written; a minute that is not one ("six fifteen five") reads as -1."""
    if match["hour"]:
        return int(match["hour"]), int(match["minute"] or 0)
    hour = lex.numbers[match["hour_word"].lower()]
    tens = lex.numbers[match["minute_word"].lower()] if match["minute_word"] else 0
    unit = lex.numbers[match["minute_unit"].lower()] if match["minute_unit"] else 0
    if unit and (tens < 20 or tens % 10 or unit > 9):
        return hour, -1
    return hour, tens + unit


def _sentence_end(match: re.Match[str]) -> str:
    """ "at 5 a.m. We close ...": the abbreviation's dot also ended the sentence, so it stays (not at the end)."""
    ends_sentence = re.match(r"\s+[A-ZÁÉÍÓÚÑ¿¡]", match.string[match.end() :])
    return "." if match.group(0).endswith(".") and ends_sentence else ""


def _half(match: re.Match[str], lex: Lexicon, hour: int) -> str:
    """ "AM" or "PM"; "12 at night" / "12 de la noche" is midnight."""
    if match["phrase"]:
        period = lex.hour_periods[" ".join(match["phrase"].lower().split())]
        return "AM" if period == "night" and hour == 12 else ("PM" if period == "night" else period)
    return "AM" if (match["letter"] or match["bare"]).lower() == "a" else "PM"


def _led(match: re.Match[str], lex: Lexicon) -> bool:
    """A spoken hour right after a lead word ("at six in the morning"), or first in the text or sentence
    and going on to a range ("Seven in the morning to nine at night"; not "One in the morning and ...")."""
    before = match.string[: match.start()].rstrip()
    if not before or before[-1] in ".!?¿¡:":
        return bool(_patterns(lex).range_next.match(match.string, match.end()))
    word = _LEAD_WORD.search(before)
    return word is not None and before[-1].isalpha() and word.group(1).lower() in lex.hour_leads


def _patterns(lex: Lexicon) -> _Patterns:
    if lex.language not in _COMPILED:
        _COMPILED[lex.language] = _compile(lex)
    return _COMPILED[lex.language]


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))


def _compile(lex: Lexicon) -> _Patterns:
    spoken = {word: value for word, value in lex.numbers.items() if len(word) > 1 and word not in lex.multipliers}
    hours = _alternation(word for word, value in spoken.items() if 1 <= value <= 12)
    minutes = _alternation(word for word, value in spoken.items() if 1 <= value < 60)
    ranges = _alternation(lex.range_words)
    marked = (
        r"(?<![\w:.$€£])(?:(?P<hour>\d{1,2})(?:[:.](?P<minute>\d{2}))?"
        rf"|(?P<hour_word>{hours})(?:[\s-](?P<minute_word>{minutes})(?:[\s-](?P<minute_unit>{minutes}))?)?)"
        r"(?:\s?(?P<letter>[ap])(?:\.\s?|\s)?m(?!\w)\.?"  # 5am, 5 a.m., 5 a. m., 5 a m
        rf"|\s(?P<bare>[ap])(?=\s*[,.]|\s*$|\s+(?:{ranges})(?!\w))"  # 5 a, / 11 p / 5 a to
        rf"|\s+(?P<phrase>{_alternation(lex.hour_periods)})(?!\w))"
    )
    noon = rf"(?<![\w:])(?:12\s+(?:del?\s+)?)?(?:{_alternation(lex.noon)})(?!\w)"
    midnight = rf"(?<![\w:])(?:12\s+(?:de\s+(?:la\s+)?)?)?(?:{_alternation(lex.midnight)})(?!\w)"
    time_range = rf"(?<![\w:])({_CANONICAL})\s*[,.]?\s*(?:(?:{ranges})\s+|[-–—]\s*)({_CANONICAL})(?!\w)"
    flags = re.IGNORECASE
    range_next = rf"\s*[,.]?\s*(?:{ranges})\s"
    return _Patterns(*(re.compile(pattern, flags) for pattern in (marked, noon, midnight, time_range, range_next)))
