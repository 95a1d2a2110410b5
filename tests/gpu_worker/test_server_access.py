"""The worker's URL is public: only /health and the media socket are open, everything else wants the
functions' bearer token; /health says what routing needs and nothing more; there is no public schema.

Through the real worker app (create_app with the fake stages)."""

from __future__ import annotations

import asyncio
import io
import json
import wave
from collections.abc import Iterator, MutableMapping, Sequence
from typing import Any

import numpy as np
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import BaseRoute

from gpu_worker.server import create_app
from shared.settings import Settings
from tests.gpu_worker.fake_stages import fake_models

TOKEN = "worker-token-for-tests-0123456789abcdef"
PROTECTED: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", "/status", None),
    ("GET", "/stt/stats", None),
    ("GET", "/calls/live", None),
    ("GET", "/events", None),
    ("POST", "/chat", {"system_prompt": "You answer the phone.", "text": "hello"}),
    ("POST", "/extract", {"transcript": []}),
    ("POST", "/pipeline", None),
]


@pytest.fixture
def worker_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"worker_api_token": TOKEN, "worker_capacity": 3})


@pytest.fixture
def client(worker_settings: Settings) -> Iterator[TestClient]:
    app = create_app(worker_settings, fake_models(caller_lines=[], replies=["Hello there."]))
    with TestClient(app) as test_client:
        yield test_client


def _wav(seconds: float = 0.5) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(16000)
        wav.writeframes((np.sin(np.arange(int(16000 * seconds)) * 0.1) * 8000).astype("<i2").tobytes())
    return buffer.getvalue()


@pytest.mark.parametrize(("method", "path", "body"), PROTECTED)
@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token", f"Basic {TOKEN}", "Bearer "])
def test_given_no_or_a_wrong_token_when_a_protected_route_is_called_then_401_and_nothing_leaks(
    client: TestClient, method: str, path: str, body: dict[str, Any] | None, authorization: str | None
) -> None:
    # GIVEN a request without the worker's token (or with a wrong one)
    headers = {"Authorization": authorization} if authorization else {}
    # WHEN it is sent
    response = client.request(method, path, json=body, headers=headers)
    # THEN it is refused with 401 and the answer says nothing about the worker
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json() == {"detail": "a valid worker token is required"}


def test_given_the_token_when_the_console_routes_are_called_then_they_answer(client: TestClient) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    assert client.get("/calls/live", headers=headers).json() == []
    chat = client.post("/chat", json={"system_prompt": "You answer the phone.", "text": "hi"}, headers=headers)
    assert chat.status_code == 200
    assert chat.json()["reply"] == "Hello there."
    status = client.get("/status", headers=headers).json()
    assert status["ready"] is True
    assert status["report_outbox"]["pending"] == 0
    assert client.get("/stt/stats", headers=headers).json()["model"] == "fake-stt"
    pipeline = client.post("/pipeline", content=_wav(), headers=headers)
    assert pipeline.status_code == 200, pipeline.text


def test_health_says_only_what_routing_needs(client: TestClient) -> None:
    # GIVEN a ready worker WHEN anyone asks /health
    response = client.get("/health")
    # THEN readiness, capacity, calls and model names, and nothing about the process or its calls
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"ready", "worker_id", "active_calls", "capacity", "models"}
    assert body["ready"] is True
    assert body["capacity"] == 3
    assert body["active_calls"] == 0
    assert body["models"]["stt"] == "fake-stt"


def test_the_schema_and_the_docs_pages_are_not_public(client: TestClient) -> None:
    for path in ("/openapi.json", "/docs", "/redoc"):
        assert client.get(path).status_code == 404, path
        assert client.get(path, headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 404, path


async def test_a_pipeline_body_over_the_limit_is_refused_before_it_is_read_whole(worker_settings: Settings) -> None:
    # GIVEN the worker app (lifespan run) and a 30 MB upload arriving in 1 MB chunks, without a length
    app = create_app(worker_settings, fake_models(caller_lines=[]))
    chunks_read = 0
    sent: list[MutableMapping[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal chunks_read
        chunks_read += 1
        return {"type": "http.request", "body": b"\0" * (1 << 20), "more_body": chunks_read < 30}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/pipeline",
        "raw_path": b"/pipeline",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"authorization", f"Bearer {TOKEN}".encode()), (b"content-type", b"audio/wav")],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8001),
    }
    async with app.router.lifespan_context(app):
        # WHEN it is posted to /pipeline
        await asyncio.wait_for(app(scope, receive, send), timeout=30)
    # THEN 413, and the worker stopped reading just past the 10 MB limit
    assert sent[0]["status"] == 413
    assert json.loads(sent[1]["body"])["detail"].startswith("body larger than")
    assert chunks_read == 11


def test_every_route_but_health_and_the_media_socket_wants_the_token(client: TestClient) -> None:
    # GIVEN every HTTP route the worker app serves (routers added later included)
    app = client.app
    assert isinstance(app, FastAPI)
    routes = [route for route in _http_routes(app.routes) if route.path != "/health"]
    assert {"/status", "/chat", "/pipeline"} <= {route.path for route in routes}
    for route in routes:
        path = route.path.replace("{", "").replace("}", "")  # any value for a path parameter
        for method in route.methods or ():
            # WHEN it is called without a token THEN it is refused before doing anything
            response = client.request(method, path)
            assert response.status_code == 401, f"{method} {route.path} is open to anyone"


def _http_routes(routes: Sequence[BaseRoute]) -> Iterator[APIRoute]:
    """Every HTTP route, looking inside included routers (FastAPI wraps them)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from _http_routes(included.routes)
