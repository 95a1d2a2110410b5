"""CalDAV (Nextcloud, Fastmail, iCloud, Radicale, ...) through the `caldav` client. The client is
blocking, so every operation runs in a worker thread with its own connection.

Two bookings of the very same slot collide at the server: the event's name derives from the slot and is
written with If-None-Match: *, so the second write is refused (SlotTaken). Overlapping slots that differ
go through the shared re-read check, ordered by X-BUDDYHELPS-CREATED (microseconds, our clock, stamped
just before the write; CalDAV servers do not stamp creation) or CREATED/DTSTAMP for other clients' events."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, tzinfo
from typing import Any, TypeVar

import caldav
import icalendar
import niquests
from caldav.lib.error import ConsistencyError, DAVError

from shared.calendars.calendar import Booking, CalendarError, Slot, SlotTaken, event_text
from shared.calendars.double_booking import EventStamp, book_checked

PROVIDER = "caldav"
CREATED_STAMP = "X-BUDDYHELPS-CREATED"
T = TypeVar("T")
_CALDAV: Any = caldav  # its DAVClient is built at import time, which mypy cannot follow


@dataclass(frozen=True)
class CaldavCalendarConfig:
    calendar_url: str  # the calendar collection, e.g. https://dav.example.com/owner/visits/
    username: str
    password: str = field(repr=False)
    timeout_s: float = 10.0


class CaldavCalendar:
    def __init__(self, config: CaldavCalendarConfig) -> None:
        self._config = config

    @property
    def provider(self) -> str:
        return PROVIDER

    async def busy(self, *, start: datetime, end: datetime) -> list[Slot]:
        events = await self._run(lambda calendar: _events_between(calendar, start, end))
        return [Slot(*_span(event, start.tzinfo)) for event in events if _blocks(event)]

    async def book(self, *, slot: Slot, title: str, description: str, attendee_phone: str) -> Booking:
        return await book_checked(
            self, provider=PROVIDER, slot=slot, title=title, description=description, attendee_phone=attendee_phone
        )

    async def create(self, *, slot: Slot, title: str, description: str, attendee_phone: str) -> str:
        uid = _slot_uid(self._config.calendar_url, slot)

        def write(calendar: Any) -> bool:
            try:
                calendar.save_event(_event_ics(uid, slot, title, description, attendee_phone), no_overwrite=True)
            except ConsistencyError:
                return False  # the server already holds a booking of this very slot
            return True

        if not await self._run(write):
            raise SlotTaken(slot)
        return uid

    async def overlapping(self, slot: Slot) -> list[EventStamp]:
        events = await self._run(lambda calendar: _events_between(calendar, slot.start, slot.end))
        return [_stamp(event) for event in events if _blocks(event)]

    async def remove(self, event_id: str) -> None:
        await self._run(lambda calendar: calendar.event_by_uid(event_id).delete())

    async def _run(self, operation: Callable[[Any], T]) -> T:
        return await asyncio.to_thread(self._blocking, operation)

    def _blocking(self, operation: Callable[[Any], T]) -> T:
        config = self._config
        try:
            with _CALDAV.DAVClient(
                url=config.calendar_url,
                username=config.username,
                password=config.password,
                timeout=max(1, round(config.timeout_s)),
                enable_rfc6764=False,  # the URL names the calendar: no DNS discovery
            ) as client:
                return operation(client.calendar(url=config.calendar_url))
        except (DAVError, niquests.exceptions.RequestException, OSError, ValueError) as error:
            raise CalendarError(f"{PROVIDER}: {type(error).__name__}: {error}") from error


def _slot_uid(calendar_url: str, slot: Slot) -> str:
    span = f"{calendar_url}|{slot.start.astimezone(UTC).isoformat()}|{slot.end.astimezone(UTC).isoformat()}"
    return f"visit-{hashlib.sha256(span.encode()).hexdigest()[:24]}@buddyhelps"


def _events_between(calendar: Any, start: datetime, end: datetime) -> list[Any]:
    found = calendar.search(start=start, end=end, event=True, expand=True)
    return [item.icalendar_component for item in found]


def _event_ics(uid: str, slot: Slot, title: str, description: str, attendee_phone: str) -> str:
    now = datetime.now(UTC)
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("dtstamp", now)
    event.add("created", now)
    event.add(CREATED_STAMP, now.isoformat())
    event.add("dtstart", slot.start.astimezone(UTC))
    event.add("dtend", slot.end.astimezone(UTC))
    event.add("summary", title)
    event.add("description", event_text(description, attendee_phone))
    event.add("transp", "OPAQUE")
    event.add("contact", attendee_phone)
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//BuddyHelps//visits//EN")
    calendar.add("version", "2.0")
    calendar.add_component(event)
    return str(calendar.to_ical().decode())


def _blocks(event: Any) -> bool:
    transparent = str(event.get("transp", "OPAQUE")).upper() == "TRANSPARENT"
    return not transparent and str(event.get("status", "")).upper() != "CANCELLED"


def _span(event: Any, zone: tzinfo | None) -> tuple[datetime, datetime]:
    start = _aware(event.decoded("dtstart"), zone)
    if "dtend" in event:
        return start, _aware(event.decoded("dtend"), zone)
    if "duration" in event:
        return start, start + event.decoded("duration")
    return start, _aware(event.decoded("dtstart"), zone, end_of_day=True)


def _aware(value: datetime | date, zone: tzinfo | None, *, end_of_day: bool = False) -> datetime:
    """An event time as an aware datetime; a floating time or an all-day date is read on `zone`'s clock."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=zone or UTC)
    day = date.fromordinal(value.toordinal() + 1) if end_of_day else value
    return datetime.combine(day, time(), zone or UTC)


def _stamp(event: Any) -> EventStamp:
    ours = event.get(CREATED_STAMP)
    if ours is not None:
        created = datetime.fromisoformat(str(ours))
    else:
        created = _aware(event.decoded("created") if "created" in event else event.decoded("dtstamp"), UTC)
    return EventStamp(event_id=str(event.get("uid")), created=created)
