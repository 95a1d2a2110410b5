"""Is the business open? From a definition's opening hours, time zone and holidays (zoneinfo, DST-correct).

Ranges may run past midnight (a bar open 18:00–02:00): the part after midnight belongs to the day the
range started on. A holiday replaces that day's weekly hours (empty: closed all day).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from shared.agents.definition import Holiday, OpeningHours, TimeRange

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SEARCH_DAYS = 14  # "next opening" looks this far ahead (two weeks covers any holiday run we expect)


@dataclass(frozen=True)
class Opening:
    opens: datetime  # aware, in the business's time zone
    closes: datetime


@dataclass(frozen=True)
class HoursNow:
    open_now: bool
    closes: datetime | None  # when open: the end of the current opening
    next_opening: Opening | None  # when closed: the next one (None: none in two weeks)
    holiday: Holiday | None  # today's holiday, if any


def ranges_on(hours: OpeningHours, day: date) -> tuple[list[TimeRange], Holiday | None]:
    """The ranges that start on `day`, and the holiday that set them (if any)."""
    for holiday in hours.holidays:
        if holiday.day == day:
            return list(holiday.hours), holiday
    return list(hours.weekly.get(WEEKDAYS[day.weekday()], [])), None  # type: ignore[call-overload]


def openings_on(hours: OpeningHours, day: date) -> list[Opening]:
    """The openings that start on `day`, as aware datetimes (a range past midnight ends the next day)."""
    zone = ZoneInfo(hours.timezone)
    ranges, _holiday = ranges_on(hours, day)
    openings = []
    for span in ranges:
        end_day = day + timedelta(days=1) if span.closes <= span.opens else day
        openings.append(Opening(_local(day, span.opens, zone), _local(end_day, span.closes, zone)))
    return openings


def hours_now(hours: OpeningHours, now: datetime) -> HoursNow:
    """Open or closed at `now` (any time zone), until when, and when it opens next."""
    local = now.astimezone(ZoneInfo(hours.timezone))
    _ranges, holiday = ranges_on(hours, local.date())
    for day in (local.date() - timedelta(days=1), local.date()):
        for opening in openings_on(hours, day):
            if opening.opens <= local < opening.closes:
                return HoursNow(True, opening.closes, None, holiday)
    return HoursNow(False, None, next_opening(hours, local), holiday)


def next_opening(hours: OpeningHours, after: datetime) -> Opening | None:
    local = after.astimezone(ZoneInfo(hours.timezone))
    for offset in range(SEARCH_DAYS + 1):
        for opening in openings_on(hours, local.date() + timedelta(days=offset)):
            if opening.opens > local:
                return opening
    return None


def open_on(hours: OpeningHours, day: date) -> list[Opening]:
    """The openings on a given day ("are you open Saturday?"): empty when closed."""
    return openings_on(hours, day)


def _local(day: date, at: time, zone: ZoneInfo) -> datetime:
    """`day` at `at` in `zone`; a time skipped by a DST change moves forward to a real one."""
    naive = datetime.combine(day, at)
    aware = naive.replace(tzinfo=zone)
    round_trip = aware.astimezone(ZoneInfo("UTC")).astimezone(zone)
    return round_trip if round_trip.replace(tzinfo=None) != naive else aware
