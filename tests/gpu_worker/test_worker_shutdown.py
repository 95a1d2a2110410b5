"""A worker process exits within seconds of SIGTERM, whatever it was doing, and keeps the reports it could
not deliver in its outbox for the next start (a real process, a real signal)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest

from shared.database import open_database
from shared.demo_business import DEMO_BUSINESS_ID, seed_demo_business
from shared.settings import Settings, load_settings
from tests.gpu_worker.worker_on_loopback import call_parameters, free_port, twilio_stream

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "worker-token-for-tests-0123456789abcdef"
CALL_SID = "CA" + "d" * 32
EXIT_WITHIN_S = 10.0


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:]


@asynccontextmanager
async def _worker_process(
    command: Callable[[int], Sequence[str]], data_dir: Path, log: Path
) -> AsyncIterator[tuple[str, asyncio.subprocess.Process]]:
    """Start the worker (`command` for a port) with unreachable functions; yields its URL once it is ready."""
    port = free_port()
    env = {
        **os.environ,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "BUDDYHELPS_DATA_DIR": str(data_dir),
        "WORKER_API_TOKEN": TOKEN,
        "FUNCTIONS_BASE_URL": "http://127.0.0.1:9",  # nothing listens there
    }
    env.pop("BUDDYHELPS_SECRETS_ARN", None)
    with log.open("wb") as out:
        process = await asyncio.create_subprocess_exec(*command(port), cwd=ROOT, env=env, stdout=out, stderr=out)
    url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(timeout=2) as client:
            for _ in range(6000):  # the real models: loading and synthesizing every fixed line takes minutes
                assert process.returncode is None, _tail(log)
                try:
                    if (await client.get(url + "/health")).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass  # not listening yet
                await asyncio.sleep(0.1)  # another process's start-up: nothing to await but time
            else:
                raise AssertionError("the worker never became ready:\n" + _tail(log))
        yield url, process
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def _prepare(tmp_path: Path) -> tuple[Settings, Path]:
    """A data folder with the demo business and an undelivered report in the worker's outbox."""
    data_dir = tmp_path / "data"
    pending = data_dir / "worker-outbox" / "pending"
    pending.mkdir(parents=True)
    (pending / "CAearlier.json").write_text(json.dumps({"call_sid": "CAearlier"}))
    settings = load_settings(BUDDYHELPS_DATA_DIR=data_dir, WORKER_API_TOKEN=TOKEN)
    db = await open_database(settings.database_url)
    try:
        await seed_demo_business(db, worker_url="http://127.0.0.1:8001", worker_capacity=4)
    finally:
        await db.close()
    return settings, pending


async def _stop_while_busy(url: str, process: asyncio.subprocess.Process, settings: Settings, log: Path) -> float:
    """With a console following /events and a call in progress, SIGTERM; returns how long the exit took."""
    headers = {"Authorization": f"Bearer {TOKEN}"}
    params = call_parameters(settings, CALL_SID, business_id=DEMO_BUSINESS_ID)
    async with (
        httpx.AsyncClient(base_url=url, headers=headers, timeout=httpx.Timeout(5, read=None)) as console,
        console.stream("GET", "/events") as events,
        twilio_stream(url, call_sid=CALL_SID, parameters=params) as call,
    ):
        assert events.status_code == 200
        await asyncio.wait_for(call.heard_audio.wait(), timeout=60)
        stopped_at = time.monotonic()
        process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), timeout=EXIT_WITHIN_S)
        except TimeoutError:
            raise AssertionError(f"still running {EXIT_WITHIN_S:.0f} s after SIGTERM:\n{_tail(log)}") from None
        return time.monotonic() - stopped_at


async def test_sigterm_stops_a_busy_worker_within_seconds_and_keeps_undelivered_reports(tmp_path: Path) -> None:
    # GIVEN the pod's worker server (fake stages) whose functions are unreachable, a report in its outbox
    settings, pending = await _prepare(tmp_path)
    log = tmp_path / "worker.log"
    async with _worker_process(
        lambda port: [sys.executable, "-m", "tests.gpu_worker.fake_worker_process"], settings.data_dir, log
    ) as (url, process):
        # WHEN it gets SIGTERM while a console follows its events and a call is in progress
        took = await _stop_while_busy(url, process, settings, log)
    # THEN it has exited within seconds, the earlier report is still in the outbox, and so is the report of
    # the call the stop cut short
    assert process.returncode in (0, -signal.SIGTERM), _tail(log)
    assert took < EXIT_WITHIN_S
    assert (pending / "CAearlier.json").exists()
    assert (pending / f"{CALL_SID}.json").exists(), _tail(log)


@pytest.mark.slow
@pytest.mark.timeout(1800)  # start-up synthesizes every fixed line with the real TTS: minutes on a busy CPU
async def test_sigterm_stops_buddyhelps_serve_only_worker_with_the_real_models(tmp_path: Path) -> None:
    models_dir = ROOT / ".models"
    if not (models_dir / "smart-turn").is_dir():
        pytest.skip(f"{models_dir} is not prepared (make models)")
    # GIVEN `buddyhelps serve --only worker` with the real CPU models and a report it cannot deliver
    settings, pending = await _prepare(tmp_path)
    log = tmp_path / "worker.log"
    serve = [sys.executable, "-m", "buddyhelps.cli", "serve", "--only", "worker"]
    async with _worker_process(lambda port: [*serve, "--worker-port", str(port)], settings.data_dir, log) as (
        url,
        process,
    ):
        # WHEN it gets SIGTERM while busy
        took = await _stop_while_busy(url, process, settings, log)
    # THEN it is gone within seconds and the reports wait in its outbox
    assert took < EXIT_WITHIN_S, _tail(log)
    assert (pending / "CAearlier.json").exists()
    assert (pending / f"{CALL_SID}.json").exists(), _tail(log)
