"""POST /transcribe through the real worker app (create_app with the fake stages): who may call it and which
recordings it refuses, each with a status that says why. (Real Whisper: tests/functions/voicemail.)"""

from __future__ import annotations

import io
import wave
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from gpu_worker.routes.worker_auth import bearer_headers
from gpu_worker.server import create_app
from shared.settings import Settings
from tests.gpu_worker.fake_stages import fake_models

TOKEN = "worker-token-for-tests-0123456789abcdef"


def wav(seconds: float, *, width: int = 2, rate: int = 8000) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(width)
        out.setframerate(rate)
        out.writeframes(b"\x10" * width * int(seconds * rate))
    return buffer.getvalue()


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    app = create_app(settings.model_copy(update={"worker_api_token": TOKEN}), fake_models(caller_lines=["hello there"]))
    with TestClient(app, headers=bearer_headers(TOKEN)) as test_client:
        yield test_client


def test_a_recording_comes_back_as_words_with_its_language(client: TestClient) -> None:
    response = client.post("/transcribe", content=wav(2.0))
    assert response.status_code == 200
    body = response.json()
    assert (body["text"], body["audio_s"]) == ("hello there", 2.0)
    assert body["language"] in ("en", "es")


@pytest.mark.parametrize(
    ("body", "query", "status", "detail"),
    [
        (wav(301), "", 413, "recording is 301 s long; at most 300 s is transcribed"),
        (wav(1, width=1), "", 415, "WAV must be 16-bit PCM"),
        (b"RIFF not really", "", 400, "not a readable WAV file"),
        (wav(0.05), "", 422, "recording shorter than 100 ms"),
        (wav(1), "?languages=fr", 422, "languages must be among en, es"),
    ],
    ids=["too-long", "8-bit", "not-wav", "too-short", "unknown-language"],
)
def test_recordings_it_cannot_take_are_refused_plainly(
    client: TestClient, body: bytes, query: str, status: int, detail: str
) -> None:
    response = client.post(f"/transcribe{query}", content=body)
    assert response.status_code == status
    assert response.json()["detail"].startswith(detail)


def test_without_the_worker_token_it_is_refused(client: TestClient) -> None:
    response = client.post("/transcribe", content=wav(1), headers={"Authorization": "Bearer wrong"})
    assert response.status_code == 401
