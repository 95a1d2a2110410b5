"""Each business's calendar choice (table business_calendars): which provider, which calendar in it, the
booking link texted when booking is not possible, how long a visit lasts and how soon one may start.
A business without a row uses the deployment's settings (CALENDAR_PROVIDER and the provider's calendar)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Literal, cast
from urllib.parse import urlsplit

from shared.database import Database, utc_now
from shared.settings import Settings

Provider = Literal["none", "google", "microsoft", "caldav"]
PROVIDERS: tuple[Provider, ...] = ("none", "google", "microsoft", "caldav")


class InvalidCalendarChoice(ValueError):
    """A choice that cannot be stored; the message says which part and why."""


@dataclass(frozen=True)
class CalendarChoice:
    provider: Provider
    calendar_id: str = ""  # "": the deployment's (GOOGLE_CALENDAR_ID, MS_CALENDAR_MAILBOX, CALDAV_URL)
    booking_link_url: str = ""  # "": BOOKING_LINK_URL
    visit: timedelta = timedelta(hours=1)
    lead_time: timedelta = timedelta(hours=2)


def deployment_choice(settings: Settings) -> CalendarChoice:
    return CalendarChoice(provider=settings.calendar_provider)


def booking_link(choice: CalendarChoice, settings: Settings) -> str | None:
    """The link texted to a caller we could not book: the business's own, else the deployment's."""
    return choice.booking_link_url or settings.booking_link_url or None


async def calendar_choice(db: Database, business_id: str, settings: Settings) -> CalendarChoice:
    row = await db.fetch_one("SELECT * FROM business_calendars WHERE business_id = ?", (business_id,))
    if row is None:
        return deployment_choice(settings)
    return CalendarChoice(
        provider=cast(Provider, row["provider"]),
        calendar_id=row["calendar_id"],
        booking_link_url=row["booking_link_url"],
        visit=timedelta(minutes=row["visit_minutes"]),
        lead_time=timedelta(minutes=row["lead_minutes"]),
    )


async def save_calendar_choice(db: Database, business_id: str, choice: CalendarChoice) -> None:
    _check(choice)
    await db.execute(
        "INSERT INTO business_calendars (business_id, provider, calendar_id, booking_link_url, visit_minutes,"
        " lead_minutes, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (business_id) DO UPDATE SET"
        " provider = excluded.provider, calendar_id = excluded.calendar_id,"
        " booking_link_url = excluded.booking_link_url, visit_minutes = excluded.visit_minutes,"
        " lead_minutes = excluded.lead_minutes, updated_at = excluded.updated_at",
        (
            business_id,
            choice.provider,
            choice.calendar_id.strip(),
            choice.booking_link_url.strip(),
            _minutes(choice.visit),
            _minutes(choice.lead_time),
            utc_now(),
        ),
    )


def _check(choice: CalendarChoice) -> None:
    if choice.provider not in PROVIDERS:
        raise InvalidCalendarChoice(f"unknown calendar provider {choice.provider!r} (one of {', '.join(PROVIDERS)})")
    link = choice.booking_link_url.strip()
    if link and (urlsplit(link).scheme != "https" or not urlsplit(link).netloc):
        raise InvalidCalendarChoice(f"the booking link must be an https:// address, not {link!r}")
    if not 5 <= _minutes(choice.visit) <= 1440:
        raise InvalidCalendarChoice("a visit lasts between 5 minutes and a day")
    if not 0 <= _minutes(choice.lead_time) <= 20160:
        raise InvalidCalendarChoice("the lead time is between none and two weeks")


def _minutes(span: timedelta) -> int:
    return int(span.total_seconds() // 60)
