"""The real parts a voicemail goes through, on loopback: the functions app (with the voicemail loop of
`buddyhelps serve`), Twilio's Recordings API played by the simulator, and a worker app whose Whisper is the
real base model on CPU (its other stages are fakes: /transcribe uses only speech-to-text)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from buddyhelps.simulator.call_result import CallResult
from buddyhelps.simulator.caller import CallOptions, run_call
from buddyhelps.simulator.caller_voice import PiperCallerVoice
from buddyhelps.simulator.scenario import CallerLine, Scenario
from buddyhelps.simulator.twilio_recordings import RecordingStore, create_recordings_api
from functions.local_app import create_local_app
from functions.voicemail.voicemail_jobs import with_voicemail_loop
from gpu_worker.models.speech_to_text import WhisperSpeechToText
from gpu_worker.models.stages import ModelSet
from gpu_worker.server import create_app
from shared.database import Database
from shared.jobs import job_store
from shared.jobs.job_store import Job
from shared.repositories.businesses import Business
from shared.settings import Settings
from tests.functions.conftest import BUSINESS_NUMBER, CALLER, ServedApp
from tests.gpu_worker.fake_stages import FakeLlm, FakeTts, FakeTurn, FakeVad
from tests.gpu_worker.spoken_audio import model_settings
from tests.s3_server import free_port

WORKER_TOKEN = "worker-token-for-voicemail-tests-0123456789"
VOICE_CACHE = Path("data/caller-voice-cache")


@pytest.fixture(scope="module")
def whisper() -> Iterator[WhisperSpeechToText]:
    stt = WhisperSpeechToText.from_settings(model_settings(STT_MODEL="base"))
    try:
        yield stt
    finally:
        stt.close()


@pytest.fixture
def recordings(settings: Settings) -> RecordingStore:
    return RecordingStore(account_sid=settings.twilio_account_sid, auth_token=settings.twilio_auth_token)


@pytest.fixture
async def recordings_api(recordings: RecordingStore) -> AsyncIterator[ServedApp]:
    served = ServedApp(create_recordings_api(recordings), free_port())
    await served.start()
    recordings.api_base_url = served.base_url
    try:
        yield served
    finally:
        await served.stop()


@pytest.fixture
def worker_port() -> int:
    return free_port()


@pytest.fixture
def vm_settings(settings: Settings, recordings_api: ServedApp, worker_port: int) -> Settings:
    """Twilio's API is the simulator's; the only worker is the one on `worker_port` (not registered, so the
    incoming call finds no worker and takes a voicemail; the job falls back to the default worker URL)."""
    return settings.model_copy(
        update={
            "twilio_api_base_url": recordings_api.base_url,
            "worker_api_token": WORKER_TOKEN,
            "default_worker_url": f"http://127.0.0.1:{worker_port}",
        }
    )


@pytest.fixture
async def whisper_worker(
    vm_settings: Settings, whisper: WhisperSpeechToText, worker_port: int
) -> AsyncIterator[ServedApp]:
    """The worker app with real Whisper base, not started: a test starts it (or leaves it down)."""
    models = ModelSet(stt=whisper, llm=FakeLlm(), tts=FakeTts(), vad=FakeVad(), turn=FakeTurn())
    served = ServedApp(create_app(vm_settings, models), worker_port)
    try:
        yield served
    finally:
        await served.stop()


@pytest.fixture
async def functions(vm_settings: Settings, business: Business) -> AsyncIterator[ServedApp]:
    """The local functions app with the voicemail loop `buddyhelps serve` runs (fast, for tests)."""
    served = ServedApp(with_voicemail_loop(create_local_app(vm_settings), interval_s=0.2), free_port())
    await served.start()
    try:
        yield served
    finally:
        await served.stop()


@dataclass(frozen=True)
class VoicemailCaller:
    settings: Settings
    functions_url: str
    recordings: RecordingStore
    artifacts: Path

    async def leave(self, *lines: str, to_number: str = BUSINESS_NUMBER) -> CallResult:
        scenario = Scenario(name="voicemail", lines=tuple(CallerLine(text=line, pause_before_s=0.3) for line in lines))
        options = CallOptions.from_settings(
            self.settings,
            functions_url=self.functions_url,
            to_number=to_number,
            from_number=CALLER,
            artifacts_dir=self.artifacts,
        )
        voice = PiperCallerVoice(cache_dir=VOICE_CACHE)
        return await run_call(scenario=scenario, options=options, voice=voice, recordings=self.recordings)


@pytest.fixture
def caller(vm_settings: Settings, functions: ServedApp, recordings: RecordingStore, tmp_path: Path) -> VoicemailCaller:
    return VoicemailCaller(vm_settings, functions.base_url, recordings, tmp_path / "calls")


async def job_for_call(db: Database, call_sid: str) -> Job | None:
    row = await db.fetch_one("SELECT id FROM queued_jobs WHERE call_sid = ?", (call_sid,))
    return await job_store.get_job(db, str(row["id"])) if row else None


async def finished_job(db: Database, call_sid: str, *, timeout_s: float = 120.0) -> Job:
    """The call's job once it is done or failed (the loop runs it in the background; bounded wait)."""
    async with asyncio.timeout(timeout_s):
        while True:
            job = await job_for_call(db, call_sid)
            if job is not None and job.status in ("done", "failed"):
                return job
            await asyncio.sleep(0.2)


async def attempted_job(db: Database, call_sid: str, *, timeout_s: float = 30.0) -> Job:
    """The call's job once its first attempt has ended (whatever the outcome; bounded wait)."""
    async with asyncio.timeout(timeout_s):
        while True:
            job = await job_for_call(db, call_sid)
            if job is not None and job.attempts >= 1 and job.status != "running":
                return job
            await asyncio.sleep(0.1)
