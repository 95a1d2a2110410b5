"""Fault injection: the worker process is SIGKILLed mid-call. The simulated caller (playing Twilio, who
asks <Connect action> when the stream drops) must reach the voicemail, and the call keep what was said.

Real processes where it matters: the worker is its own process (the pod's server with fake stages, so
it starts in seconds), killed with a real SIGKILL; the functions are served by uvicorn on loopback.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from buddyhelps.simulator.caller import CallOptions, run_call
from buddyhelps.simulator.scenario import CallerLine, Scenario
from functions.local_app import create_local_app
from functions.twiml import APOLOGY_BUSY
from shared.database import Database, open_database
from shared.demo_business import DEMO_NUMBER, seed_demo_business
from shared.repositories import call_legs, calls
from shared.settings import Settings, load_settings
from tests.buddyhelps.simulator.twilio_peers import ToneVoice
from tests.functions.conftest import ServedApp
from tests.s3_server import free_port

ROOT = Path(__file__).resolve().parents[2]
LINES = tuple(CallerLine(text=f"Line {n} about my leaking pipe.") for n in range(6))


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[tuple[Settings, ServedApp, str]]:
    functions_port, worker_port = free_port(), free_port()
    settings = load_settings(
        BUDDYHELPS_DATA_DIR=tmp_path / "data", PUBLIC_BASE_URL=f"http://127.0.0.1:{functions_port}"
    )
    worker_url = f"http://127.0.0.1:{worker_port}"
    db = await open_database(settings.database_url)
    try:
        await seed_demo_business(db, worker_url=worker_url, worker_capacity=2)
    finally:
        await db.close()
    served = ServedApp(create_local_app(settings), functions_port)
    await served.start()
    try:
        yield settings, served, worker_url
    finally:
        await served.stop()
        await served.app.state.edge.close()


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:]


async def _start_worker(settings: Settings, worker_url: str, log: Path) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "HOST": "127.0.0.1",
        "PORT": worker_url.rsplit(":", 1)[1],
        "BUDDYHELPS_DATA_DIR": str(settings.data_dir),
        "FUNCTIONS_BASE_URL": settings.public_base_url,
    }
    env.pop("BUDDYHELPS_SECRETS_ARN", None)
    with log.open("wb") as out:
        command = [sys.executable, "-m", "tests.gpu_worker.fake_worker_process"]
        process = await asyncio.create_subprocess_exec(*command, cwd=ROOT, env=env, stdout=out, stderr=out)
    async with httpx.AsyncClient(timeout=2) as client, asyncio.timeout(120):
        while True:
            assert process.returncode is None, _tail(log)
            try:
                if (await client.get(worker_url + "/health")).status_code == 200:
                    return process
            except httpx.HTTPError:
                pass  # not listening yet
            await asyncio.sleep(0.1)  # another process's start-up: nothing to await but time


async def _said_so_far(db: Database) -> str:
    """Wait until the worker has saved something of the call (it writes the transcript as it goes)."""
    async with asyncio.timeout(60):
        while True:
            row = await db.fetch_one("SELECT call_sid FROM calls WHERE transcript != '[]' LIMIT 1")
            if row is not None:
                return str(row["call_sid"])
            await asyncio.sleep(0.1)  # the worker process writes the row: nothing to await here


async def test_a_worker_killed_mid_call_sends_the_caller_to_voicemail_and_keeps_the_call(
    stack: tuple[Settings, ServedApp, str], tmp_path: Path
) -> None:
    settings, served, worker_url = stack
    process = await _start_worker(settings, worker_url, tmp_path / "worker.log")
    options = CallOptions.from_settings(
        settings, functions_url=served.base_url, to_number=DEMO_NUMBER, artifacts_dir=tmp_path / "calls"
    )
    scenario = Scenario(name="long", lines=LINES, linger_s=5, max_duration_s=90)
    db = await open_database(settings.database_url)
    try:
        # GIVEN a caller in conversation with the only worker
        call = asyncio.create_task(run_call(scenario=scenario, options=options, voice=ToneVoice()))
        call_sid = await _said_so_far(db)
        # WHEN the worker process is killed outright
        process.send_signal(signal.SIGKILL)
        await process.wait()
        result = await asyncio.wait_for(call, timeout=60)
        # THEN the caller, after the stream dropped, reached the apology and the voicemail
        assert result.outcome == "voicemail", result
        assert result.legs == ("agent_hung_up", "voicemail")
        assert result.detail.startswith(APOLOGY_BUSY)
        # AND the call is on record as a voicemail after a worker failure, with what was said kept
        stored = await calls.get_call_by_sid(db, call_sid)
        assert stored is not None
        assert (stored.voicemail, stored.end_reason) == (True, "worker_failed")
        assert stored.transcript
        assert [leg.outcome for leg in await call_legs.list_legs(db, call_sid)] == ["failed"]
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await db.close()
