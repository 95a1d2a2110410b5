"""The worker's report outbox against the real functions app served by uvicorn on loopback."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from pathlib import Path

import pytest
from fastapi import FastAPI, Request, Response

from functions.local_app import create_local_app
from gpu_worker.after_call.report_outbox import ReportOutbox, RetryPolicy
from shared.database import Database
from shared.repositories.businesses import create_business
from shared.repositories.calls import get_call_by_sid
from shared.repositories.notifications import list_for_call
from shared.settings import Settings
from tests.functions.conftest import OWNER_EMAIL, OWNER_PHONE, ServedApp, make_report
from tests.s3_server import free_port

FAST = RetryPolicy(base_s=0.05, factor=2.0, cap_s=0.3, request_timeout_s=5.0)


class CountingApp:
    """The functions app with a count of call-complete answers by status."""

    def __init__(self, settings: Settings) -> None:
        self.app: FastAPI = create_local_app(settings)
        self.answers: list[int] = []

        @self.app.middleware("http")
        async def count(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
            response = await call_next(request)
            if request.url.path == "/api/call-complete":
                self.answers.append(response.status_code)
            return response


@pytest.fixture
async def functions_server(settings: Settings, db: Database) -> AsyncIterator[tuple[ServedApp, CountingApp]]:
    await create_business(
        db, name="Rapid Rooter Plumbing", owner_phone=OWNER_PHONE, owner_email=OWNER_EMAIL, business_id="biz_rapid"
    )
    counting = CountingApp(settings)
    served = ServedApp(counting.app, free_port())
    try:
        yield served, counting
    finally:
        await served.stop()


def _outbox(directory: Path, served: ServedApp, secret: str) -> ReportOutbox:
    return ReportOutbox(directory=directory, url=served.base_url + "/api/call-complete", secret=secret, policy=FAST)


async def test_report_is_on_disk_before_delivery_and_delivered_once_when_functions_return(
    tmp_path: Path, settings: Settings, db: Database, functions_server: tuple[ServedApp, CountingApp]
) -> None:
    served, counting = functions_server
    outbox = _outbox(tmp_path / "outbox", served, settings.dashboard_webhook_secret)
    await outbox.start()
    try:
        # GIVEN functions are down WHEN a report is enqueued
        report = make_report()
        path = await outbox.enqueue(report)
        # THEN it is on disk at once, and delivery keeps failing
        assert json.loads(path.read_text())["call_sid"] == report.call_sid
        async with asyncio.timeout(10):
            failing = await outbox.wait_until(lambda s: s["attempts"] >= 3)
        assert failing["pending"] == 1
        assert failing["last_error"].startswith("ConnectError")
        # WHEN functions come back
        await served.start()
        async with asyncio.timeout(10):
            done = await outbox.wait_until(lambda s: s["delivered"] == 1)
    finally:
        await outbox.aclose()
    # THEN it was acknowledged exactly once, the file is gone, and the owner was notified once
    assert counting.answers == [200]
    assert done["pending"] == 0
    assert done["oldest_pending_age_s"] is None
    assert list((tmp_path / "outbox" / "pending").iterdir()) == []
    call = await get_call_by_sid(db, report.call_sid)
    assert call is not None
    assert len(await list_for_call(db, call.id)) == 3


async def test_undelivered_report_survives_a_worker_restart(
    tmp_path: Path, settings: Settings, db: Database, functions_server: tuple[ServedApp, CountingApp]
) -> None:
    served, counting = functions_server
    # GIVEN a worker that queued a report while functions were down, then stopped
    first = _outbox(tmp_path / "outbox", served, settings.dashboard_webhook_secret)
    await first.start()
    report = make_report(call_sid="CA" + "7" * 32)
    await first.enqueue(report)
    async with asyncio.timeout(10):
        await first.wait_until(lambda s: s["attempts"] >= 1)
    await first.aclose()
    # WHEN functions are back and a new worker process starts on the same folder
    await served.start()
    second = _outbox(tmp_path / "outbox", served, settings.dashboard_webhook_secret)
    await second.start()
    try:
        assert second.state()["pending"] == 1
        async with asyncio.timeout(10):
            await second.wait_until(lambda s: s["delivered"] == 1)
    finally:
        await second.aclose()
    # THEN the report reached functions, once
    assert counting.answers == [200]
    assert await get_call_by_sid(db, report.call_sid) is not None


async def test_a_report_written_as_the_worker_stops_does_not_keep_the_worker_running(
    tmp_path: Path, settings: Settings, functions_server: tuple[ServedApp, CountingApp]
) -> None:
    served, _ = functions_server
    # GIVEN an outbox backing off on a report while functions are down (its loop waits for the next try)
    slow = RetryPolicy(base_s=30.0, factor=2.0, cap_s=60.0, request_timeout_s=5.0)
    directory = tmp_path / "outbox"
    outbox = ReportOutbox(directory=directory, url=served.base_url + "/api/call-complete", secret="s", policy=slow)
    await outbox.start()
    await outbox.enqueue(make_report(call_sid="CA" + "1" * 32))
    async with asyncio.timeout(10):
        await outbox.wait_until(lambda s: s["attempts"] >= 1)
    # WHEN shutdown writes the cut-short call's report and closes the outbox in the same breath
    await outbox.enqueue(make_report(call_sid="CA" + "2" * 32))
    closing = asyncio.create_task(outbox.aclose())
    finished, _ = await asyncio.wait({closing}, timeout=5)  # asyncio.wait, unlike timeout(), does not cancel it
    # THEN the outbox stopped (the worker can exit) and both reports wait on disk for the next start
    assert closing in finished, "the outbox kept delivering after it was closed"
    assert sorted(p.name for p in (directory / "pending").glob("*.json")) == [
        "CA" + "1" * 32 + ".json",
        "CA" + "2" * 32 + ".json",
    ]


async def test_refused_report_moves_to_failed_and_is_not_retried(
    tmp_path: Path, settings: Settings, db: Database, functions_server: tuple[ServedApp, CountingApp]
) -> None:
    served, counting = functions_server
    await served.start()
    # GIVEN a worker configured with the wrong secret (functions answer 401)
    outbox = _outbox(tmp_path / "outbox", served, "a-secret-functions-does-not-know")
    await outbox.start()
    try:
        await outbox.enqueue(make_report(call_sid="CA" + "8" * 32))
        # WHEN it delivers THEN the report goes to failed/ after one attempt, with the reason
        async with asyncio.timeout(10):
            state = await outbox.wait_until(lambda s: s["failed"] == 1)
        assert state["pending"] == 0
        assert "401" in state["last_error"]
        assert [p.name for p in (tmp_path / "outbox" / "failed").iterdir()] == ["CA" + "8" * 32 + ".json"]
    finally:
        await outbox.aclose()
    assert counting.answers == [401]
    # WHEN the secret is fixed and the failed reports are queued again THEN it is delivered
    fixed = _outbox(tmp_path / "outbox", served, settings.dashboard_webhook_secret)
    await fixed.start()
    try:
        assert await fixed.requeue_failed() == 1
        async with asyncio.timeout(10):
            await fixed.wait_until(lambda s: s["delivered"] == 1)
    finally:
        await fixed.aclose()
    assert counting.answers == [401, 200]


def test_backoff_grows_is_capped_and_jittered() -> None:
    # GIVEN the default policy WHEN delays are drawn THEN each lies in the upper half of its ceiling
    policy = RetryPolicy(base_s=1.0, factor=2.0, cap_s=120.0)
    assert all(0.5 <= policy.delay_s(1) <= 1.0 for _ in range(50))
    assert all(4.0 <= policy.delay_s(4) <= 8.0 for _ in range(50))
    assert all(60.0 <= policy.delay_s(30) <= 120.0 for _ in range(50))
    assert len({policy.delay_s(5) for _ in range(20)}) > 1


async def test_hang_up_to_owner_notification_queued_is_measured(
    tmp_path: Path, settings: Settings, db: Database, functions_server: tuple[ServedApp, CountingApp]
) -> None:
    served, _ = functions_server
    await served.start()
    outbox = _outbox(tmp_path / "outbox", served, settings.dashboard_webhook_secret)
    await outbox.start()
    try:
        # GIVEN a call that has just ended (extraction done) WHEN its report is enqueued
        report = make_report(call_sid="CA" + "6" * 32)
        await outbox.enqueue(report)
        async with asyncio.timeout(10):
            await outbox.wait_until(lambda s: s["delivered"] == 1)
    finally:
        await outbox.aclose()
    # THEN the owner's SMS was queued (and recorded) within a couple of seconds of the hang-up
    call = await get_call_by_sid(db, report.call_sid)
    assert call is not None
    owner_sms = next(n for n in await list_for_call(db, call.id) if n.purpose == "owner_sms")
    queued_ms = _ms_between(report.ended_at, owner_sms.created_at)
    delivered_ms = _ms_between(report.ended_at, owner_sms.updated_at)
    print(f"hang-up → owner SMS queued {queued_ms:.0f} ms, recorded {delivered_ms:.0f} ms")
    assert 0 <= queued_ms < 3000
    assert owner_sms.status == "recorded"


def _ms_between(earlier: str, later: str) -> float:
    def parse(value: str) -> datetime:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))

    return (parse(later) - parse(earlier)).total_seconds() * 1000
