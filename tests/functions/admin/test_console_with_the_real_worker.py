"""The console and the worker pool against the real worker app (fake stages) now that the worker wants a
bearer token: the live view, its event relay and "try it" send the token; a console with the wrong
token gets nothing from the worker; the pool's health checks still route calls there."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from functions import worker_pool
from functions.admin import router as admin_router
from functions.edge_app import create_function_app
from shared.database import open_database
from shared.demo_business import DEMO_BUSINESS_ID, seed_demo_business
from shared.repositories.operators import create_api_token, create_operator
from shared.settings import Settings, load_settings
from tests.functions.admin.conftest import OPERATOR_EMAIL, OPERATOR_PASSWORD, sign_in
from tests.functions.admin.live_server import LiveServer, run_async
from tests.gpu_worker.fake_stages import fake_models
from tests.gpu_worker.worker_on_loopback import call_parameters, twilio_stream, worker_on_loopback

TOKEN = "worker-token-for-tests-0123456789abcdef"
CALL_SID = "CA" + "c" * 32


@dataclass(frozen=True)
class Site:
    console_url: str
    worker_url: str
    settings: Settings
    api_token: str


async def _seed(settings: Settings, worker_url: str) -> str:
    db = await open_database(settings.database_url)
    try:
        await seed_demo_business(db, worker_url=worker_url, worker_capacity=2)
        operator = await create_operator(db, email=OPERATOR_EMAIL, password=OPERATOR_PASSWORD)
        _, secret = await create_api_token(db, operator_id=operator.id, name="tests")
        return secret
    finally:
        await db.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    data_dir: Path = tmp_path_factory.mktemp("console-worker")
    worker_settings = load_settings(BUDDYHELPS_DATA_DIR=data_dir, WORKER_API_TOKEN=TOKEN, WORKER_CAPACITY=2)
    with worker_on_loopback(worker_settings, fake_models(caller_lines=[], replies=["We can help."])) as worker_url:
        settings = worker_settings.model_copy(
            update={"default_worker_url": worker_url, "public_base_url": "https://voice.buddyhelps.example"}
        )
        api_token = run_async(lambda: _seed(settings, worker_url))
        with LiveServer(create_function_app(admin_router, settings=settings)) as console:
            yield Site(console.base_url, worker_url, settings, api_token)


@pytest.fixture
async def api(site: Site) -> AsyncIterator[httpx.AsyncClient]:
    headers = {"Authorization": f"Bearer {site.api_token}"}
    async with httpx.AsyncClient(base_url=site.console_url, headers=headers, timeout=20) as client:
        yield client


async def _events(response: httpx.Response) -> AsyncIterator[dict[str, Any]]:
    async for line in response.aiter_lines():
        if line.startswith("data:"):
            yield json.loads(line.removeprefix("data:"))


async def test_the_live_view_follows_a_real_call_through_the_token(site: Site, api: httpx.AsyncClient) -> None:
    async with httpx.AsyncClient(base_url=site.console_url, timeout=20) as browser:
        await sign_in(browser)
        # GIVEN a signed-in operator's live event stream, relayed from the worker with the token
        async with browser.stream("GET", "/admin/live/events") as response:
            events = _events(response)
            assert (await anext(events))["type"] == "worker_connected"
            # WHEN a real call starts on the worker
            params = call_parameters(site.settings, CALL_SID, business_id=DEMO_BUSINESS_ID)
            async with twilio_stream(site.worker_url, call_sid=CALL_SID, parameters=params) as call:
                await asyncio.wait_for(call.heard_audio.wait(), timeout=10)
                # THEN the console hears it start, and its snapshot lists it
                started = await asyncio.wait_for(anext(events), timeout=10)
                assert (started["type"], started["call_sid"]) == ("call_started", CALL_SID)
                assert started["worker"] == site.worker_url
                snapshot = (await api.get("/admin/api/live")).json()
                assert [live["call_sid"] for live in snapshot["calls"]] == [CALL_SID]
                assert snapshot["unreachable"] == []


async def test_try_it_answers_through_the_worker(api: httpx.AsyncClient) -> None:
    base = f"/admin/api/businesses/{DEMO_BUSINESS_ID}/prompts"
    reply = await api.post(f"{base}/try", json={"mode": "live", "text": "My sink is clogged"})
    assert reply.status_code == 200, reply.text
    assert reply.json()["reply"] == "We can help."


async def test_a_console_with_the_wrong_token_gets_nothing_from_the_worker(site: Site) -> None:
    # GIVEN a console configured with another token
    wrong = site.settings.model_copy(update={"worker_api_token": "another-token-0123456789abcdef-xyz"})
    with LiveServer(create_function_app(admin_router, settings=wrong)) as console:
        headers = {"Authorization": f"Bearer {site.api_token}"}
        async with httpx.AsyncClient(base_url=console.base_url, headers=headers, timeout=20) as client:
            # WHEN it asks for the live calls THEN the worker is reported unreachable, with no call data
            snapshot = (await client.get("/admin/api/live")).json()
    assert snapshot["calls"] == []
    assert len(snapshot["unreachable"]) == 1
    assert "HTTPStatusError" in snapshot["unreachable"][0]


async def test_the_pool_still_routes_calls_to_the_worker(site: Site) -> None:
    # GIVEN the worker registered in the pool (its /health is public)
    db = await open_database(site.settings.database_url)
    try:
        # WHEN the functions pick a worker for a new call
        chosen = await worker_pool.pick_worker(db, preferred_id=None, ttl_s=0)
    finally:
        await db.close()
    # THEN it is this worker
    assert chosen is not None
    assert chosen.base_url == site.worker_url
