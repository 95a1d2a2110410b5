"""Google Calendar through its REST API with a service account: a signed JWT (RS256) is exchanged for an
access token at the token URI, `freeBusy` gives busy times, `events.insert` books, `events.list` re-reads
the slot for the double-booking check. The business shares its calendar with the service account."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any
from urllib.parse import quote

import httpx
import jwt
from pydantic import BaseModel, ConfigDict

from shared.calendars.calendar import Booking, CalendarError, Slot, event_text
from shared.calendars.double_booking import EventStamp, book_checked
from shared.calendars.provider_http import CachedToken, call_json, token_from

PROVIDER = "google"
SCOPE = "https://www.googleapis.com/auth/calendar"
GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer"
DEFAULT_API_BASE = "https://www.googleapis.com/calendar/v3"
ASSERTION_LIFETIME_S = 3600  # the longest Google accepts


class ServiceAccountKey(BaseModel):
    """The JSON key file Google issues for a service account (only the fields we use)."""

    model_config = ConfigDict(frozen=True, extra="ignore")
    client_email: str
    private_key: str
    token_uri: str = "https://oauth2.googleapis.com/token"  # noqa: S105 - a URL, not a secret


@dataclass(frozen=True)
class GoogleCalendarConfig:
    key: ServiceAccountKey = field(repr=False)
    calendar_id: str  # e.g. the owner's address, or an id ending in @group.calendar.google.com
    api_base: str = DEFAULT_API_BASE
    token_uri: str | None = None  # overrides the key file's (tests point it at a local fake)


class GoogleCalendar:
    def __init__(self, config: GoogleCalendarConfig, client: httpx.AsyncClient) -> None:
        self._config = config
        self._client = client
        self._token = CachedToken(self._fetch_token)
        self._events_url = f"{config.api_base.rstrip('/')}/calendars/{quote(config.calendar_id, safe='')}/events"

    @property
    def provider(self) -> str:
        return PROVIDER

    async def busy(self, *, start: datetime, end: datetime) -> list[Slot]:
        body = {"timeMin": _rfc3339(start), "timeMax": _rfc3339(end), "items": [{"id": self._config.calendar_id}]}
        answer = await self._call("POST", f"{self._config.api_base.rstrip('/')}/freeBusy", json=body)
        calendar = answer.get("calendars", {}).get(self._config.calendar_id)
        if not isinstance(calendar, dict):
            raise CalendarError(f"{PROVIDER}: freeBusy answered without calendar {self._config.calendar_id!r}")
        if calendar.get("errors"):
            reasons = ", ".join(str(e.get("reason")) for e in calendar["errors"])
            raise CalendarError(f"{PROVIDER}: freeBusy could not read the calendar ({reasons}); is it shared?")
        return [_slot(item["start"], item["end"]) for item in calendar.get("busy", [])]

    async def book(self, *, slot: Slot, title: str, description: str, attendee_phone: str) -> Booking:
        return await book_checked(
            self, provider=PROVIDER, slot=slot, title=title, description=description, attendee_phone=attendee_phone
        )

    async def create(self, *, slot: Slot, title: str, description: str, attendee_phone: str) -> str:
        zone = str(slot.start.tzinfo)
        body = {
            "summary": title,
            "description": event_text(description, attendee_phone),
            "start": {"dateTime": _rfc3339(slot.start), "timeZone": zone},
            "end": {"dateTime": _rfc3339(slot.end), "timeZone": zone},
            "transparency": "opaque",
            "extendedProperties": {"private": {"bookedBy": "buddyhelps", "callerPhone": attendee_phone}},
        }
        event = await self._call("POST", self._events_url, json=body)
        if not isinstance(event.get("id"), str):
            raise CalendarError(f"{PROVIDER}: events.insert answered without an event id")
        return str(event["id"])

    async def overlapping(self, slot: Slot) -> list[EventStamp]:
        params = {"timeMin": _rfc3339(slot.start), "timeMax": _rfc3339(slot.end), "singleEvents": "true"}
        stamps: list[EventStamp] = []
        while True:
            page = await self._call("GET", self._events_url, params=params)
            stamps += [_stamp(item, slot) for item in page.get("items", []) if _blocks(item)]
            if not page.get("nextPageToken"):
                return stamps
            params = {**params, "pageToken": str(page["nextPageToken"])}

    async def remove(self, event_id: str) -> None:
        await self._call("DELETE", f"{self._events_url}/{quote(event_id, safe='')}")

    async def _call(self, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        return await call_json(self._client, PROVIDER, method, url, token=await self._token.get(), **kwargs)

    async def _fetch_token(self) -> tuple[str, float]:
        key = self._config.key
        token_uri = self._config.token_uri or key.token_uri
        now = int(datetime.now(UTC).timestamp())
        claims = {"iss": key.client_email, "scope": SCOPE, "aud": token_uri, "iat": now}
        claims["exp"] = now + ASSERTION_LIFETIME_S
        try:
            assertion = jwt.encode(claims, key.private_key, algorithm="RS256")
        except (ValueError, TypeError, jwt.PyJWTError) as error:
            raise CalendarError(f"{PROVIDER}: the service account's private_key cannot sign ({error})") from error
        form = {"grant_type": GRANT_TYPE, "assertion": assertion}
        return token_from(await call_json(self._client, PROVIDER, "POST", token_uri, data=form), PROVIDER)


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _blocks(event: dict[str, Any]) -> bool:
    return event.get("status") != "cancelled" and event.get("transparency") != "transparent"


def _stamp(event: dict[str, Any], slot: Slot) -> EventStamp:
    created = event.get("created")
    if not isinstance(created, str):
        raise CalendarError(f"{PROVIDER}: event {event.get('id')!r} has no creation time")
    return EventStamp(event_id=str(event["id"]), created=_moment(created, slot))


def _slot(start: object, end: object) -> Slot:
    return Slot(_moment(start), _moment(end))


def _moment(value: object, like: Slot | None = None) -> datetime:
    """An RFC 3339 time, or an all-day event's date (midnight on the slot's clock)."""
    if isinstance(value, dict):
        value = value.get("dateTime") or value.get("date")
    if not isinstance(value, str):
        raise CalendarError(f"{PROVIDER}: expected a time, got {value!r}")
    try:
        if len(value) == len("2026-12-01"):
            zone = like.start.tzinfo if like else UTC
            return datetime.combine(date.fromisoformat(value), time(), zone)
        moment = datetime.fromisoformat(value)
    except ValueError as error:
        raise CalendarError(f"{PROVIDER}: {value!r} is not a time") from error
    if moment.tzinfo is None:
        raise CalendarError(f"{PROVIDER}: {value!r} has no UTC offset")
    return moment
