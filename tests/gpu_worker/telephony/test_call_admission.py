"""Which media streams become calls, through the real worker under uvicorn on loopback and real WebSockets.

Anonymous sockets never count against capacity, the sockets waiting for `start` are bounded, a worker
that is full refuses a call before any audio, and one stream token (one call sid) gets one stream."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect

from gpu_worker.telephony.call_admission import MAX_WAITING_SOCKETS
from shared.database import Database
from shared.demo_business import DEMO_BUSINESS_ID, seed_demo_business
from shared.settings import Settings
from shared.signatures import issue_stream_token
from tests.gpu_worker.fake_stages import fake_models
from tests.gpu_worker.worker_on_loopback import call_parameters, start_frame, twilio_stream, worker_on_loopback

TOKEN = "worker-token-for-tests-0123456789abcdef"
CALL_A = "CA" + "a" * 32
CALL_B = "CA" + "b" * 32


@pytest.fixture
def capacity() -> int:
    return 2


@pytest.fixture
async def worker(settings: Settings, db: Database, capacity: int) -> AsyncIterator[tuple[str, Settings]]:
    await seed_demo_business(db, worker_url="http://127.0.0.1:8001", worker_capacity=capacity)
    worker_settings = settings.model_copy(update={"worker_api_token": TOKEN, "worker_capacity": capacity})
    with _serving(worker_settings) as url:
        yield url, worker_settings


@contextlib.contextmanager
def _serving(worker_settings: Settings) -> Iterator[str]:
    with worker_on_loopback(worker_settings, fake_models(caller_lines=[])) as url:
        yield url


async def _health(url: str) -> dict[str, Any]:
    async with httpx.AsyncClient() as client:
        body: dict[str, Any] = (await client.get(url + "/health")).json()
        return body


async def _status(url: str) -> dict[str, Any]:
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {TOKEN}"}) as client:
        body: dict[str, Any] = (await client.get(url + "/status")).json()
        return body


@contextlib.asynccontextmanager
async def _idle_sockets(url: str, count: int) -> AsyncIterator[list[ClientConnection]]:
    """Sockets that say `connected` and then nothing, as a flood would."""
    async with contextlib.AsyncExitStack() as stack:
        sockets = []
        for _ in range(count):
            ws = await stack.enter_async_context(connect(url.replace("http://", "ws://") + "/ws/twilio"))
            await ws.send(json.dumps({"event": "connected", "protocol": "Call", "version": "1.0.0"}))
            sockets.append(ws)
        yield sockets


async def _wait_waiting(url: str, count: int) -> dict[str, Any]:
    """Until the worker has seen every idle socket (bounded): they are accepted asynchronously."""
    for _ in range(200):
        status = await _status(url)
        if status["sockets"]["waiting_for_start"] >= count:
            return status
        await asyncio.sleep(0.02)
    raise AssertionError(f"the worker never saw {count} waiting sockets: {status['sockets']}")


async def test_idle_sockets_do_not_use_up_capacity_and_a_real_call_is_answered(
    worker: tuple[str, Settings],
) -> None:
    url, worker_settings = worker
    # GIVEN six anonymous sockets that only said `connected`, on a worker of capacity 2
    async with _idle_sockets(url, 6):
        await _wait_waiting(url, 6)
        # THEN /health still reports no call, so the functions keep sending calls here
        health = await _health(url)
        assert (health["active_calls"], health["capacity"]) == (0, 2)
        # WHEN a correctly signed call arrives THEN it is answered with the greeting and counted
        params = call_parameters(worker_settings, CALL_A, business_id=DEMO_BUSINESS_ID)
        async with twilio_stream(url, call_sid=CALL_A, parameters=params) as call:
            await asyncio.wait_for(call.heard_audio.wait(), timeout=10)
            assert (await _health(url))["active_calls"] == 1


async def test_a_socket_flood_is_bounded_and_real_calls_still_get_through(worker: tuple[str, Settings]) -> None:
    url, worker_settings = worker
    flood = MAX_WAITING_SOCKETS + 8
    # GIVEN more idle sockets than the worker lets wait for `start`
    async with _idle_sockets(url, flood) as sockets:
        # THEN the ones that waited longest are closed at once (policy violation), the rest keep waiting
        await asyncio.wait_for(sockets[0].wait_closed(), timeout=4)  # well before the 5 s start timeout
        assert sockets[0].close_code == 1008
        status = await _wait_waiting(url, MAX_WAITING_SOCKETS)
        assert status["sockets"]["waiting_for_start"] == MAX_WAITING_SOCKETS
        assert status["sockets"]["evicted"] >= 8
        assert (await _health(url))["active_calls"] == 0
        # AND a real call placed during the flood is answered
        params = call_parameters(worker_settings, CALL_A, business_id=DEMO_BUSINESS_ID)
        async with twilio_stream(url, call_sid=CALL_A, parameters=params) as call:
            await asyncio.wait_for(call.heard_audio.wait(), timeout=10)


@pytest.mark.parametrize("capacity", [1])
async def test_a_full_worker_closes_the_stream_before_any_audio(worker: tuple[str, Settings]) -> None:
    url, worker_settings = worker
    # GIVEN a worker of capacity 1 with a call in progress
    params_a = call_parameters(worker_settings, CALL_A, business_id=DEMO_BUSINESS_ID)
    async with twilio_stream(url, call_sid=CALL_A, parameters=params_a) as first:
        await asyncio.wait_for(first.heard_audio.wait(), timeout=10)
        # WHEN a second, correctly signed call arrives
        params_b = call_parameters(worker_settings, CALL_B, business_id=DEMO_BUSINESS_ID)
        async with twilio_stream(url, call_sid=CALL_B, parameters=params_b) as second:
            # THEN its stream is closed (try again later) without a frame of audio: Twilio follows <Connect action>
            assert await second.closed() == 1013
            assert second.events("media") == []
        # AND the first call goes on, and the worker still counts one call
        assert first.close_code is None
        assert (await _health(url))["active_calls"] == 1


async def test_a_second_start_on_the_same_socket_ends_the_stream(worker: tuple[str, Settings]) -> None:
    url, worker_settings = worker
    params = call_parameters(worker_settings, CALL_A, business_id=DEMO_BUSINESS_ID)
    async with twilio_stream(url, call_sid=CALL_A, parameters=params) as call:
        await asyncio.wait_for(call.heard_audio.wait(), timeout=10)
        # WHEN the same socket sends another `start` (another call's, validly signed)
        other = call_parameters(worker_settings, CALL_B, business_id=DEMO_BUSINESS_ID)
        await call.socket.send(start_frame(call_sid=CALL_B, stream_sid=call.stream_sid, parameters=other))
        # THEN the worker closes the stream as a policy violation
        assert await call.closed() == 1008
    assert (await _health(url))["active_calls"] == 0


async def test_one_stream_token_and_one_call_sid_give_one_stream(worker: tuple[str, Settings]) -> None:
    url, worker_settings = worker
    token = issue_stream_token(secret=worker_settings.dashboard_webhook_secret, call_sid=CALL_A)
    params = call_parameters(worker_settings, CALL_A, business_id=DEMO_BUSINESS_ID, token=token)
    async with twilio_stream(url, call_sid=CALL_A, parameters=params) as call:
        await asyncio.wait_for(call.heard_audio.wait(), timeout=10)
        # WHEN another socket starts the same call sid while it is live (with a new token, a second later)
        fresh = issue_stream_token(
            secret=worker_settings.dashboard_webhook_secret, call_sid=CALL_A, now=time.time() + 1
        )
        twin_params = call_parameters(worker_settings, CALL_A, business_id=DEMO_BUSINESS_ID, token=fresh)
        async with twilio_stream(url, call_sid=CALL_A, parameters=twin_params) as twin:
            # THEN it is refused before any audio
            assert await twin.closed() == 1008
            assert twin.events("media") == []
    # WHEN the first stream's token is replayed after the call ended
    async with twilio_stream(url, call_sid=CALL_A, parameters=params) as replay:
        # THEN it is refused too
        assert await replay.closed() == 1008
        assert replay.events("media") == []
