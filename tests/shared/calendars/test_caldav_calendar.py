"""CalDAV against a real Radicale server run by the tests: busy times from events other clients wrote,
bookings written as iCalendar, the race for one slot, and a refused password → booking link."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from shared.calendars.booking_desk import Booked, BookingDesk, BookingLinkFallback, DeskRules, SlotsOffered
from shared.calendars.caldav_calendar import CaldavCalendar, CaldavCalendarConfig
from shared.calendars.calendar import Slot
from tests.radicale_server import RadicaleServer
from tests.shared.calendars.conftest import DENVER_HOURS

DENVER = ZoneInfo("America/Denver")
MONDAY_NOON = datetime(2026, 11, 30, 12, tzinfo=DENVER)
WEDNESDAY_8 = Slot(datetime(2026, 12, 2, 8, tzinfo=DENVER), datetime(2026, 12, 2, 9, tzinfo=DENVER))
OWNER_JOB = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Owner phone//EN
BEGIN:VEVENT
UID:owner-job-1
DTSTAMP:20261128T120000Z
DTSTART;TZID=America/Denver:20261202T090000
DTEND;TZID=America/Denver:20261202T113000
SUMMARY:Water heater install
END:VEVENT
END:VCALENDAR
"""


def _calendar(radicale: RadicaleServer, url: str, *, password: str | None = None) -> CaldavCalendar:
    return CaldavCalendar(
        CaldavCalendarConfig(calendar_url=url, username=radicale.username, password=password or radicale.password)
    )


async def test_an_owner_job_blocks_its_hours_and_a_booking_lands_in_the_calendar(
    radicale: RadicaleServer, caldav_calendar_url: str
) -> None:
    calendar = _calendar(radicale, caldav_calendar_url)
    # GIVEN the owner's phone put a job on Wednesday 9:00–11:30 (a local TZID time)
    await asyncio.to_thread(_put, calendar, OWNER_JOB)
    desk = BookingDesk(calendar, DeskRules(hours=DENVER_HOURS), booking_link=None)
    # WHEN a caller asks for Wednesday morning
    offered = await desk.offer("Wednesday morning please", language="en", now=MONDAY_NOON)
    # THEN 8:00 (before the job) and 11:30 (right after it) are the morning's free hours
    assert isinstance(offered, SlotsOffered)
    assert [s.start.strftime("%H:%M") for s in offered.slots] == ["08:00", "11:30"]
    # WHEN 8:00 is booked THEN the server holds it, and the next offer skips it
    result = await desk.book(
        WEDNESDAY_8, title="Visit: no hot water", description="", attendee_phone="+1303", now=MONDAY_NOON
    )
    assert isinstance(result, Booked)
    busy = await calendar.busy(start=WEDNESDAY_8.start, end=WEDNESDAY_8.end)
    assert [(b.start.astimezone(UTC).hour, b.end.astimezone(UTC).hour) for b in busy] == [(15, 16)]
    again = await desk.offer("Wednesday morning", language="en", now=MONDAY_NOON)
    assert isinstance(again, SlotsOffered)
    assert [s.start.strftime("%H:%M") for s in again.slots] == ["11:30"]


async def test_two_callers_racing_for_one_slot_get_exactly_one_booking(
    radicale: RadicaleServer, caldav_calendar_url: str
) -> None:
    calendar = _calendar(radicale, caldav_calendar_url)
    results = await asyncio.gather(
        *(calendar.book(slot=WEDNESDAY_8, title=f"Visit {n}", description="", attendee_phone="+1303") for n in (1, 2)),
        return_exceptions=True,
    )
    assert sorted(type(r).__name__ for r in results) == ["Booking", "SlotTaken"]
    assert len(await calendar.busy(start=WEDNESDAY_8.start, end=WEDNESDAY_8.end)) == 1


async def test_two_callers_racing_for_overlapping_slots_get_exactly_one_booking(
    radicale: RadicaleServer, caldav_calendar_url: str
) -> None:
    # GIVEN one caller takes 8:00–9:00 while another takes 8:30–9:30 (different events, same hour)
    calendar = _calendar(radicale, caldav_calendar_url)
    later = Slot(datetime(2026, 12, 2, 8, 30, tzinfo=DENVER), datetime(2026, 12, 2, 9, 30, tzinfo=DENVER))
    results = await asyncio.gather(
        *(
            calendar.book(slot=slot, title="Visit", description="", attendee_phone="+1303")
            for slot in (WEDNESDAY_8, later)
        ),
        return_exceptions=True,
    )
    # THEN one keeps its slot and the other is told it was taken
    assert sorted(type(r).__name__ for r in results) == ["Booking", "SlotTaken"]
    assert len(await calendar.busy(start=WEDNESDAY_8.start, end=later.end)) == 1


async def test_a_refused_password_means_the_caller_gets_the_booking_link(
    radicale: RadicaleServer, caldav_calendar_url: str
) -> None:
    calendar = _calendar(radicale, caldav_calendar_url, password="wrong-password")
    desk = BookingDesk(calendar, DeskRules(hours=DENVER_HOURS), booking_link="https://book.example/denver")
    result = await desk.offer("tomorrow at 9", language="en", now=MONDAY_NOON)
    assert isinstance(result, BookingLinkFallback)
    assert result.reason == "calendar_failed"
    assert result.detail.startswith("caldav: AuthorizationError")
    assert "wrong-password" not in result.detail


def _put(calendar: CaldavCalendar, ics: str) -> None:
    """Write an event as another CalDAV client would."""
    calendar._blocking(lambda dav_calendar: dav_calendar.save_event(ics))
