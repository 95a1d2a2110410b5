"""What a language's lexicon holds (the extractors' only language-specific input)."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Lexicon:
    language: str
    numbers: dict[str, int]  # "five": 5, "twenty": 20, "hundred": 100 (multiplier words too)
    multipliers: frozenset[str]  # words that multiply what came before ("hundred", "thousand")
    zero_letters: frozenset[str]  # "oh" said for 0 inside digit strings
    repeats: dict[str, int]  # "double five" → 55
    yes: re.Pattern[str]
    no: re.Pattern[str]
    not_no: re.Pattern[str]  # "no problem" is not a no
    dont_know: re.Pattern[str]
    refuse: re.Pattern[str]
    negated_before: re.Pattern[str]  # matched on the words just before a phrase: "not an (emergency)"
    this_number: re.Pattern[str]  # "the number I'm calling from"
    weekdays: dict[str, int]  # monday = 0
    months: dict[str, int]
    relative_days: dict[str, int]  # "tomorrow": 1 (longest phrases first when matched)
    next_words: frozenset[str]  # "next tuesday"
    noon: frozenset[str]
    midnight: frozenset[str]
    morning: re.Pattern[str]  # "am", "in the morning"
    evening: re.Pattern[str]  # "pm", "in the afternoon"
    half: re.Pattern[str]  # "half past two", "two and a half"... → :30
    quarter_past: re.Pattern[str]
    quarter_to: re.Pattern[str]
    time_lead: re.Pattern[str]  # "at", "a las": marks a bare number as a time
    explicit_name: re.Pattern[str]  # "my name is (...)"
    implicit_name: re.Pattern[str]  # "this is (...)"
    name_filler: re.Pattern[str]  # words before a bare name
    name_intro_then: re.Pattern[str]  # "my name is Bob and …": the name part, dropped from free text
    common_words: frozenset[str]  # never part of a name
    street_suffix: str  # regex alternation of street kinds
    address_lead: re.Pattern[str]
    currency_words: dict[str, str]  # "dollars": "USD"
    currency_names: dict[str, str]  # "USD": "dollars" (for speaking amounts)
    cents_words: frozenset[str]  # "cents"
    weekday_names: tuple[str, ...]  # for speaking, monday first
    month_names: tuple[str, ...]  # january first
    date_format: str  # "{weekday}, {month} {day}"
    time_format: str  # "{hour}{minutes} {period}": minutes is ":30" or "" (spoken.py fills it)
    periods: tuple[str, str, str]  # morning, afternoon, evening ("AM", "PM", "PM")
    and_word: str
    # Clock times written one way (clock_text.py): words after an hour naming its half of the day ("in the
    # morning": "AM", "at night": "night", which makes 12 midnight), words that may come just before a
    # spoken hour ("at six in the morning"), and words joining two times into a range ("5 AM to 11 PM").
    hour_periods: dict[str, str]
    hour_leads: frozenset[str]
    range_words: tuple[str, ...]
