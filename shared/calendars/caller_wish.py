"""What the caller asked for ("tomorrow afternoon", "Tuesday at 2", "mañana a las tres") and the slots
that fit it. Dates and times come from the shared field extractors, so every language with a lexicon works."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from shared.agents.definition import FieldKind, FieldSpec
from shared.agents.fields import FieldContext, extract_field, lexicon_for
from shared.calendars.calendar import Slot

DayPart = Literal["morning", "afternoon"]
NOON = time(12)
_DAY = FieldSpec(name="visit_day", kind=FieldKind.DATE, label={"en": "Day"}, question={"en": "Which day?"})
_TIME = FieldSpec(name="visit_time", kind=FieldKind.TIME, label={"en": "Time"}, question={"en": "What time?"})


@dataclass(frozen=True)
class CallerWish:
    day: date | None = None  # the business's date
    at: time | None = None  # a wall-clock time on the business's clock
    part: DayPart | None = None


def understand_wish(text: str, *, language: str, now: datetime) -> CallerWish:
    """The day, time and part of day in the caller's words; `now` is on the business's clock."""
    ctx = FieldContext(language=language, now=now)
    day = extract_field(_DAY, text, ctx, asked=False)
    at = extract_field(_TIME, text, ctx, asked=False)
    lex = lexicon_for(language)
    part: DayPart | None = "morning" if lex.morning.search(text) else "afternoon" if lex.evening.search(text) else None
    return CallerWish(
        day=date.fromisoformat(day.value) if day else None,
        at=time.fromisoformat(at.value) if at else None,
        part=part,
    )


def fitting(slots: list[Slot], wish: CallerWish, zone: ZoneInfo) -> list[Slot]:
    """The slots that fit the wish, best first: on the wished day and part of it; with a wished time, the
    slot at that time first and then the nearest ones (the agent can offer "9:30 instead?")."""
    local = [(slot, slot.start.astimezone(zone)) for slot in slots]
    if wish.day is not None:
        local = [(slot, start) for slot, start in local if start.date() == wish.day]
    if wish.part is not None and wish.at is None:
        morning = wish.part == "morning"
        local = [(slot, start) for slot, start in local if (start.time() < NOON) == morning]
    if wish.at is not None:
        wished = wish.at

        def distance(start: datetime) -> timedelta:
            target = datetime.combine(start.date(), wished, zone)
            return abs(start - target)

        local.sort(key=lambda pair: (distance(pair[1]), pair[1]))
    return [slot for slot, _start in local]
