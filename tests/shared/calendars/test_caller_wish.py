"""What a caller asks for narrows the offer: "tomorrow at 9", "Tuesday at 2", "tomorrow afternoon"."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from shared.calendars.calendar import Slot
from shared.calendars.caller_wish import CallerWish, fitting, understand_wish
from shared.calendars.slot_finder import find_slots
from tests.shared.calendars.conftest import DENVER_HOURS

DENVER = ZoneInfo("America/Denver")
MONDAY_NOON = datetime(2026, 11, 30, 12, tzinfo=DENVER)


def _week() -> list[Slot]:
    return find_slots(
        DENVER_HOURS,
        [],
        day_from=MONDAY_NOON.date(),
        day_to=MONDAY_NOON.date() + timedelta(days=7),
        duration=timedelta(hours=1),
        now=MONDAY_NOON,
    )


def test_tomorrow_at_9_is_9_on_the_business_clock() -> None:
    wish = understand_wish("could someone come tomorrow at 9", language="en", now=MONDAY_NOON)
    assert wish == CallerWish(day=date(2026, 12, 1), at=time(9), part=None)
    offered = fitting(_week(), wish, DENVER)
    assert offered[0].start == datetime(2026, 12, 1, 9, tzinfo=DENVER)
    # AND the next offers are the nearest times that same day
    assert [s.start.strftime("%H:%M") for s in offered[1:3]] == ["08:30", "09:30"]


def test_tuesday_at_2_means_the_afternoon() -> None:
    wish = understand_wish("Tuesday at 2", language="en", now=MONDAY_NOON)
    assert fitting(_week(), wish, DENVER)[0].start == datetime(2026, 12, 1, 14, tzinfo=DENVER)


def test_tomorrow_afternoon_offers_only_afternoon_slots_that_day() -> None:
    wish = understand_wish("tomorrow afternoon works", language="en", now=MONDAY_NOON)
    offered = fitting(_week(), wish, DENVER)
    assert offered
    assert all(s.start.date() == date(2026, 12, 1) and s.start.hour >= 12 for s in offered)


def test_a_spanish_caller_is_understood_too() -> None:
    wish = understand_wish("el miércoles por la mañana", language="es", now=MONDAY_NOON)
    offered = fitting(_week(), wish, DENVER)
    assert offered
    assert all(s.start.date() == date(2026, 12, 2) and s.start.hour < 12 for s in offered)


def test_no_wish_keeps_every_slot_in_time_order() -> None:
    slots = _week()
    assert fitting(slots, understand_wish("whenever suits", language="en", now=MONDAY_NOON), DENVER) == slots
