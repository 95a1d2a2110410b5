"""One admin console per test module: a libSQL file, a fake Twilio, a fake worker, the real app over HTTP."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import httpx
import pytest

from functions.admin import router as admin_router
from functions.edge_app import create_function_app
from shared.database import Database, open_database
from shared.repositories.operators import create_api_token, create_operator
from shared.settings import Settings
from tests.functions.admin.fake_twilio import FakeTwilioServer
from tests.functions.admin.fake_worker import create_fake_worker
from tests.functions.admin.live_server import LiveServer, run_async

OPERATOR_EMAIL = "ops@buddyhelps.example"
OPERATOR_PASSWORD = "correct horse battery staple"


@dataclass(frozen=True)
class AdminSite:
    base_url: str
    settings: Settings
    twilio: FakeTwilioServer
    worker_url: str
    api_token: str


async def _seed_operator(settings: Settings) -> str:
    db = await open_database(settings.database_url)
    try:
        operator = await create_operator(db, email=OPERATOR_EMAIL, password=OPERATOR_PASSWORD)
        _, secret = await create_api_token(db, operator_id=operator.id, name="tests")
        return secret
    finally:
        await db.close()


@pytest.fixture(scope="module")
def admin_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AdminSite]:
    data_dir = tmp_path_factory.mktemp("admin")
    with FakeTwilioServer() as twilio, LiveServer(create_fake_worker()) as worker:
        settings = Settings(
            data_dir=data_dir,
            twilio_api_base_url=twilio.base_url,
            public_base_url="https://voice.buddyhelps.example",
            default_worker_url=worker.base_url,
        )
        token = run_async(lambda: _seed_operator(settings))
        app = create_function_app(admin_router, settings=settings)
        with LiveServer(app) as server:
            yield AdminSite(server.base_url, settings, twilio, worker.base_url, token)


@pytest.fixture
async def db(admin_site: AdminSite) -> AsyncIterator[Database]:
    database = await open_database(admin_site.settings.database_url)
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture
async def api(admin_site: AdminSite) -> AsyncIterator[httpx.AsyncClient]:
    """An API client authenticated with a Bearer token."""
    headers = {"Authorization": f"Bearer {admin_site.api_token}"}
    async with httpx.AsyncClient(base_url=admin_site.base_url, headers=headers, timeout=10) as client:
        yield client


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


async def sign_in(client: httpx.AsyncClient, email: str = OPERATOR_EMAIL, password: str = OPERATOR_PASSWORD) -> str:
    """Sign in through the real form; returns the session's CSRF token (from the next page)."""
    form_page = await client.get("/admin/login")
    response = await client.post(
        "/admin/login",
        data={"email": email, "password": password, "csrf_token": csrf_from(form_page.text), "next": ""},
    )
    assert response.status_code == 303, response.text
    home = await client.get("/admin/businesses")
    return csrf_from(home.text)


@pytest.fixture
async def console(admin_site: AdminSite) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    """A signed-in browser-like client (cookies) and its CSRF token."""
    async with httpx.AsyncClient(base_url=admin_site.base_url, timeout=10) as client:
        csrf = await sign_in(client)
        yield client, csrf
