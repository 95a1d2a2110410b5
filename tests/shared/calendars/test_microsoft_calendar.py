"""Microsoft 365 through Microsoft Graph, against the local fake at the HTTP boundary: client-credentials
token, getSchedule, POST events, calendarView (paged) for the double-booking check, failures → link."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest

from shared.calendars.booking_desk import Booked, BookingDesk, BookingLinkFallback, DeskRules, SlotsOffered
from shared.calendars.calendar import CalendarError, Slot
from shared.calendars.microsoft_calendar import MicrosoftCalendar, MicrosoftCalendarConfig
from tests.calendar_fakes import CalendarFake
from tests.shared.calendars.conftest import DENVER_HOURS

DENVER = ZoneInfo("America/Denver")
MAILBOX = "owner@denverplumbing.onmicrosoft.com"
MONDAY_NOON = datetime(2026, 11, 30, 12, tzinfo=DENVER)
TUESDAY_2PM = Slot(datetime(2026, 12, 1, 14, tzinfo=DENVER), datetime(2026, 12, 1, 15, tzinfo=DENVER))


def _config(fake: CalendarFake, **changes: str) -> MicrosoftCalendarConfig:
    values = {
        "tenant_id": fake.graph_tenant,
        "client_id": fake.graph_client_id,
        "client_secret": fake.graph_client_secret,
        "mailbox": MAILBOX,
        "authority": fake.base_url,
        "graph_base": fake.graph_base,
        **changes,
    }
    return MicrosoftCalendarConfig(**values)


@pytest.fixture
async def microsoft(calendar_fake: CalendarFake) -> AsyncIterator[MicrosoftCalendar]:
    calendar_fake.events[MAILBOX] = []
    async with httpx.AsyncClient(timeout=5) as client:
        yield MicrosoftCalendar(_config(calendar_fake), client)


async def test_tuesday_at_2_is_offered_and_booked_in_utc_at_21(
    microsoft: MicrosoftCalendar, calendar_fake: CalendarFake
) -> None:
    # GIVEN a meeting 13:00–14:00 and a "free" reminder 14:00–15:00 on Tuesday (Denver)
    calendar_fake.add_event(MAILBOX, datetime(2026, 12, 1, 20, tzinfo=UTC), datetime(2026, 12, 1, 21, tzinfo=UTC))
    calendar_fake.add_event(
        MAILBOX, datetime(2026, 12, 1, 21, tzinfo=UTC), datetime(2026, 12, 1, 22, tzinfo=UTC), free=True
    )
    desk = BookingDesk(microsoft, DeskRules(hours=DENVER_HOURS), booking_link=None)
    # WHEN a caller asks for "Tuesday at 2"
    offered = await desk.offer("could you do Tuesday at 2?", language="en", now=MONDAY_NOON)
    # THEN 2 pm is offered (the "free" reminder does not block it; the meeting blocks 1 pm)
    assert isinstance(offered, SlotsOffered)
    assert offered.slots[0] == TUESDAY_2PM
    assert all(not (13 <= s.start.hour < 14) and s.start.strftime("%H:%M") != "12:30" for s in offered.slots)
    # WHEN it is booked THEN Graph holds it at 21:00 UTC
    result = await desk.book(TUESDAY_2PM, title="Visit", description="Boiler", attendee_phone="+1303", now=MONDAY_NOON)
    assert isinstance(result, Booked)
    [visit] = calendar_fake.booked(MAILBOX)
    assert (visit.start, visit.notes) == (datetime(2026, 12, 1, 21, tzinfo=UTC), "Boiler\n\nCaller: +1303")


async def test_two_callers_racing_for_one_slot_get_exactly_one_booking(
    microsoft: MicrosoftCalendar, calendar_fake: CalendarFake
) -> None:
    # GIVEN three other events overlap the day, so the re-read spans more than one calendarView page
    for hour in (15, 16, 17):
        start = datetime(2026, 12, 1, hour, tzinfo=UTC)
        calendar_fake.add_event(MAILBOX, start, start + timedelta(minutes=30), free=True)
    calendar_fake.latency_s = 0.05
    wide = Slot(datetime(2026, 12, 1, 8, tzinfo=DENVER), datetime(2026, 12, 1, 11, tzinfo=DENVER))
    # WHEN three calls book the same slot at once
    results = await asyncio.gather(
        *(microsoft.book(slot=wide, title=f"Visit {n}", description="", attendee_phone="+1303") for n in range(3)),
        return_exceptions=True,
    )
    # THEN exactly one is booked
    assert sorted(type(r).__name__ for r in results) == ["Booking", "SlotTaken", "SlotTaken"]
    assert len(calendar_fake.booked(MAILBOX)) == 1
    assert ("GET", f"/v1.0/users/{MAILBOX}/calendar/calendarView") in calendar_fake.calls


async def test_a_wrong_client_secret_is_a_clear_error_and_the_caller_gets_the_link(
    calendar_fake: CalendarFake,
) -> None:
    calendar_fake.events[MAILBOX] = []
    async with httpx.AsyncClient(timeout=5) as client:
        calendar = MicrosoftCalendar(_config(calendar_fake, client_secret="not-the-secret"), client)
        with pytest.raises(CalendarError, match=r"microsoft: POST /tenant-1/oauth2/v2.0/token answered 401"):
            await calendar.busy(start=MONDAY_NOON, end=MONDAY_NOON + timedelta(hours=1))
        desk = BookingDesk(calendar, DeskRules(hours=DENVER_HOURS), booking_link="https://book.example/d")
        result = await desk.book(TUESDAY_2PM, title="Visit", description="", attendee_phone="+1303", now=MONDAY_NOON)
    assert isinstance(result, BookingLinkFallback)
    assert (result.reason, result.url) == ("calendar_failed", "https://book.example/d")
    assert "not-the-secret" not in result.detail
    assert calendar_fake.booked(MAILBOX) == []


async def test_graph_failing_after_the_event_was_created_leaves_no_unchecked_booking(
    microsoft: MicrosoftCalendar, calendar_fake: CalendarFake
) -> None:
    # GIVEN a token is held, then Graph creates the event but fails the re-read once
    await microsoft.busy(start=MONDAY_NOON, end=MONDAY_NOON + timedelta(hours=1))
    original = calendar_fake.answer

    def flaky(method: str, url: str, headers: dict[str, str], body: bytes) -> tuple[int, object]:
        if "calendarView" in url:
            return 503, {"error": {"code": "ServiceUnavailable", "message": "try later"}}
        return original(method, url, headers, body)

    calendar_fake.answer = flaky  # type: ignore[method-assign]
    # WHEN a booking is made THEN it fails clearly and the unverified event is removed again
    with pytest.raises(CalendarError, match="calendarView answered 503"):
        await microsoft.book(slot=TUESDAY_2PM, title="Visit", description="", attendee_phone="+1303")
    assert calendar_fake.booked(MAILBOX) == []
