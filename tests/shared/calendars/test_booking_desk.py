"""The desk the `book_visit` tool talks to, built from Settings and a business's calendar choice: no
calendar or a misconfigured one → the booking link; a configured one → real slots and bookings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from shared.calendars import (
    Booked,
    BookingLinkFallback,
    CalendarChoice,
    SlotsOffered,
    calendar_choice,
    read_back,
    save_calendar_choice,
)
from shared.calendars.calendar_choice import InvalidCalendarChoice, deployment_choice
from shared.calendars.factory import open_booking_desk
from shared.database import Database
from shared.repositories.businesses import create_business
from shared.settings import Settings, load_settings
from tests.calendar_fakes import CalendarFake
from tests.radicale_server import RadicaleServer
from tests.shared.calendars.conftest import DENVER_HOURS

DENVER = ZoneInfo("America/Denver")
MONDAY_NOON = datetime(2026, 11, 30, 12, tzinfo=DENVER)


async def test_no_calendar_configured_means_the_booking_link(settings: Settings) -> None:
    linked = load_settings(BUDDYHELPS_DATA_DIR=settings.data_dir, BOOKING_LINK_URL="https://book.example/all")
    # GIVEN the deployment's link, and one business with its own
    for choice, link in (
        (CalendarChoice(provider="none"), "https://book.example/all"),
        (
            CalendarChoice(provider="none", booking_link_url="https://plumber.example/book"),
            "https://plumber.example/book",
        ),
    ):
        async with open_booking_desk(linked, choice, DENVER_HOURS) as desk:
            result = await desk.offer("tomorrow at 9", language="en", now=MONDAY_NOON)
        # THEN the offer is the link to text, said to be for want of a calendar
        assert isinstance(result, BookingLinkFallback)
        assert (result.reason, result.url) == ("no_calendar", link)


async def test_a_provider_chosen_but_not_configured_names_what_is_missing(settings: Settings) -> None:
    async with open_booking_desk(settings, CalendarChoice(provider="microsoft"), DENVER_HOURS) as desk:
        result = await desk.offer("tomorrow", language="en", now=MONDAY_NOON)
    assert isinstance(result, BookingLinkFallback)
    assert result.url is None  # no link anywhere: the SMS promises a call back instead
    assert result.detail == (
        "microsoft: not configured (MS_TENANT_ID, MS_CLIENT_ID, MS_CLIENT_SECRET, MS_CALENDAR_MAILBOX not set)"
    )


async def test_a_broken_service_account_key_is_named_without_its_contents(settings: Settings) -> None:
    broken = load_settings(
        BUDDYHELPS_DATA_DIR=settings.data_dir,
        GOOGLE_SERVICE_ACCOUNT_JSON='{"private_key": "-----BEGIN PRIVATE KEY-----secret"}',
        GOOGLE_CALENDAR_ID="owner@example.com",
    )
    async with open_booking_desk(broken, CalendarChoice(provider="google"), DENVER_HOURS) as desk:
        result = await desk.offer("tomorrow", language="en", now=MONDAY_NOON)
    assert isinstance(result, BookingLinkFallback)
    assert result.detail == "google: GOOGLE_SERVICE_ACCOUNT_JSON is not a service-account key (client_email)"


async def test_settings_and_a_business_choice_book_into_google(settings: Settings, calendar_fake: CalendarFake) -> None:
    # GIVEN the deployment's Google service account, and a business whose calendar id is its own
    calendar_fake.events["denver-plumbing@example.com"] = []
    configured = load_settings(
        BUDDYHELPS_DATA_DIR=settings.data_dir,
        GOOGLE_SERVICE_ACCOUNT_JSON=calendar_fake.google_key_json(),
        GOOGLE_CALENDAR_API_BASE=calendar_fake.google_api_base,
        GOOGLE_CALENDAR_ID="someone-else@example.com",
    )
    choice = CalendarChoice(provider="google", calendar_id="denver-plumbing@example.com", visit=timedelta(hours=2))
    async with open_booking_desk(configured, choice, DENVER_HOURS) as desk:
        # WHEN a caller asks for tomorrow morning and takes the first slot
        offered = await desk.offer("tomorrow morning", language="en", now=MONDAY_NOON)
        assert isinstance(offered, SlotsOffered)
        slot = offered.slots[0]
        result = await desk.book(slot, title="Visit", description="", attendee_phone="+1303", now=MONDAY_NOON)
    # THEN a two-hour visit is in the business's calendar, read back on the business's clock
    assert isinstance(result, Booked)
    [visit] = calendar_fake.booked("denver-plumbing@example.com")
    assert (visit.start, visit.end - visit.start) == (datetime(2026, 12, 1, 15, tzinfo=UTC), timedelta(hours=2))
    assert read_back(slot, language="en", zone=DENVER) == "Tuesday, December 1, 8 AM"
    assert read_back(slot, language="es", zone=DENVER) == "el martes 1 de diciembre, las 8 de la mañana"


async def test_a_business_calendar_choice_is_stored_and_defaults_to_the_deployment(
    db: Database, settings: Settings
) -> None:
    business = await create_business(db, name="Denver Plumbing", owner_phone="+13035550100", timezone="America/Denver")
    assert await calendar_choice(db, business.id, settings) == CalendarChoice(provider="none")
    chosen = CalendarChoice(
        provider="caldav",
        calendar_id="https://dav.example.com/plumber/visits/",
        booking_link_url="https://plumber.example/book",
        visit=timedelta(minutes=90),
        lead_time=timedelta(hours=4),
    )
    await save_calendar_choice(db, business.id, chosen)
    assert await calendar_choice(db, business.id, settings) == chosen


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"booking_link_url": "http://plumber.example/book"}, "must be an https:// address"),
        ({"visit": timedelta(minutes=2)}, "between 5 minutes and a day"),
        ({"provider": "outlook"}, "unknown calendar provider 'outlook'"),
    ],
)
async def test_a_bad_calendar_choice_is_refused_with_the_reason(
    db: Database, change: dict[str, object], message: str
) -> None:
    business = await create_business(db, name="Denver Plumbing", owner_phone="+13035550100")
    choice = CalendarChoice(**{"provider": "google", **change})  # type: ignore[arg-type]
    with pytest.raises(InvalidCalendarChoice, match=message):
        await save_calendar_choice(db, business.id, choice)


async def test_caldav_over_plain_http_is_refused_before_any_password_is_sent(settings: Settings) -> None:
    plain = load_settings(
        BUDDYHELPS_DATA_DIR=settings.data_dir,
        CALDAV_URL="http://dav.example.com/plumber/visits/",
        CALDAV_USERNAME="plumber",
        CALDAV_PASSWORD="app-password",
    )
    async with open_booking_desk(plain, CalendarChoice(provider="caldav"), DENVER_HOURS) as desk:
        result = await desk.offer("tomorrow", language="en", now=MONDAY_NOON)
    assert isinstance(result, BookingLinkFallback)
    assert result.detail == "caldav: CALDAV_URL must be https:// (the password travels with every request)"


async def test_settings_book_into_caldav(
    settings: Settings, radicale: RadicaleServer, caldav_calendar_url: str
) -> None:
    configured = load_settings(
        BUDDYHELPS_DATA_DIR=settings.data_dir,
        CALENDAR_PROVIDER="caldav",
        CALDAV_URL=caldav_calendar_url,
        CALDAV_USERNAME=radicale.username,
        CALDAV_PASSWORD=radicale.password,
    )
    async with open_booking_desk(configured, deployment_choice(configured), DENVER_HOURS) as desk:
        offered = await desk.offer("Friday at 4", language="en", now=MONDAY_NOON)
        assert isinstance(offered, SlotsOffered)
        assert offered.slots[0].start == datetime(2026, 12, 4, 16, tzinfo=DENVER)
        booked = await desk.book(offered.slots[0], title="Visit", description="", attendee_phone="+1", now=MONDAY_NOON)
        assert isinstance(booked, Booked)
        again = await desk.offer("Friday at 4", language="en", now=MONDAY_NOON)
    assert isinstance(again, SlotsOffered)
    assert offered.slots[0] not in again.slots
