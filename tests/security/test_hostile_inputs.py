"""Forged and hostile inputs, one row each, with the answer each must get (issue 9 §4; issue 16's findings).

Rows go through the real apps: the functions' local app (functions/local_app.py, libSQL file, blobs in a
folder, notifications recorded) and the worker app (`gpu_worker.server.create_app` with fake stages).
Each row says what it sends and what must come back; some also say what must (not) be left behind.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from fastapi.testclient import TestClient

from functions.local_app import create_local_app
from functions.photo_upload import current_time
from gpu_worker.routes.worker_auth import bearer_headers
from gpu_worker.server import create_app
from shared.database import Database, open_database
from shared.repositories.businesses import create_business
from shared.repositories.operators import create_api_token, create_operator
from shared.repositories.phone_numbers import add_number
from shared.repositories.photo_tokens import create_photo_token
from shared.repositories.photos import list_photos
from shared.settings import Settings
from shared.signatures import CALL_COMPLETE_PATH, PHOTO_LINK_PATH, sign_report, twilio_signature
from tests.functions.admin.conftest import csrf_from
from tests.functions.admin.live_server import run_async
from tests.functions.conftest import make_report
from tests.gpu_worker.fake_stages import fake_models
from tests.image_samples import gps_read_back, photo_with_gps

PUBLIC_BASE_URL = "https://calls.buddyhelps.example"
AUTH_TOKEN = "0123456789abcdef0123456789abcdef"
SECRET = "a-webhook-secret-of-at-least-32-characters"
WORKER_TOKEN = "worker-token-for-tests-0123456789abcdef"
MODEL_REPLY = "Words only the fake model says."
BUSINESS_NUMBER, OWNER_MOBILE, CALLER = "+15550100000", "+15550109999", "+15555550123"
EMAIL, PASSWORD = "ops@buddyhelps.example", "correct horse battery staple"


@dataclass
class Site:
    """One functions app with a business, a reported call, a photo link for it and an operator."""

    client: httpx.AsyncClient
    settings: Settings
    db: Database
    call_id: str
    photo_token: str
    api_token: str
    clock: list[datetime]


@dataclass(frozen=True)
class Row:
    name: str
    send: Callable[[Site], Awaitable[httpx.Response]]
    status: int
    then: Callable[[Site, httpx.Response], Awaitable[None]] | None = field(default=None)


def _signed(settings: Settings, body: bytes, *, path: str, age_s: int = 0) -> dict[str, str]:
    sent_at = int(time.time()) - age_s
    return {
        "Content-Type": "application/json",
        "X-BuddyHelps-Timestamp": str(sent_at),
        "X-BuddyHelps-Signature": sign_report(
            secret=settings.dashboard_webhook_secret, timestamp=sent_at, method="POST", path=path, body=body
        ),
    }


def _form(params: dict[str, str], signature: str | None) -> dict[str, Any]:
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if signature is not None:
        headers["X-Twilio-Signature"] = signature
    return {"content": urlencode(params).encode(), "headers": headers}


CALL = {"CallSid": "CA" + "7" * 32, "From": CALLER, "To": BUSINESS_NUMBER, "CallStatus": "ringing"}
REPORT = make_report("CA" + "8" * 32).model_dump_json().encode()


def webhook(path: str, params: dict[str, str], *, url: str | None = None, token: str = AUTH_TOKEN, sign: bool = True):
    async def send(site: Site) -> httpx.Response:
        signed_url = url or PUBLIC_BASE_URL + path
        signature = twilio_signature(auth_token=token, url=signed_url, params=params) if sign else None
        return await site.client.post(path, **_form(params, signature))

    return send


def report(body: bytes, *, signed_for: str = CALL_COMPLETE_PATH, age_s: int = 0, tamper: bytes | None = None):
    async def send(site: Site) -> httpx.Response:
        headers = _signed(site.settings, body, path=signed_for, age_s=age_s)
        return await site.client.post(CALL_COMPLETE_PATH, content=tamper or body, headers=headers)

    return send


def get(path: Callable[[Site], str] | str, **headers: str):
    async def send(site: Site) -> httpx.Response:
        return await site.client.get(path(site) if callable(path) else path, headers=headers)

    return send


def upload(data: bytes, name: str = "photo.jpg"):
    async def send(site: Site) -> httpx.Response:
        files = {"photos": (name, data, "image/jpeg")}
        return await site.client.post(f"/photo/{site.photo_token}", files=files, headers={"Accept": "application/json"})

    return send


async def _sign_in(site: Site, *, password: str, next_path: str = "", csrf: bool = True) -> httpx.Response:
    form = await site.client.get("/admin/login")
    data = {"email": EMAIL, "password": password, "next": next_path}
    if csrf:
        data["csrf_token"] = csrf_from(form.text)
    return await site.client.post("/admin/login", data=data)


async def _sixth_wrong_password(site: Site) -> httpx.Response:
    for n in range(5):
        assert (await _sign_in(site, password=f"guess {n}")).status_code == 401
    return await _sign_in(site, password=PASSWORD)


async def _expired_link(site: Site) -> httpx.Response:
    site.clock[0] = datetime.now(UTC) + timedelta(hours=2)
    return await site.client.get(f"/photo/{site.photo_token}")


async def _console_post_without_csrf(site: Site) -> httpx.Response:
    assert (await _sign_in(site, password=PASSWORD)).status_code == 303
    return await site.client.post("/admin/tokens", data={"name": "no csrf"})


async def _off_site_next(site: Site) -> httpx.Response:
    return await _sign_in(site, password=PASSWORD, next_path="https://evil.example/admin")


async def _oversized_report(site: Site) -> httpx.Response:
    body = b'{"call_sid": "' + b"C" * 1_100_000 + b'"}'
    return await site.client.post(
        CALL_COMPLETE_PATH, content=body, headers=_signed(site.settings, body, path=CALL_COMPLETE_PATH)
    )


async def _no_location(site: Site, _: httpx.Response) -> None:
    [photo] = await list_photos(site.db, site.call_id)
    assert gps_read_back((site.settings.blob_dir / photo.blob_key).read_bytes()) == [{}]
    assert site.call_id not in photo.blob_key


async def _nothing_stored(site: Site, _: httpx.Response) -> None:
    assert await list_photos(site.db, site.call_id) == []


async def _no_report_stored(site: Site, _: httpx.Response) -> None:
    assert await site.db.fetch_one("SELECT 1 AS x FROM calls WHERE call_sid = ?", ("CA" + "8" * 32,)) is None


async def _public_number_only(_: Site, response: httpx.Response) -> None:
    assert f'href="tel:{BUSINESS_NUMBER}"' in response.text
    assert OWNER_MOBILE not in response.text


async def _not_frameable(_: Site, response: httpx.Response) -> None:
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert "no-store" in response.headers["cache-control"]


async def _back_home(_: Site, response: httpx.Response) -> None:
    assert response.headers["location"] == "/admin/calls"


async def _locked_message(_: Site, response: httpx.Response) -> None:
    assert "Too many failed sign-in attempts" in response.text


FUNCTIONS_ROWS = [
    # Twilio webhooks: only Twilio's signature over PUBLIC_BASE_URL opens them.
    Row("webhook: no signature", webhook("/incoming-call", CALL, sign=False), 403),
    Row("webhook: signed with another auth token", webhook("/incoming-call", CALL, token="f" * 32), 403),
    Row(
        "webhook: signed for the Host header, not PUBLIC_BASE_URL",
        webhook("/incoming-call", CALL, url="http://functions.test/incoming-call"),
        403,
    ),
    Row(
        "webhook: a signed status for another path",
        webhook("/call-status", CALL, url=PUBLIC_BASE_URL + "/incoming-call"),
        403,
    ),
    Row("webhook: signed but no CallSid", webhook("/incoming-call", {"From": CALLER, "To": BUSINESS_NUMBER}), 400),
    Row("webhook: JSON instead of a form", lambda s: s.client.post("/incoming-call", json=CALL), 415),
    Row("webhook: 100 KB form", lambda s: s.client.post("/incoming-call", **_form({"x": "y" * 100_000}, "sig")), 413),
    # Worker reports: HMAC over timestamp, method, path and body.
    Row(
        "call-complete: no signature",
        lambda s: s.client.post(CALL_COMPLETE_PATH, content=REPORT),
        401,
        _no_report_stored,
    ),
    Row("call-complete: replayed after 5 minutes", report(REPORT, age_s=301), 401, _no_report_stored),
    Row(
        "call-complete: a body signed for /api/photo-link",
        report(REPORT, signed_for=PHOTO_LINK_PATH),
        401,
        _no_report_stored,
    ),
    Row(
        "call-complete: body changed after signing",
        report(REPORT, tamper=REPORT.replace(b"Maria", b"Mallory")),
        401,
        _no_report_stored,
    ),
    Row("call-complete: signed, not JSON", report(b"<xml/>"), 400),
    Row("call-complete: signed JSON of the wrong shape", report(json.dumps({"call_sid": 5}).encode()), 422),
    Row("call-complete: over 1 MB", _oversized_report, 413),
    Row(
        "photo-link: a body signed for /api/call-complete",
        lambda s: s.client.post(
            PHOTO_LINK_PATH, content=REPORT, headers=_signed(s.settings, REPORT, path=CALL_COMPLETE_PATH)
        ),
        401,
    ),
    # Photo links: the token is the credential; what is kept has no location.
    Row("photo: a guessed token", get("/photo/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), 404, _not_frameable),
    Row("photo: a 5,000-character token", get("/photo/" + "A" * 5000), 404),
    Row("photo: a script renamed photo.jpg", upload(b"#!/bin/sh\nrm -rf /\n" * 10), 415, _nothing_stored),
    Row("photo: a truncated JPEG", upload(photo_with_gps("jpeg")[:200]), 422, _nothing_stored),
    Row(
        "photo: PNG with a spec eXIf chunk (GPS)", upload(photo_with_gps("png-exif-chunk"), "a.png"), 200, _no_location
    ),
    Row("photo: WebP with an EXIF chunk (GPS)", upload(photo_with_gps("webp"), "a.webp"), 200, _no_location),
    Row("photo: JPEG followed by a second JPEG (GPS)", upload(photo_with_gps("mpo")), 200, _no_location),
    Row(
        "photo: not multipart",
        lambda s: s.client.post(f"/photo/{s.photo_token}", content=b"x", headers={"Content-Type": "text/plain"}),
        400,
    ),
    Row("photo: expired link shows the business's number, not the owner's", _expired_link, 410, _public_number_only),
    Row("blobs: climbing out of the folder", get("/blobs/%2e%2e/buddyhelps.db"), 404),
    # Call page and console.
    Row("call page: a guessed id", get("/c/" + "A" * 22), 404),
    Row("call page: cannot be framed or cached", get(lambda s: f"/c/{s.call_id}"), 200, _not_frameable),
    Row("console API: no credentials", get("/admin/api/businesses"), 401),
    Row("console API: a wrong bearer token", get("/admin/api/businesses", Authorization="Bearer bh_not-a-token"), 401),
    Row("console API: cannot be framed or cached", get("/admin/api/businesses", Authorization=""), 401, _not_frameable),
    Row("console: sign-in form without CSRF", lambda s: _sign_in(s, password=PASSWORD, csrf=False), 403),
    Row("console: session POST without CSRF", _console_post_without_csrf, 403),
    Row("console: next= pointing off the console", _off_site_next, 303, _back_home),
    Row("console: sixth wrong password, even with the right one", _sixth_wrong_password, 429, _locked_message),
    Row("console: sign-in page cannot be framed", get("/admin/login"), 200, _not_frameable),
]


def _settings(data_dir: Path) -> Settings:
    return Settings(  # type: ignore[call-arg]
        data_dir=data_dir,
        public_base_url=PUBLIC_BASE_URL,
        twilio_auth_token=AUTH_TOKEN,
        dashboard_webhook_secret=SECRET,
    )


@pytest.fixture(scope="module")
def seeded_data(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A migrated database with the business, its number and an operator, made once (migrations and
    password hashing are the slow part); each row gets a copy. Returns (data folder, API token)."""

    async def seed() -> str:
        db = await open_database(_settings(data_dir).database_url)
        try:
            business = await create_business(db, name="Rapid Rooter", owner_phone=OWNER_MOBILE, business_id="biz_rapid")
            await add_number(db, e164=BUSINESS_NUMBER, business_id=business.id)
            operator = await create_operator(db, email=EMAIL, password=PASSWORD)
            return (await create_api_token(db, operator_id=operator.id, name="tests"))[1]
        finally:
            await db.close()

    data_dir = tmp_path_factory.mktemp("seeded") / "data"
    return data_dir, run_async(seed)


@pytest.fixture
async def site(tmp_path: Path, seeded_data: tuple[Path, str]) -> AsyncIterator[Site]:
    seeded_dir, api_token = seeded_data
    shutil.copytree(seeded_dir, tmp_path / "data")
    settings = _settings(tmp_path / "data")
    db = await open_database(settings.database_url)
    app = create_local_app(settings)
    clock = [datetime.now(UTC)]
    app.dependency_overrides[current_time] = lambda: clock[0]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://functions.test") as client:
        body = make_report().model_dump_json().encode()
        headers = _signed(settings, body, path=CALL_COMPLETE_PATH)
        call_id = (await client.post(CALL_COMPLETE_PATH, content=body, headers=headers)).json()["call_id"]
        token = (await create_photo_token(db, call_id=call_id, now=clock[0])).token
        try:
            yield Site(client, settings, db, call_id, token, api_token, clock)
        finally:
            await app.state.edge.close()
            await db.close()


@pytest.mark.parametrize("row", FUNCTIONS_ROWS, ids=[row.name for row in FUNCTIONS_ROWS])
async def test_functions_answer_hostile_input_as_expected(site: Site, row: Row) -> None:
    # GIVEN the functions with a business, a reported call, its photo link and an operator
    # WHEN the hostile request is sent
    response = await row.send(site)
    # THEN it gets the expected answer, and leaves behind only what it may
    assert response.status_code == row.status, response.text[:300]
    if row.then is not None:
        await row.then(site, response)


async def test_a_sent_photo_link_is_not_kept_in_the_outbox(site: Site) -> None:
    # The report in the fixture texted the caller a link: only its hash may remain.
    row = await site.db.fetch_one(
        "SELECT body FROM notifications WHERE call_id = ? AND purpose = 'caller_photo_link'", (site.call_id,)
    )
    assert row is not None
    assert row["body"].endswith("/photo/[redacted]")


# The worker's routes: all but /health and the media socket need the worker's bearer token.
WORKER_ROWS = [
    ("GET", "/events", {}, 401),
    ("GET", "/calls/live", {}, 401),
    ("GET", "/stt/stats", {}, 401),
    ("GET", "/status", {}, 401),
    ("POST", "/chat", {"json": {"messages": [{"role": "user", "content": "hi"}]}}, 401),
    ("POST", "/pipeline", {"content": b"RIFF"}, 401),
    ("POST", "/extract", {"json": {"transcript": []}}, 401),
    ("POST", "/agent/try", {"json": {}}, 401),
    ("GET", "/openapi.json", {}, 404),
    ("GET", "/docs", {}, 404),
]


@pytest.fixture(scope="module")
def worker() -> Iterator[TestClient]:
    settings = Settings(worker_api_token=WORKER_TOKEN)  # type: ignore[call-arg]
    with TestClient(create_app(settings, fake_models(caller_lines=[], replies=[MODEL_REPLY] * 5))) as client:
        yield client


@pytest.mark.parametrize(
    ("method", "path", "body", "status"), WORKER_ROWS, ids=[f"{m} {p}" for m, p, _, _ in WORKER_ROWS]
)
@pytest.mark.parametrize("credential", ["none", "wrong token"])
def test_worker_routes_refuse_callers_without_its_token(
    worker: TestClient, method: str, path: str, body: dict[str, Any], status: int, credential: str
) -> None:
    headers = {} if credential == "none" else bearer_headers("not-" + WORKER_TOKEN)
    response = worker.request(method, path, headers=headers, **body)
    assert response.status_code == status
    assert MODEL_REPLY not in response.text  # no model ran


def test_worker_health_is_public_and_the_token_opens_the_rest(worker: TestClient) -> None:
    assert worker.get("/health").status_code == 200
    assert worker.get("/stt/stats", headers=bearer_headers(WORKER_TOKEN)).status_code == 200
