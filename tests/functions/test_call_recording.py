"""A recorded call through the real parts on loopback: the worker app (fake stages) answers a media stream
played at a phone line's pace, uploads the stereo file to the blob folder and reports the call; the
functions app stores it and plays it on the owner's call page and the console's, behind their credentials.

GIVEN a business whose agent records calls, WHEN a caller talks to it, THEN both pages have a player whose
file holds the caller on the left when they spoke and the agent on the right from the first moment (the
announcement), served in ranges from the blob store; without the page's credential nothing is served.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import io
import json
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import numpy as np
import numpy.typing as npt
import pytest
from websockets.asyncio.client import connect

from functions.local_app import create_local_app
from shared.agents.templates import load_template
from shared.database import open_database
from shared.demo_business import DEMO_BUSINESS_ID, seed_demo_business
from shared.repositories import agent_definitions
from shared.repositories.calls import Call, get_call_by_sid
from shared.repositories.operators import create_operator
from shared.settings import Settings, load_settings
from tests.functions.admin.conftest import sign_in
from tests.functions.admin.live_server import LiveServer, run_async
from tests.gpu_worker.fake_stages import SILENCE, SPEECH, fake_models
from tests.gpu_worker.worker_on_loopback import call_parameters, start_frame, worker_on_loopback

CALL_SID = "CA" + "e" * 32
SPEECH_FROM_MS, SPEECH_MS, CALL_MS = 2000, 1000, 5000


@dataclass(frozen=True)
class Site:
    functions_url: str
    worker_url: str
    settings: Settings


async def _seed(settings: Settings, worker_url: str) -> None:
    db = await open_database(settings.database_url)
    try:
        await seed_demo_business(db, worker_url=worker_url, worker_capacity=2)
        definition = load_template("plumbing").model_copy(update={"record_calls": True})
        await agent_definitions.save_definition(db, DEMO_BUSINESS_ID, definition, "tests")
        await create_operator(db, email="ops@buddyhelps.example", password="correct horse battery staple")
    finally:
        await db.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    data_dir: Path = tmp_path_factory.mktemp("recording")
    functions_app_settings = load_settings(BUDDYHELPS_DATA_DIR=data_dir)
    app = create_local_app(functions_app_settings)
    with LiveServer(app) as functions:
        settings = functions_app_settings.model_copy(update={"public_base_url": functions.base_url})
        app.state.edge.settings = settings  # signatures are checked against the served URL
        models = fake_models(caller_lines=["My kitchen sink is leaking."], replies=["Sorry to hear that."])
        with worker_on_loopback(settings, models) as worker_url:
            run_async(lambda: _seed(settings, worker_url))
            yield Site(functions.base_url, worker_url, settings)


async def _play_call(worker_url: str, settings: Settings) -> None:
    """Twilio's side at a phone line's pace: silence, a second of speech, silence; marks echoed; then stop."""
    stream_sid = "MZ" + CALL_SID[2:]
    parameters = call_parameters(settings, CALL_SID, business_id=DEMO_BUSINESS_ID)
    async with connect(worker_url.replace("http://", "ws://") + "/ws/twilio") as ws:
        await ws.send(json.dumps({"event": "connected", "protocol": "Call", "version": "1.0.0"}))
        await ws.send(start_frame(call_sid=CALL_SID, stream_sid=stream_sid, parameters=parameters))

        async def echo_marks() -> None:
            async for raw in ws:
                event = json.loads(raw)
                if event.get("event") == "mark":
                    await ws.send(json.dumps({"event": "mark", "streamSid": stream_sid, "mark": event["mark"]}))

        echo = asyncio.create_task(echo_marks())
        try:
            loop = asyncio.get_running_loop()
            started = loop.time()
            for timestamp in range(0, CALL_MS, 20):
                speaking = SPEECH_FROM_MS <= timestamp < SPEECH_FROM_MS + SPEECH_MS
                payload = base64.b64encode(SPEECH if speaking else SILENCE).decode()
                media = {"track": "inbound", "chunk": str(timestamp // 20 + 1), "timestamp": str(timestamp)}
                await ws.send(
                    json.dumps({"event": "media", "streamSid": stream_sid, "media": {**media, "payload": payload}})
                )
                await asyncio.sleep(max(0.0, started + (timestamp + 20) / 1000 - loop.time()))  # the line's pace
            await ws.send(json.dumps({"event": "stop", "streamSid": stream_sid, "stop": {"callSid": CALL_SID}}))
        finally:
            echo.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await echo


async def _reported_call(settings: Settings) -> Call:
    db = await open_database(settings.database_url)
    try:
        for _ in range(300):  # the report arrives after the upload and the extraction (bounded wait)
            call = await get_call_by_sid(db, CALL_SID)
            if call is not None and call.reported_at:
                return call
            await asyncio.sleep(0.05)
    finally:
        await db.close()
    raise AssertionError("the call was never reported")


async def _fetch_by_ranges(client: httpx.AsyncClient, url: str) -> bytes:
    """What a browser's <audio> does: ask for ranges until the whole file has come."""
    data = b""
    while True:
        response = await client.get(url, headers={"Range": f"bytes={len(data)}-"})
        assert response.status_code == 206, response.text
        assert response.headers["content-type"] == "audio/wav"
        assert response.headers["cache-control"] == "private, no-store"
        data += response.content
        total = int(response.headers["content-range"].rsplit("/", 1)[1])
        if len(data) >= total:
            return data


def _loud_ms(track: npt.NDArray[np.int16]) -> list[int]:
    blocks = len(track) // 160
    loud = np.abs(track[: blocks * 160].reshape(blocks, 160).astype(np.int32)).max(axis=1) > 1000
    return [int(index) * 20 for index in np.flatnonzero(loud)]


async def test_a_recorded_call_plays_on_both_pages_behind_their_credentials(site: Site) -> None:
    # WHEN a caller talks to the recording agent for five seconds and hangs up
    await _play_call(site.worker_url, site.settings)
    call = await _reported_call(site.settings)
    # THEN the call holds its recording (a blob key, never a public URL) and its length
    assert call.recording_key is not None
    assert call.recording_key.startswith("calls/recordings/")
    assert call.recording_ms is not None
    assert abs(call.recording_ms - CALL_MS) <= 100
    assert call.transcript[0]["text"].startswith("This call is recorded.")
    async with httpx.AsyncClient(base_url=site.functions_url, timeout=20) as owner:
        # the owner's page has a player pointing at its own route, and that route streams the file in ranges
        page = await owner.get(f"/c/{call.id}")
        assert f'src="/c/{call.id}/recording"' in page.text
        audio = await _fetch_by_ranges(owner, f"/c/{call.id}/recording")
        # a wrong call id gets nothing
        assert (await owner.get(f"/c/{call.id}x/recording")).status_code == 404
        # the console's route wants an operator's session
        anonymous = await owner.get(f"/admin/calls/{call.id}/recording")
        assert anonymous.status_code in (303, 401)
        assert anonymous.content != audio[: len(anonymous.content)] or not anonymous.content
    async with httpx.AsyncClient(base_url=site.functions_url, timeout=20) as operator:
        await sign_in(operator)
        detail = await operator.get(f"/admin/calls/{call.id}")
        assert f'src="/admin/calls/{call.id}/recording"' in detail.text
        assert await _fetch_by_ranges(operator, f"/admin/calls/{call.id}/recording") == audio
    # and the file is the call: the caller's second of speech on the left when they said it, the agent on
    # the right from the first moment (the announcement), silent while the caller spoke
    with wave.open(io.BytesIO(audio), "rb") as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (2, 2, 8000)
        samples = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
    caller, agent = _loud_ms(samples[0::2]), _loud_ms(samples[1::2])
    assert caller == list(range(SPEECH_FROM_MS, SPEECH_FROM_MS + SPEECH_MS, 20))
    # (it starts when the worker sent it: after `start` it reads the business, while the line runs on)
    opening_ms = len(call.transcript[0]["text"].split()) * 60  # the fake TTS: 60 ms of tone per word
    assert agent[0] < 500
    assert agent[: opening_ms // 20] == list(range(agent[0], agent[0] + opening_ms, 20))
    assert not [ms for ms in agent if SPEECH_FROM_MS <= ms < SPEECH_FROM_MS + SPEECH_MS]
    assert [ms for ms in agent if ms >= SPEECH_FROM_MS + SPEECH_MS]  # the reply
    # the worker kept no copy of it
    assert not list((site.settings.data_dir / "recording-staging").glob("*.wav"))
