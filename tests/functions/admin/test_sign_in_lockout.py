"""Sign-in locks through the console served as `buddyhelps serve` serves it (uvicorn, its proxy options)
on a real libSQL server: concurrent guesses, whose address counts, and the operator's way in."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn

from functions.admin import router as admin_router
from functions.edge_app import create_function_app
from functions.proxy_trust import uvicorn_proxy_options
from shared.database import open_database
from shared.repositories.operators import create_operator
from shared.settings import Settings
from tests.conftest import _drop_everything
from tests.functions.admin.conftest import csrf_from
from tests.libsql_server import SqldServer

EMAIL, PASSWORD = "ops@buddyhelps.example", "correct horse battery staple"


@asynccontextmanager
async def serving(settings: Settings) -> AsyncIterator[str]:
    """The console under uvicorn with the options `buddyhelps serve` uses; yields its base URL."""
    listening = socket.create_server(("127.0.0.1", 0))  # bound first: clients wait in the backlog
    config = uvicorn.Config(
        create_function_app(admin_router, settings=settings),
        log_level="warning",
        lifespan="on",
        timeout_graceful_shutdown=1,
        **uvicorn_proxy_options(settings),
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listening]}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listening.getsockname()[1]}"
    finally:
        server.should_exit = True
        await asyncio.to_thread(thread.join, 10)
        listening.close()


@pytest.fixture
async def sqld_settings(libsql_server: SqldServer, tmp_path: Path) -> Settings:
    """Settings on the shared sqld server, emptied, migrated, with one operator."""
    fresh = await open_database(libsql_server.http_url, migrate=False)
    try:
        await _drop_everything(fresh)
    finally:
        await fresh.close()
    settings = Settings(data_dir=tmp_path, turso_database_url=libsql_server.http_url)  # type: ignore[call-arg]
    db = await open_database(settings.database_url)
    try:
        await create_operator(db, email=EMAIL, password=PASSWORD)
    finally:
        await db.close()
    return settings


async def _sign_in(client: httpx.AsyncClient, email: str, password: str, **headers: str) -> httpx.Response:
    form = await client.get("/admin/login")
    return await client.post(
        "/admin/login",
        data={"email": email, "password": password, "csrf_token": csrf_from(form.text)},
        headers=headers,
    )


async def _guesses_at_once(base_url: str, emails: list[str]) -> list[int]:
    async def one(email: str) -> int:
        async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
            return (await _sign_in(client, email, "a wrong guess")).status_code

    return list(await asyncio.gather(*(one(email) for email in emails)))


async def test_thirty_guesses_at_once_for_one_operator_try_only_five(sqld_settings: Settings) -> None:
    # GIVEN the console on sqld WHEN 30 wrong passwords for one operator arrive at once from one address
    async with serving(sqld_settings) as base_url:
        statuses = await _guesses_at_once(base_url, [EMAIL] * 30)
    # THEN five were checked (401) and the rest refused by the lock (429)
    assert sorted(statuses) == [401] * 5 + [429] * 25


async def test_forty_guesses_at_once_from_one_address_try_only_twenty(sqld_settings: Settings) -> None:
    # GIVEN 40 wrong sign-ins for 40 different accounts at once from one address
    async with serving(sqld_settings) as base_url:
        statuses = await _guesses_at_once(base_url, [f"guess{n}@buddyhelps.example" for n in range(40)])
    # THEN twenty were checked and the rest refused
    assert sorted(statuses) == [401] * 20 + [429] * 20


async def test_a_client_cannot_choose_the_address_the_lock_counts(sqld_settings: Settings) -> None:
    # GIVEN `serve` with no trusted proxy, and a client that sends a new X-Forwarded-For each time
    async with serving(sqld_settings) as base_url, httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        statuses = [
            (
                await _sign_in(client, f"guess{n}@buddyhelps.example", "wrong", **{"X-Forwarded-For": f"192.0.2.{n}"})
            ).status_code
            for n in range(21)
        ]
    # THEN every attempt counted against its real address, which is locked after twenty
    assert statuses == [401] * 20 + [429]


async def test_a_guesser_who_knows_the_email_does_not_lock_the_operator_out(sqld_settings: Settings) -> None:
    # GIVEN a deployment behind a trusted proxy (loopback here) that names each client's address
    behind_proxy = sqld_settings.model_copy(update={"trusted_proxy_ips": "127.0.0.1"})
    async with serving(behind_proxy) as base_url, httpx.AsyncClient(base_url=base_url, timeout=30) as attacker:
        # WHEN someone at another address guesses the operator's password until locked
        guesses = [
            (await _sign_in(attacker, EMAIL, f"guess {n}", **{"X-Forwarded-For": "203.0.113.9"})).status_code
            for n in range(6)
        ]
        # THEN the guesser is told the lock and when it ends
        assert guesses == [401] * 5 + [429]
        refused = await _sign_in(attacker, EMAIL, PASSWORD, **{"X-Forwarded-For": "203.0.113.9"})
        assert refused.status_code == 429
        assert "for this account from your address" in refused.text
        assert "UTC" in refused.text
        assert int(refused.headers["retry-after"]) <= 15 * 60
        # AND the operator, from their own address, still gets in and sees the lock in the console
        async with httpx.AsyncClient(base_url=base_url, timeout=30) as operator:
            signed_in = await _sign_in(operator, EMAIL, PASSWORD, **{"X-Forwarded-For": "198.51.100.7"})
            assert signed_in.status_code == 303
            page = await operator.get("/admin/sign-in-locks", headers={"X-Forwarded-For": "198.51.100.7"})
    assert page.status_code == 200
    assert "203.0.113.9" in page.text
    assert EMAIL in page.text
    assert "account from this address" in page.text


@pytest.fixture(autouse=True)
def _no_leftover_threads() -> Iterator[None]:
    before = threading.active_count()
    yield
    assert threading.active_count() <= before + 1  # uvicorn's server thread ended with its test
