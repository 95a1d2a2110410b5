"""Fixtures for the after-the-call functions: the local functions app, a seeded business, signed
requests, the provider fake (Twilio + Resend on loopback), and a uvicorn server on a loopback port."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from functions.local_app import create_local_app
from shared.call_report import CallReport, Extraction, TranscriptEntry
from shared.database import Database
from shared.repositories.businesses import Business, create_business
from shared.repositories.phone_numbers import add_number
from shared.settings import Settings
from shared.signatures import sign_report
from tests.provider_fake import ProviderFake, running_provider_fake
from tests.s3_server import free_port

BUSINESS_NUMBER = "+15550100000"
OWNER_PHONE = "+15550109999"
OWNER_EMAIL = "owner@plumbing.example"
CALLER = "+15555550123"


@pytest.fixture
async def business(db: Database) -> Business:
    created = await create_business(
        db,
        name="Rapid Rooter Plumbing",
        owner_phone=OWNER_PHONE,
        owner_email=OWNER_EMAIL,
        timezone="America/Chicago",
        business_id="biz_rapid",
    )
    await add_number(db, e164=BUSINESS_NUMBER, business_id=created.id)
    return created


def make_report(call_sid: str = "CA" + "1" * 32, **changes: Any) -> CallReport:
    ended = datetime.now(UTC)
    fields: dict[str, Any] = {
        "call_sid": call_sid,
        "business_id": "biz_rapid",
        "from_number": CALLER,
        "to_number": BUSINESS_NUMBER,
        "started_at": (ended - timedelta(minutes=2)).isoformat().replace("+00:00", "Z"),
        "ended_at": ended.isoformat().replace("+00:00", "Z"),
        "end_reason": "agent_completed",
        "transcript": [
            TranscriptEntry(speaker="agent", text="Rapid Rooter, how can I help?", start_ms=0, end_ms=1800),
            TranscriptEntry(
                speaker="caller",
                text="Hi, this is Maria Lopez, a pipe burst under my kitchen sink and water is everywhere.",
                start_ms=2000,
                end_ms=6500,
            ),
        ],
        "extraction": Extraction(
            customer_name="Maria Lopez",
            problem="Burst pipe under the kitchen sink, water everywhere",
            urgency="emergency",
            location="12 Oak Street",
            callback_phone=CALLER,
            notes="",
        ),
        "extraction_status": "ok",
        "dtmf": "",
    }
    fields.update(changes)
    return CallReport(**fields)


def signed_headers(
    settings: Settings, body: bytes, *, timestamp: int | None = None, path: str = "/api/call-complete"
) -> dict[str, str]:
    sent_at = int(time.time()) if timestamp is None else timestamp
    secret = settings.dashboard_webhook_secret
    return {
        "Content-Type": "application/json",
        "X-BuddyHelps-Timestamp": str(sent_at),
        "X-BuddyHelps-Signature": sign_report(secret=secret, timestamp=sent_at, method="POST", path=path, body=body),
    }


async def post_report(client: httpx.AsyncClient, settings: Settings, report: CallReport) -> httpx.Response:
    body = report.model_dump_json().encode()
    return await client.post("/api/call-complete", content=body, headers=signed_headers(settings, body))


async def post_signed_json(
    client: httpx.AsyncClient, settings: Settings, path: str, payload: dict[str, Any]
) -> httpx.Response:
    body = json.dumps(payload).encode()
    return await client.post(path, content=body, headers=signed_headers(settings, body, path=path))


@pytest.fixture
def provider() -> Iterator[ProviderFake]:
    with running_provider_fake() as fake:
        yield fake


@pytest.fixture
def live_settings(settings: Settings, provider: ProviderFake) -> Settings:
    """Settings with real SMS and email on, both SDKs pointed at the provider fake."""
    return settings.model_copy(
        update={
            "twilio_send_sms": True,
            "twilio_api_base_url": provider.base_url,
            "resend_api_key": "re_test_key",
            "resend_api_url": provider.base_url,
        }
    )


async def _client_for(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://functions.test") as client:
        try:
            yield client
        finally:
            await app.state.edge.close()


@pytest.fixture
async def client(settings: Settings, business: Business) -> AsyncIterator[httpx.AsyncClient]:
    """The local functions app (embedded default: notifications recorded, blobs in a folder)."""
    async for each in _client_for(create_local_app(settings)):
        yield each


@pytest.fixture
async def live_client(live_settings: Settings, business: Business) -> AsyncIterator[httpx.AsyncClient]:
    """The local functions app sending through the real Twilio and Resend SDKs to the provider fake."""
    async for each in _client_for(create_local_app(live_settings)):
        yield each


class ServedApp:
    """The functions app served by uvicorn on a loopback port, started and stopped on demand."""

    def __init__(self, app: FastAPI, port: int) -> None:
        self.app = app
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}"
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on")
        self._server = uvicorn.Server(config)
        self._task = asyncio.create_task(self._server.serve())
        while not self._server.started:  # uvicorn exposes no event for "listening"
            if self._task.done():
                await self._task
                raise RuntimeError("uvicorn stopped before it started")
            await asyncio.sleep(0.02)

    async def stop(self) -> None:
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            await self._task
        self._server = None
        self._task = None


@pytest.fixture
async def served_functions(settings: Settings, business: Business) -> AsyncIterator[ServedApp]:
    served = ServedApp(create_local_app(settings), free_port())
    try:
        yield served
    finally:
        await served.stop()
