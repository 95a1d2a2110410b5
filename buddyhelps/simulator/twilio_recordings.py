"""Twilio's Recordings, simulated: what <Record> keeps and the REST API serves back.

A recording's URL is Twilio's: `{api}/2010-04-01/Accounts/{AccountSid}/Recordings/{RecordingSid}`
(RecordingUrl in the callbacks, no extension). `GET` it (or with `.wav`) for the audio as Twilio gives it,
a WAV of 8 kHz 16-bit PCM mono; `.json` for the resource; `.mp3` is not simulated (415). Like Twilio with
"HTTP basic authentication for media" on, every request needs the account's SID and auth token.
"""

from __future__ import annotations

import base64
import hmac
import io
import wave
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime

import numpy as np
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response

from buddyhelps.simulator.twilio_webhooks import API_VERSION, new_sid
from gpu_worker.telephony.audio_codec import TELEPHONE_RATE, mulaw_to_float


@dataclass(frozen=True, kw_only=True)
class StoredRecording:
    sid: str
    account_sid: str
    call_sid: str
    wav: bytes
    duration_s: int  # whole seconds, as Twilio reports RecordingDuration
    started_at: datetime


def wav_from_mulaw(mulaw: bytes) -> bytes:
    """8 kHz mu-law (what the caller's line carries) as the WAV Twilio serves: 16-bit PCM, mono."""
    samples = np.clip(mulaw_to_float(mulaw), -1.0, 1.0)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(TELEPHONE_RATE)
        wav.writeframes((samples * 32767).astype("<i2").tobytes())
    return buffer.getvalue()


@dataclass
class RecordingStore:
    """The recordings of one simulated account, and the API base URL their RecordingUrls point at."""

    account_sid: str
    auth_token: str
    api_base_url: str = ""  # set once the API serving them listens
    recordings: dict[str, StoredRecording] = field(default_factory=dict)
    fetches: list[str] = field(default_factory=list)  # paths fetched, for tests

    def keep(self, *, call_sid: str, wav: bytes, duration_s: int) -> StoredRecording:
        recording = StoredRecording(
            sid=new_sid("RE"),
            account_sid=self.account_sid,
            call_sid=call_sid,
            wav=wav,
            duration_s=duration_s,
            started_at=datetime.now(UTC),
        )
        self.recordings[recording.sid] = recording
        return recording

    def url_of(self, recording: StoredRecording) -> str:
        if not self.api_base_url:
            raise RuntimeError("the recordings API is not serving yet: set api_base_url")
        return (
            f"{self.api_base_url.rstrip('/')}/{API_VERSION}/Accounts/{recording.account_sid}/Recordings/{recording.sid}"
        )

    def resource(self, recording: StoredRecording) -> dict[str, object]:
        uri = f"/{API_VERSION}/Accounts/{recording.account_sid}/Recordings/{recording.sid}.json"
        return {
            "sid": recording.sid,
            "account_sid": recording.account_sid,
            "call_sid": recording.call_sid,
            "status": "completed",
            "channels": 1,
            "source": "RecordVerb",
            "duration": str(recording.duration_s),
            "start_time": format_datetime(recording.started_at),
            "uri": uri,
        }


def _error(status: int, code: int, message: str) -> JSONResponse:
    return JSONResponse(status_code=status, content={"code": code, "message": message, "status": status})


def recordings_router(store: RecordingStore) -> APIRouter:
    router = APIRouter(prefix=f"/{API_VERSION}/Accounts/{{account_sid}}")

    @router.get("/Recordings/{name}")
    async def recording(account_sid: str, name: str, request: Request) -> Response:
        expected = "Basic " + base64.b64encode(f"{store.account_sid}:{store.auth_token}".encode()).decode()
        given = request.headers.get("authorization", "")
        if account_sid != store.account_sid or not hmac.compare_digest(given, expected):
            return _error(401, 20003, "Authenticate")
        store.fetches.append(request.url.path)
        sid, _, extension = name.partition(".")
        found = store.recordings.get(sid)
        if found is None:
            return _error(404, 20404, f"The requested resource /Recordings/{name} was not found")
        if extension == "json":
            return JSONResponse(store.resource(found))
        if extension not in ("", "wav"):
            return _error(415, 20415, f"the simulator serves recordings as WAV only, not .{extension}")
        return Response(found.wav, media_type="audio/x-wav")

    return router


def create_recordings_api(store: RecordingStore) -> FastAPI:
    app = FastAPI(title="Simulated Twilio Recordings", docs_url=None, redoc_url=None, openapi_url=None)
    app.include_router(recordings_router(store))
    return app
