"""Google Calendar through its real REST API, against the local fake at the HTTP boundary: service-account
JWT → token, freeBusy, events.insert, the re-read that stops double booking, and failures → booking link."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest

from shared.calendars.booking_desk import Booked, BookingDesk, BookingLinkFallback, DeskRules, SlotGone, SlotsOffered
from shared.calendars.calendar import CalendarError, Slot, SlotTaken
from shared.calendars.google_calendar import GoogleCalendar, GoogleCalendarConfig, ServiceAccountKey
from tests.calendar_fakes import CalendarFake
from tests.shared.calendars.conftest import DENVER_HOURS

DENVER = ZoneInfo("America/Denver")
CALENDAR_ID = "owner@denver-plumbing.example"
MONDAY_NOON = datetime(2026, 11, 30, 12, tzinfo=DENVER)
TUESDAY_9 = Slot(datetime(2026, 12, 1, 9, tzinfo=DENVER), datetime(2026, 12, 1, 10, tzinfo=DENVER))


@pytest.fixture
async def google(calendar_fake: CalendarFake) -> AsyncIterator[GoogleCalendar]:
    calendar_fake.events[CALENDAR_ID] = []
    key = ServiceAccountKey.model_validate_json(calendar_fake.google_key_json())
    config = GoogleCalendarConfig(key=key, calendar_id=CALENDAR_ID, api_base=calendar_fake.google_api_base)
    async with httpx.AsyncClient(timeout=5) as client:
        yield GoogleCalendar(config, client)


def _desk(calendar: GoogleCalendar | None) -> BookingDesk:
    return BookingDesk(calendar, DeskRules(hours=DENVER_HOURS), booking_link="https://book.example/denver")


async def test_a_caller_asking_for_tomorrow_at_9_is_offered_9_and_booked_at_9_denver_time(
    google: GoogleCalendar, calendar_fake: CalendarFake
) -> None:
    # GIVEN the owner already has a job Tuesday 10:00–12:00 Denver time
    calendar_fake.add_event(CALENDAR_ID, datetime(2026, 12, 1, 17, tzinfo=UTC), datetime(2026, 12, 1, 19, tzinfo=UTC))
    desk = _desk(google)
    # WHEN a caller on Monday asks for "tomorrow at 9"
    offered = await desk.offer("can you come tomorrow at 9", language="en", now=MONDAY_NOON)
    # THEN 9:00 is offered first, and nothing that overlaps the job
    assert isinstance(offered, SlotsOffered)
    assert offered.matches_wish
    assert offered.slots[0] == TUESDAY_9
    assert all(s.start.hour < 9 or s.start.hour >= 12 for s in offered.slots[1:])
    # WHEN the caller takes it
    result = await desk.book(
        offered.slots[0],
        title="Visit: leaking tap",
        description="Kitchen tap",
        attendee_phone="+13035550123",
        now=MONDAY_NOON,
    )
    # THEN the calendar holds the visit at 16:00 UTC (9:00 MST)
    assert isinstance(result, Booked)
    [visit] = calendar_fake.booked(CALENDAR_ID)
    assert (visit.start, visit.title) == (datetime(2026, 12, 1, 16, tzinfo=UTC), "Visit: leaking tap")
    assert visit.notes == "Kitchen tap\n\nCaller: +13035550123"
    # AND a later offer for that time no longer includes it
    again = await desk.offer("tomorrow at 9", language="en", now=MONDAY_NOON)
    assert isinstance(again, SlotsOffered)
    assert TUESDAY_9 not in again.slots


async def test_one_token_serves_many_calls(google: GoogleCalendar, calendar_fake: CalendarFake) -> None:
    for _ in range(3):
        await google.busy(start=MONDAY_NOON, end=MONDAY_NOON + timedelta(days=1))
    assert calendar_fake.calls == [("POST", "/calendar/v3/freeBusy")] * 3
    assert len(calendar_fake._tokens) == 1


async def test_two_callers_racing_for_one_slot_get_exactly_one_booking(
    google: GoogleCalendar, calendar_fake: CalendarFake
) -> None:
    # GIVEN a calendar that takes a realistic moment to answer
    calendar_fake.latency_s = 0.05
    # WHEN two calls book Tuesday 9:00 at the same time
    results = await asyncio.gather(
        *(
            google.book(slot=TUESDAY_9, title=f"Visit {n}", description="", attendee_phone="+13035550100")
            for n in (1, 2)
        ),
        return_exceptions=True,
    )
    # THEN one is booked, the other is told the slot was taken, and the calendar holds one visit
    assert sorted(type(r).__name__ for r in results) == ["Booking", "SlotTaken"]
    assert len(calendar_fake.booked(CALENDAR_ID)) == 1


async def test_a_slot_taken_meanwhile_comes_back_with_the_nearest_alternatives(
    google: GoogleCalendar, calendar_fake: CalendarFake
) -> None:
    # GIVEN 9:00 was offered, then someone else booked 9:00–10:00 before the caller said yes
    calendar_fake.add_event(CALENDAR_ID, TUESDAY_9.start, TUESDAY_9.end)
    result = await _desk(google).book(TUESDAY_9, title="Visit", description="", attendee_phone="+1303", now=MONDAY_NOON)
    # THEN the caller hears the nearest free times instead, and no second event stays
    assert isinstance(result, SlotGone)
    assert [s.start.strftime("%H:%M") for s in result.alternatives[:2]] == ["08:00", "10:00"]
    assert calendar_fake.booked(CALENDAR_ID) == []
    with pytest.raises(SlotTaken):
        await google.book(slot=TUESDAY_9, title="Visit", description="", attendee_phone="+1303")


async def test_google_down_means_the_caller_gets_the_booking_link(
    google: GoogleCalendar, calendar_fake: CalendarFake
) -> None:
    calendar_fake.down()
    result = await _desk(google).offer("tomorrow at 9", language="en", now=MONDAY_NOON)
    assert isinstance(result, BookingLinkFallback)
    assert (result.reason, result.url) == ("calendar_failed", "https://book.example/denver")
    assert "503" in result.detail


async def test_a_key_google_does_not_accept_is_a_clear_calendar_error(calendar_fake: CalendarFake) -> None:
    # GIVEN a service-account key whose token URI is not the audience Google expects
    calendar_fake.events[CALENDAR_ID] = []
    key = ServiceAccountKey.model_validate_json(calendar_fake.google_key_json())
    config = GoogleCalendarConfig(
        key=key,
        calendar_id=CALENDAR_ID,
        api_base=calendar_fake.google_api_base,
        token_uri=calendar_fake.google_token_uri + "?wrong-audience",
    )
    async with httpx.AsyncClient(timeout=5) as client:
        with pytest.raises(CalendarError, match=r"google: POST /google/token answered 400: .*invalid_grant"):
            await GoogleCalendar(config, client).busy(start=MONDAY_NOON, end=MONDAY_NOON + timedelta(hours=1))
    assert calendar_fake.calls == []


async def test_a_calendar_not_shared_with_the_service_account_says_so(
    google: GoogleCalendar, calendar_fake: CalendarFake
) -> None:
    del calendar_fake.events[CALENDAR_ID]
    with pytest.raises(CalendarError, match="is it shared"):
        await google.busy(start=MONDAY_NOON, end=MONDAY_NOON + timedelta(hours=1))


async def test_a_day_weeks_ahead_is_searched_from_that_day(google: GoogleCalendar) -> None:
    # GIVEN it is Monday 30 November WHEN a caller asks for January 20th at 10
    offered = await _desk(google).offer("January 20th at 10 please", language="en", now=MONDAY_NOON)
    # THEN 10:00 that Wednesday is offered (the search moved there instead of stopping two weeks out)
    assert isinstance(offered, SlotsOffered)
    assert offered.matches_wish
    assert offered.slots[0].start == datetime(2027, 1, 20, 10, tzinfo=DENVER)
