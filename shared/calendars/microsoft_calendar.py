"""Microsoft 365 through Microsoft Graph with client credentials (an app registration granted the
Calendars.ReadWrite application permission): `getSchedule` gives busy times, `POST events` books,
`calendarView` re-reads the slot for the double-booking check. All times travel in UTC."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import httpx

from shared.calendars.calendar import Booking, CalendarError, Slot, event_text
from shared.calendars.double_booking import EventStamp, book_checked
from shared.calendars.provider_http import CachedToken, call_json, token_from

PROVIDER = "microsoft"
SCOPE = "https://graph.microsoft.com/.default"
DEFAULT_AUTHORITY = "https://login.microsoftonline.com"
DEFAULT_GRAPH_BASE = "https://graph.microsoft.com/v1.0"
FREE = "free"  # the getSchedule status / showAs value that leaves a slot bookable (Graph varies the case)
_FRACTION = re.compile(r"\.(\d{6})\d+")  # Graph writes 7 fractional digits; Python reads 6


@dataclass(frozen=True)
class MicrosoftCalendarConfig:
    tenant_id: str
    client_id: str
    client_secret: str = field(repr=False)
    mailbox: str  # the user (UPN or id) whose default calendar takes the visits
    authority: str = DEFAULT_AUTHORITY
    graph_base: str = DEFAULT_GRAPH_BASE


class MicrosoftCalendar:
    def __init__(self, config: MicrosoftCalendarConfig, client: httpx.AsyncClient) -> None:
        self._config = config
        self._client = client
        self._token = CachedToken(self._fetch_token)
        self._user = f"{config.graph_base.rstrip('/')}/users/{quote(config.mailbox, safe='@')}"

    @property
    def provider(self) -> str:
        return PROVIDER

    async def busy(self, *, start: datetime, end: datetime) -> list[Slot]:
        body = {
            "schedules": [self._config.mailbox],
            "startTime": _graph_time(start),
            "endTime": _graph_time(end),
            "availabilityViewInterval": 15,
        }
        answer = await self._call("POST", f"{self._user}/calendar/getSchedule", json=body)
        schedules = answer.get("value")
        if not isinstance(schedules, list) or not schedules:
            raise CalendarError(f"{PROVIDER}: getSchedule answered without a schedule")
        schedule = schedules[0]
        if schedule.get("error"):
            raise CalendarError(
                f"{PROVIDER}: getSchedule could not read the mailbox: {schedule['error'].get('message')}"
            )
        items = schedule.get("scheduleItems", [])
        return [Slot(_moment(i["start"]), _moment(i["end"])) for i in items if _busy(i.get("status"))]

    async def book(self, *, slot: Slot, title: str, description: str, attendee_phone: str) -> Booking:
        return await book_checked(
            self, provider=PROVIDER, slot=slot, title=title, description=description, attendee_phone=attendee_phone
        )

    async def create(self, *, slot: Slot, title: str, description: str, attendee_phone: str) -> str:
        body = {
            "subject": title,
            "body": {"contentType": "text", "content": event_text(description, attendee_phone)},
            "start": _graph_time(slot.start),
            "end": _graph_time(slot.end),
            "showAs": "busy",
            "transactionId": str(uuid.uuid4()),  # Graph's idempotency key: a retried POST books once
        }
        event = await self._call("POST", f"{self._user}/calendar/events", json=body)
        if not isinstance(event.get("id"), str):
            raise CalendarError(f"{PROVIDER}: POST events answered without an event id")
        return str(event["id"])

    async def overlapping(self, slot: Slot) -> list[EventStamp]:
        url: str | None = f"{self._user}/calendar/calendarView"
        params: dict[str, str] | None = {
            "startDateTime": _utc(slot.start),
            "endDateTime": _utc(slot.end),
            "$select": "id,createdDateTime,start,end,showAs,isCancelled",
        }
        stamps: list[EventStamp] = []
        while url:
            page = await self._call("GET", url, params=params, headers={"Prefer": 'outlook.timezone="UTC"'})
            stamps += [_stamp(event) for event in page.get("value", []) if _blocks(event)]
            url, params = page.get("@odata.nextLink"), None  # the next link carries the query itself
        return stamps

    async def remove(self, event_id: str) -> None:
        await self._call("DELETE", f"{self._user}/events/{quote(event_id, safe='')}")

    async def _call(self, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        return await call_json(self._client, PROVIDER, method, url, token=await self._token.get(), **kwargs)

    async def _fetch_token(self) -> tuple[str, float]:
        config = self._config
        url = f"{config.authority.rstrip('/')}/{quote(config.tenant_id, safe='')}/oauth2/v2.0/token"
        form = {
            "client_id": config.client_id,
            "client_secret": config.client_secret,
            "scope": SCOPE,
            "grant_type": "client_credentials",
        }
        return token_from(await call_json(self._client, PROVIDER, "POST", url, data=form), PROVIDER)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def _graph_time(moment: datetime) -> dict[str, str]:
    return {"dateTime": _utc(moment), "timeZone": "UTC"}


def _blocks(event: dict[str, Any]) -> bool:
    return not event.get("isCancelled") and _busy(event.get("showAs"))


def _busy(status: object) -> bool:
    return str(status).lower() != FREE


def _stamp(event: dict[str, Any]) -> EventStamp:
    return EventStamp(event_id=str(event["id"]), created=_moment(event.get("createdDateTime")))


def _moment(value: object) -> datetime:
    """A Graph time: {"dateTime", "timeZone": "UTC"} or an ISO string ending in Z."""
    zone = "UTC"
    if isinstance(value, dict):
        zone = str(value.get("timeZone", "UTC"))
        value = value.get("dateTime")
    if not isinstance(value, str) or zone != "UTC":
        raise CalendarError(f"{PROVIDER}: expected a UTC time, got {value!r} in {zone!r}")
    try:
        moment = datetime.fromisoformat(_FRACTION.sub(r".\1", value))
    except ValueError as error:
        raise CalendarError(f"{PROVIDER}: {value!r} is not a time") from error
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
