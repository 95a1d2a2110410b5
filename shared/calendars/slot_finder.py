"""Free slots: the opening hours of the agent definition, minus busy times, in the business's time zone.

Candidate starts step through each opening in real (UTC) time, so a DST change never yields a slot that
does not exist or lasts an hour too long; every slot comes back on the business's clock.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from shared.agents.definition import OpeningHours
from shared.agents.opening_hours import openings_on
from shared.calendars.calendar import Slot

DEFAULT_STEP = timedelta(minutes=30)


def find_slots(
    hours: OpeningHours,
    busy: list[Slot],
    *,
    day_from: date,
    day_to: date,
    duration: timedelta,
    now: datetime,
    lead_time: timedelta = timedelta(0),
    step: timedelta = DEFAULT_STEP,
) -> list[Slot]:
    """Every free slot of `duration` starting on `day_from`..`day_to` (the business's dates), none before
    `now + lead_time`, in time order."""
    if duration <= timedelta(0) or step <= timedelta(0):
        raise ValueError("duration and step must be positive")
    zone = ZoneInfo(hours.timezone)
    earliest = (now + lead_time).astimezone(UTC)
    slots: list[Slot] = []
    day = day_from
    while day <= day_to:
        for opening in openings_on(hours, day):
            slots += _free_in(opening.opens, opening.closes, busy, duration, step, earliest, zone)
        day += timedelta(days=1)
    return slots


def search_window(hours: OpeningHours, day_from: date, day_to: date) -> tuple[datetime, datetime]:
    """The UTC span whose busy times matter for `day_from`..`day_to` (an opening may run past midnight)."""
    zone = ZoneInfo(hours.timezone)
    start = datetime.combine(day_from, datetime.min.time(), zone).astimezone(UTC)
    end = datetime.combine(day_to + timedelta(days=2), datetime.min.time(), zone).astimezone(UTC)
    return start, end


def _free_in(
    opens: datetime,
    closes: datetime,
    busy: list[Slot],
    duration: timedelta,
    step: timedelta,
    earliest: datetime,
    zone: ZoneInfo,
) -> list[Slot]:
    start, end = opens.astimezone(UTC), closes.astimezone(UTC)
    free = []
    while start + duration <= end:
        candidate = Slot(start.astimezone(zone), (start + duration).astimezone(zone))
        if start >= earliest and not any(candidate.overlaps(taken) for taken in busy):
            free.append(candidate)
        start += step
    return free
