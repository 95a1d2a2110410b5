"""The calendar a business books into, from the deployment's settings and the business's choice; and the
BookingDesk around it. A provider chosen but not configured yields a desk that texts the booking link."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

import httpx
from pydantic import ValidationError

from shared.agents.definition import OpeningHours
from shared.calendars.booking_desk import BookingDesk, DeskRules
from shared.calendars.caldav_calendar import CaldavCalendar, CaldavCalendarConfig
from shared.calendars.calendar import Calendar, CalendarError
from shared.calendars.calendar_choice import CalendarChoice, booking_link
from shared.calendars.google_calendar import GoogleCalendar, GoogleCalendarConfig, ServiceAccountKey
from shared.calendars.microsoft_calendar import MicrosoftCalendar, MicrosoftCalendarConfig
from shared.settings import Settings

LOOPBACK_HOSTS = ("127.0.0.1", "localhost")  # plain http only to a server on this machine (tests)


def calendar_for(choice: CalendarChoice, settings: Settings, client: httpx.AsyncClient) -> Calendar | None:
    """The business's calendar (None: it books none); CalendarError names what is missing."""
    if choice.provider == "google":
        return GoogleCalendar(_google(choice, settings), client)
    if choice.provider == "microsoft":
        return MicrosoftCalendar(_microsoft(choice, settings), client)
    if choice.provider == "caldav":
        return CaldavCalendar(_caldav(choice, settings))
    return None


@asynccontextmanager
async def open_booking_desk(
    settings: Settings, choice: CalendarChoice, hours: OpeningHours
) -> AsyncIterator[BookingDesk]:
    """A desk for one call; its HTTP connections close when the block ends."""
    rules = DeskRules(hours=hours, visit=choice.visit, lead_time=choice.lead_time)
    link = booking_link(choice, settings)
    async with httpx.AsyncClient(timeout=settings.calendar_timeout_s) as client:
        try:
            calendar = calendar_for(choice, settings, client)
        except CalendarError as error:
            yield BookingDesk(None, rules, booking_link=link, unavailable=str(error))
            return
        yield BookingDesk(calendar, rules, booking_link=link)


def _required(provider: str, **values: str | None) -> dict[str, str]:
    missing = [name for name, value in values.items() if not value]
    if missing:
        raise CalendarError(f"{provider}: not configured ({', '.join(missing)} not set)")
    return {name: str(value) for name, value in values.items()}


def _google(choice: CalendarChoice, settings: Settings) -> GoogleCalendarConfig:
    need = _required(
        "google",
        GOOGLE_SERVICE_ACCOUNT_JSON=settings.google_service_account_json,
        GOOGLE_CALENDAR_ID=choice.calendar_id or settings.google_calendar_id,
    )
    try:
        key = ServiceAccountKey.model_validate_json(need["GOOGLE_SERVICE_ACCOUNT_JSON"])
    except ValidationError as error:
        fields = ", ".join(str(e["loc"][0]) for e in error.errors() if e["loc"]) or "not JSON"
        raise CalendarError(f"google: GOOGLE_SERVICE_ACCOUNT_JSON is not a service-account key ({fields})") from None
    return GoogleCalendarConfig(
        key=key,
        calendar_id=need["GOOGLE_CALENDAR_ID"],
        api_base=settings.google_calendar_api_base,
        token_uri=settings.google_token_uri,
    )


def _microsoft(choice: CalendarChoice, settings: Settings) -> MicrosoftCalendarConfig:
    need = _required(
        "microsoft",
        MS_TENANT_ID=settings.ms_tenant_id,
        MS_CLIENT_ID=settings.ms_client_id,
        MS_CLIENT_SECRET=settings.ms_client_secret,
        MS_CALENDAR_MAILBOX=choice.calendar_id or settings.ms_calendar_mailbox,
    )
    return MicrosoftCalendarConfig(
        tenant_id=need["MS_TENANT_ID"],
        client_id=need["MS_CLIENT_ID"],
        client_secret=need["MS_CLIENT_SECRET"],
        mailbox=need["MS_CALENDAR_MAILBOX"],
        authority=settings.ms_authority,
        graph_base=settings.ms_graph_base,
    )


def _caldav(choice: CalendarChoice, settings: Settings) -> CaldavCalendarConfig:
    need = _required(
        "caldav",
        CALDAV_URL=choice.calendar_id or settings.caldav_url,
        CALDAV_USERNAME=settings.caldav_username,
        CALDAV_PASSWORD=settings.caldav_password,
    )
    url = urlsplit(need["CALDAV_URL"])
    if url.scheme != "https" and url.hostname not in LOOPBACK_HOSTS:
        raise CalendarError("caldav: CALDAV_URL must be https:// (the password travels with every request)")
    return CaldavCalendarConfig(
        calendar_url=need["CALDAV_URL"],
        username=need["CALDAV_USERNAME"],
        password=need["CALDAV_PASSWORD"],
        timeout_s=settings.calendar_timeout_s,
    )
