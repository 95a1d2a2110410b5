"""The real thing on loopback: functions + worker with the CPU models, called by the caller simulator.

GIVEN the seeded demo business and `buddyhelps serve` running with the real models, WHEN the
simulator plays the plumbing-emergency scenario exactly as Twilio would — while another socket throws
junk at the worker — THEN the agent answers about the problem, the call record holds the caller's
name and problem, the report reaches the functions, and the junk never disturbs the call.
"""

from __future__ import annotations

import asyncio
import json
import re
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from buddyhelps.local_stack import LocalStack
from buddyhelps.simulator.agent_transcriber import AgentTranscriber
from buddyhelps.simulator.caller import CallOptions, run_call
from buddyhelps.simulator.caller_voice import PiperCallerVoice
from buddyhelps.simulator.scenario import load_scenario
from gpu_worker.models.model_files import ModelFilesMissing, model_path
from shared.database import Database, open_database
from shared.demo_business import seed_demo_business
from shared.repositories import calls
from shared.settings import Settings, load_settings

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def stack_settings(tmp_path: Path) -> Settings:
    functions_port, worker_port = _free_port(), _free_port()
    return load_settings(
        BUDDYHELPS_DATA_DIR=tmp_path / "data",
        PUBLIC_BASE_URL=f"http://127.0.0.1:{functions_port}",
        DEFAULT_WORKER_URL=f"http://127.0.0.1:{worker_port}",
    )


@pytest.fixture
async def running_stack(stack_settings: Settings) -> AsyncIterator[LocalStack]:
    try:
        model_path(stack_settings, "whisper-base")
    except ModelFilesMissing as error:
        pytest.skip(f"models not prepared: {error}")
    db = await open_database(stack_settings.database_url)
    try:
        await seed_demo_business(db, worker_url=stack_settings.default_worker_url, worker_capacity=4)
    finally:
        await db.close()
    functions_port = int(stack_settings.public_base_url.rsplit(":", 1)[1])
    worker_port = int(stack_settings.default_worker_url.rsplit(":", 1)[1])
    env = {
        "BUDDYHELPS_DATA_DIR": str(stack_settings.data_dir),
        "PUBLIC_BASE_URL": stack_settings.public_base_url,
        "DEFAULT_WORKER_URL": stack_settings.default_worker_url,
    }
    async with LocalStack(
        functions_port=functions_port, worker_port=worker_port, env=env, log_path=Path("artifacts/e2e-stack.log")
    ) as stack:
        await stack.wait_ready(timeout_s=600.0)  # the agent's fixed lines too: the call hears the steady state
        yield stack


async def _hostile_socket(worker_url: str) -> list[str]:
    """Junk a real attacker could send; returns how the worker answered each attempt."""
    url = worker_url.replace("http://", "ws://") + "/ws/twilio"
    outcomes: list[str] = []
    async with connect(url) as junk:
        for frame in (
            "not json",
            b"\x00\x01\x02",
            json.dumps({"event": "bogus"}),
            "x" * 1_000_000,
            json.dumps({"event": "media", "streamSid": "MZ1", "media": {"payload": "@@"}}),
        ):
            await junk.send(frame)
        forged = {
            "event": "start",
            "streamSid": "MZ" + "9" * 32,
            "start": {
                "streamSid": "MZ" + "9" * 32,
                "accountSid": "AC" + "0" * 32,
                "callSid": "CA" + "9" * 32,
                "tracks": ["inbound"],
                "customParameters": {"token": "forged.token", "business_id": "biz_demo_plumbing"},
                "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
            },
        }
        await junk.send(json.dumps(forged))
        try:
            await asyncio.wait_for(junk.recv(), timeout=10)
            outcomes.append("answered")
        except ConnectionClosed as closed:
            outcomes.append(f"closed {closed.rcvd.code if closed.rcvd else None}")
    return outcomes


async def test_an_emergency_call_end_to_end_with_the_real_models(
    running_stack: LocalStack, stack_settings: Settings
) -> None:
    # GIVEN the simulator with the caller's Piper voice and a Whisper transcriber for the agent's side
    options = CallOptions.from_settings(
        stack_settings, functions_url=running_stack.functions_url, artifacts_dir=Path("artifacts/e2e-calls")
    )
    voice = PiperCallerVoice(cache_dir=Path("data/caller-voice-cache"))
    transcriber = AgentTranscriber(model_dir=stack_settings.models_dir / "whisper-base")
    # WHEN the emergency call runs while a hostile socket attacks the same worker
    result, hostile = await asyncio.gather(
        run_call(scenario=load_scenario("plumbing-emergency"), options=options, voice=voice, transcriber=transcriber),
        _hostile_socket(running_stack.worker_url),
    )
    # THEN the forged stream was refused, and the real call went through
    assert hostile == ["closed 1008"]
    assert not result.failed, result.detail
    assert result.greeting_ms is not None
    agent_speech = " ".join(t.text.lower() for t in result.turns if t.speaker == "agent" and t.reply_to)
    assert any(word in agent_speech for word in ("water", "pipe", "valve", "flood", "leak", "plumber", "name")), (
        agent_speech
    )
    # AND the call record holds the caller's name and problem, and the report arrived with an extraction
    db = await open_database(stack_settings.database_url)
    try:
        call = await _reported_call(db, result.call_sid)
    finally:
        await db.close()
    caller_text = " ".join(e["text"] for e in call.transcript if e["speaker"] == "caller").lower()
    # Whisper base may spell the name Maria, Mariah or Marie: the caller's name, not its spelling, is the point
    name = re.compile(r"\b(mari(a|ah|e)\b|lopez)")
    assert name.search(caller_text), caller_text
    assert "pipe" in caller_text or "burst" in caller_text
    assert call.reported_at is not None
    assert call.extraction is not None
    assert name.search(call.extraction["customer_name"].lower()), call.extraction


async def _reported_call(db: Database, call_sid: str) -> calls.Call:
    for _ in range(120):  # the report is delivered by the worker's outbox in another process
        call = await calls.get_call_by_sid(db, call_sid)
        if call is not None and call.reported_at:
            return call
        await asyncio.sleep(0.5)
    call = await calls.get_call_by_sid(db, call_sid)
    assert call is not None, "the call was never recorded"
    return call
