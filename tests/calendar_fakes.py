"""Google Calendar and Microsoft Graph played by a real HTTP server on loopback, at the HTTP boundary.

They check what the real services check: the OAuth grant (Google: an RS256 JWT signed by the service
account's key, audience the token URI; Microsoft: client id and secret, the .default scope), the bearer
token on every call, and the request shapes of freeBusy / events.insert / events.list / events.delete and
getSchedule / POST events / calendarView / DELETE event. Events live in memory; the server stamps their
creation time like the real ones. `latency_s` slows every API call (races need overlap), `fail_next`
answers the next calls with an error status, and `down()` makes every call fail.
"""

from __future__ import annotations

import functools
import json
import re
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

GOOGLE_SCOPE = "https://www.googleapis.com/auth/calendar"
GRAPH_SCOPE = "https://graph.microsoft.com/.default"


class Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class FakeEvent:
    id: str
    start: datetime
    end: datetime
    title: str
    created: datetime
    free: bool = False  # transparent / showAs free: does not block
    notes: str = ""  # Google's description, Graph's body content


@dataclass
class CalendarFake:
    """One server playing both providers; `google_*` and `graph_*` name the accounts it accepts."""

    base_url: str = ""
    google_key_pem: str = ""
    google_client_email: str = "booking@buddyhelps-test.iam.gserviceaccount.com"
    graph_tenant: str = "tenant-1"
    graph_client_id: str = "client-1"
    graph_client_secret: str = field(default_factory=lambda: secrets.token_urlsafe(16), repr=False)
    latency_s: float = 0.0
    events: dict[str, list[FakeEvent]] = field(default_factory=dict)  # calendar id / mailbox → events
    calls: list[tuple[str, str]] = field(default_factory=list)  # (method, path) of every API call
    _public_key: Any = None
    _tokens: set[str] = field(default_factory=set)
    _failures: list[int] = field(default_factory=list)
    _down: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _last_created: datetime = field(default_factory=lambda: datetime.min.replace(tzinfo=UTC))

    @property
    def google_token_uri(self) -> str:
        return f"{self.base_url}/google/token"

    @property
    def google_api_base(self) -> str:
        return f"{self.base_url}/calendar/v3"

    @property
    def graph_base(self) -> str:
        return f"{self.base_url}/v1.0"

    def google_key_json(self, *, token_uri: str | None = None) -> str:
        return json.dumps(
            {
                "type": "service_account",
                "client_email": self.google_client_email,
                "private_key": self.google_key_pem,
                "token_uri": token_uri or self.google_token_uri,
            }
        )

    def add_event(self, calendar: str, start: datetime, end: datetime, title: str = "Busy", free: bool = False) -> None:
        with self._lock:
            event = FakeEvent(f"ev{secrets.token_hex(6)}", start, end, title, self._stamp(), free)
            self.events.setdefault(calendar, []).append(event)

    def fail_next(self, count: int, *, status: int = 503) -> None:
        with self._lock:
            self._failures.extend([status] * count)

    def down(self) -> None:
        self._down = True

    def booked(self, calendar: str) -> list[FakeEvent]:
        with self._lock:
            return [e for e in self.events.get(calendar, []) if e.title != "Busy"]

    # The HTTP side ---------------------------------------------------------------------------------------

    def answer(self, method: str, url: str, headers: dict[str, str], body: bytes) -> tuple[int, Any]:
        parts = urlsplit(url)
        path, query = unquote(parts.path), {k: v[0] for k, v in parse_qs(parts.query).items()}
        try:
            if self._down:
                raise Refused(503, "service unavailable")
            with self._lock:
                failure = self._failures.pop(0) if self._failures else None
            if failure is not None:
                raise Refused(failure, "injected failure")
            if path == "/google/token" and method == "POST":
                return 200, self._google_token(_form(body))
            if match := re.fullmatch(r"/([^/]+)/oauth2/v2\.0/token", path):
                return 200, self._graph_token(match.group(1), _form(body))
            self._check_bearer(headers)
            self.calls.append((method, path))
            if self.latency_s:
                time.sleep(self.latency_s)
            if path.startswith("/calendar/v3/"):
                return self._google(method, path.removeprefix("/calendar/v3"), query, body)
            if path.startswith("/v1.0/users/"):
                return self._graph(method, path.removeprefix("/v1.0/users/"), query, headers, body)
            raise Refused(404, f"no route {method} {path}")
        except Refused as refused:
            return refused.status, {"error": {"code": refused.status, "message": str(refused)}}

    def _stamp(self) -> datetime:
        """The server's creation clock, in milliseconds like Google's: strictly increasing."""
        now = datetime.now(UTC)
        now = now.replace(microsecond=now.microsecond // 1000 * 1000)
        if now <= self._last_created:
            now = self._last_created + timedelta(milliseconds=1)
        self._last_created = now
        return now

    def _check_bearer(self, headers: dict[str, str]) -> None:
        token = headers.get("authorization", "").removeprefix("Bearer ")
        if token not in self._tokens:
            raise Refused(401, "missing or unknown bearer token")

    def _issue(self) -> dict[str, Any]:
        token = secrets.token_urlsafe(24)
        self._tokens.add(token)
        return {"access_token": token, "token_type": "Bearer", "expires_in": 3599}

    def _google_token(self, form: dict[str, str]) -> dict[str, Any]:
        if form.get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer":
            raise Refused(400, "unsupported_grant_type")
        try:
            claims = jwt.decode(
                form.get("assertion", ""), self._public_key, algorithms=["RS256"], audience=self.google_token_uri
            )
        except jwt.PyJWTError as error:
            raise Refused(400, f"invalid_grant: {error}") from error
        if claims.get("iss") != self.google_client_email or GOOGLE_SCOPE not in str(claims.get("scope")).split():
            raise Refused(400, "invalid_grant: wrong issuer or scope")
        if not 0 < claims["exp"] - claims["iat"] <= 3600:
            raise Refused(400, "invalid_grant: lifetime over an hour")
        return self._issue()

    def _graph_token(self, tenant: str, form: dict[str, str]) -> dict[str, Any]:
        if tenant != self.graph_tenant or form.get("grant_type") != "client_credentials":
            raise Refused(400, "invalid_request")
        if form.get("client_id") != self.graph_client_id or form.get("client_secret") != self.graph_client_secret:
            raise Refused(401, "invalid_client")
        if form.get("scope") != GRAPH_SCOPE:
            raise Refused(400, "invalid_scope")
        return self._issue()

    # Google Calendar API v3 ------------------------------------------------------------------------------

    def _google(self, method: str, path: str, query: dict[str, str], body: bytes) -> tuple[int, Any]:
        if path == "/freeBusy" and method == "POST":
            request = json.loads(body)
            start, end = _rfc3339(request["timeMin"]), _rfc3339(request["timeMax"])
            calendars = {}
            for item in request["items"]:
                if item["id"] not in self.events:
                    calendars[item["id"]] = {"errors": [{"domain": "global", "reason": "notFound"}], "busy": []}
                    continue
                busy = [_g_span(e) for e in self._overlapping(item["id"], start, end) if not e.free]
                calendars[item["id"]] = {"busy": busy}
            return 200, {"kind": "calendar#freeBusy", "timeMin": request["timeMin"], "calendars": calendars}
        match = re.fullmatch(r"/calendars/([^/]+)/events(?:/([^/]+))?", path)
        if not match or match.group(1) not in self.events:
            raise Refused(404, "Not Found")
        calendar, event_id = match.groups()
        if method == "POST" and event_id is None:
            request = json.loads(body)
            if not request.get("summary") or "dateTime" not in request["start"] or "dateTime" not in request["end"]:
                raise Refused(400, "Missing summary or start/end dateTime")
            start, end = request["start"]["dateTime"], request["end"]["dateTime"]
            event = self._create(calendar, request["summary"], start, end, request.get("description", ""))
            return 200, {"kind": "calendar#event", "id": event.id, **_g_event(event)}
        if method == "GET" and event_id is None:
            if query.get("singleEvents") != "true" or "timeMin" not in query or "timeMax" not in query:
                raise Refused(400, "expected singleEvents=true, timeMin and timeMax")
            found = self._overlapping(calendar, _rfc3339(query["timeMin"]), _rfc3339(query["timeMax"]))
            return 200, {"kind": "calendar#events", "items": [{"id": e.id, **_g_event(e)} for e in found]}
        if method == "DELETE" and event_id is not None:
            self._delete(calendar, event_id, missing=410)
            return 204, None
        raise Refused(405, f"{method} not allowed here")

    # Microsoft Graph v1.0 --------------------------------------------------------------------------------

    def _graph(
        self, method: str, path: str, query: dict[str, str], headers: dict[str, str], body: bytes
    ) -> tuple[int, Any]:
        mailbox, _, rest = path.partition("/")
        if mailbox not in self.events:
            raise Refused(404, "ErrorInvalidUser: The requested user is invalid.")
        if rest == "calendar/getSchedule" and method == "POST":
            request = json.loads(body)
            start, end = _graph_time(request["startTime"]), _graph_time(request["endTime"])
            if request["schedules"] != [mailbox]:
                raise Refused(400, "schedules must name the mailbox")
            items = [
                {"status": "Free" if e.free else "Busy", "start": _g_time(e.start), "end": _g_time(e.end)}
                for e in self._overlapping(mailbox, start, end)
            ]
            # Capitalised as in Graph's documented answers ("Busy", "Tentative"); showAs on events is lower case.
            return 200, {"value": [{"scheduleId": mailbox, "availabilityView": "", "scheduleItems": items}]}
        if rest == "calendar/events" and method == "POST":
            request = json.loads(body)
            if not request.get("subject"):
                raise Refused(400, "subject is required")
            start, end = _graph_time(request["start"]), _graph_time(request["end"])
            notes = request.get("body", {}).get("content", "")
            event = self._create(mailbox, request["subject"], start.isoformat(), end.isoformat(), notes)
            return 201, {"id": event.id, **_m_event(event)}
        if rest == "calendar/calendarView" and method == "GET":
            if headers.get("prefer") != 'outlook.timezone="UTC"':
                raise Refused(400, 'this fake answers in UTC only: send Prefer: outlook.timezone="UTC"')
            if "startDateTime" not in query or "endDateTime" not in query:
                raise Refused(400, "ErrorInvalidParameter: startDateTime and endDateTime are required")
            start, end = _utc_naive(query["startDateTime"]), _utc_naive(query["endDateTime"])
            found = self._overlapping(mailbox, start, end)
            skip = int(query.get("$skip", "0"))
            page = found[skip : skip + 2]  # tiny pages, so clients must follow @odata.nextLink
            answer: dict[str, Any] = {"value": [{"id": e.id, **_m_event(e)} for e in page]}
            if skip + 2 < len(found):
                answer["@odata.nextLink"] = (
                    f"{self.graph_base}/users/{mailbox}/calendar/calendarView?startDateTime={query['startDateTime']}"
                    f"&endDateTime={query['endDateTime']}&$skip={skip + 2}"
                )
            return 200, answer
        if (match := re.fullmatch(r"events/([^/]+)", rest)) and method == "DELETE":
            self._delete(mailbox, match.group(1), missing=404)
            return 204, None
        raise Refused(400, f"no route {method} {rest}")

    # The store -------------------------------------------------------------------------------------------

    def _create(self, calendar: str, title: str, start: str, end: str, notes: str) -> FakeEvent:
        with self._lock:
            event = FakeEvent(f"ev{secrets.token_hex(6)}", _rfc3339(start), _rfc3339(end), title, self._stamp())
            event.notes = notes
            self.events[calendar].append(event)
        return event

    def _overlapping(self, calendar: str, start: datetime, end: datetime) -> list[FakeEvent]:
        with self._lock:
            return sorted((e for e in self.events[calendar] if e.start < end and start < e.end), key=lambda e: e.start)

    def _delete(self, calendar: str, event_id: str, *, missing: int) -> None:
        with self._lock:
            kept = [e for e in self.events[calendar] if e.id != event_id]
            if len(kept) == len(self.events[calendar]):
                raise Refused(missing, "event not found")
            self.events[calendar] = kept


def _form(body: bytes) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(body.decode()).items()}


def _rfc3339(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise Refused(400, f"time without an offset: {value}")
    return moment


def _graph_time(value: dict[str, str]) -> datetime:
    if value.get("timeZone") != "UTC":
        raise Refused(400, "this fake takes timeZone UTC only")
    return _utc_naive(value["dateTime"])


def _utc_naive(value: str) -> datetime:
    moment = datetime.fromisoformat(value.removesuffix("Z"))
    if moment.tzinfo is not None:
        raise Refused(400, f"expected a time without an offset: {value}")
    return moment.replace(tzinfo=UTC)


def _g_span(event: FakeEvent) -> dict[str, str]:
    return {"start": event.start.astimezone(UTC).isoformat().replace("+00:00", "Z"), "end": _z(event.end)}


def _z(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _g_event(event: FakeEvent) -> dict[str, Any]:
    return {
        "status": "confirmed",
        "summary": event.title,
        "created": _z(event.created),
        "start": {"dateTime": _z(event.start)},
        "end": {"dateTime": _z(event.end)},
        **({"transparency": "transparent"} if event.free else {}),
    }


def _g_time(moment: datetime) -> dict[str, str]:
    return {"dateTime": moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.0000000"), "timeZone": "UTC"}


def _m_event(event: FakeEvent) -> dict[str, Any]:
    return {
        "subject": event.title,
        "createdDateTime": event.created.strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z",
        "start": _g_time(event.start),
        "end": _g_time(event.end),
        "showAs": "free" if event.free else "busy",
        "isCancelled": False,
    }


def _handler_for(fake: CalendarFake) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self, method: str) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {key.lower(): value for key, value in self.headers.items()}
            status, payload = fake.answer(method, self.path, headers, body)
            data = b"" if payload is None else json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def do_DELETE(self) -> None:
            self._serve("DELETE")

        def log_message(self, format: str, *args: Any) -> None:
            return  # quiet; calls are recorded on the fake

    return Handler


@functools.cache
def _service_account_key() -> rsa.RSAPrivateKey:
    """One key per test session: generating a 2048-bit key takes most of a second on a busy CPU."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@contextmanager
def running_calendar_fake() -> Iterator[CalendarFake]:
    key = _service_account_key()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    fake = CalendarFake(google_key_pem=pem.decode(), _public_key=key.public_key())
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(fake))
    server.daemon_threads = True
    fake.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), name="calendar-fake", daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
