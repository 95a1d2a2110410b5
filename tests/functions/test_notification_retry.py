"""Notifications retry on their own: the scheduled Lambda's pass and the loop inside `buddyhelps serve`."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from functions import notification_retry
from functions.local_app import create_local_app
from functions.notifications import MAX_ATTEMPTS, dispatch
from shared.database import Database, connected, utc_now
from shared.repositories.calls import create_call
from shared.repositories.notifications import NewNotification, Notification, get_notification, insert_statement
from shared.settings import Settings
from tests.functions.conftest import BUSINESS_NUMBER, CALLER, OWNER_PHONE
from tests.provider_fake import ProviderFake

SMS = NewNotification(purpose="owner_sms", channel="sms", recipient=OWNER_PHONE, body="[EMERGENCY] Burst pipe")
PAST = "2000-01-01T00:00:00Z"


async def queue_sms(db: Database) -> str:
    call = await create_call(
        db, call_sid="CA" + "7" * 32, from_number=CALLER, to_number=BUSINESS_NUMBER, business_id=None
    )
    notification_id, statement = insert_statement(SMS, call_id=call.id, now=utc_now())
    await db.execute(*statement)
    return notification_id


async def make_due(db: Database, notification_id: str) -> None:
    """The retry time has come (the backoff is minutes long; the schedule is what is under test)."""
    await db.execute("UPDATE notifications SET next_attempt_at = ? WHERE id = ?", (PAST, notification_id))


async def stored(db: Database, notification_id: str) -> Notification:
    found = await get_notification(db, notification_id)
    assert found is not None
    return found


@pytest.fixture
def lambda_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    monkeypatch.setenv("BUDDYHELPS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BUDDYHELPS_ENV", "development")
    notification_retry._settings.cache_clear()
    yield tmp_path / "data"
    notification_retry._settings.cache_clear()


async def test_the_scheduled_lambda_sends_what_is_due_without_a_new_call(lambda_environment: Path) -> None:
    # GIVEN an owner SMS whose first attempt failed and whose retry time has come
    async with connected(f"file:{lambda_environment / 'buddyhelps.db'}") as db:
        notification_id = await queue_sms(db)
        await db.execute(
            "UPDATE notifications SET attempts = 1, last_error = 'HTTP 503', next_attempt_at = ? WHERE id = ?",
            (PAST, notification_id),
        )
    # WHEN EventBridge invokes the retry function with its scheduled event
    event = {"source": "aws.events", "detail-type": "Scheduled Event", "detail": {}}
    result = await asyncio.to_thread(notification_retry.handler, event, None)
    # THEN the message went out (recorded: the embedded default has no provider keys), on its second attempt
    assert result == {"outcome": {"recorded": 1}}
    async with connected(f"file:{lambda_environment / 'buddyhelps.db'}") as db:
        done = await stored(db, notification_id)
    assert (done.status, done.attempts, done.last_error) == ("recorded", 2, None)


async def test_the_serve_loop_retries_a_failed_sms_on_its_own(
    db: Database, live_settings: Settings, provider: ProviderFake
) -> None:
    # GIVEN Twilio refusing the first attempt of an owner SMS with 503
    notification_id = await queue_sms(db)
    provider.fail_next(1, status=503)
    [first] = await dispatch(db, live_settings, [notification_id])
    assert first.status == "queued"
    await make_due(db, notification_id)
    # WHEN the local functions app runs with its retry loop (as `buddyhelps serve` runs it)
    app = notification_retry.with_retry_loop(create_local_app(live_settings), interval_s=0.05)
    async with app.router.lifespan_context(app):
        async with asyncio.timeout(20):
            while (await stored(db, notification_id)).status != "sent":  # noqa: ASYNC110 - the row is the signal
                await asyncio.sleep(0.05)  # the loop's pass writes only to the database: look again
    # THEN the SMS was delivered exactly once, with nobody calling or pressing anything
    assert [request.form["Body"] for request in provider.sms()] == ["[EMERGENCY] Burst pipe"]
    assert (await stored(db, notification_id)).attempts == 2


async def test_a_message_that_keeps_failing_is_given_up_after_the_last_attempt(
    db: Database, live_settings: Settings, provider: ProviderFake, caplog: pytest.LogCaptureFixture
) -> None:
    # GIVEN Twilio down for every attempt
    notification_id = await queue_sms(db)
    provider.fail_next(MAX_ATTEMPTS, status=503)
    await dispatch(db, live_settings, [notification_id])
    # WHEN every scheduled pass finds it due
    passes = []
    with caplog.at_level(logging.ERROR, logger="functions.notification_retry"):
        for _ in range(MAX_ATTEMPTS + 1):  # more passes than attempts
            await make_due(db, notification_id)
            passes.append(await notification_retry.retry_due(db, live_settings))
    # THEN it is tried MAX_ATTEMPTS times in all, then given up: failed, with the last error, and said at ERROR
    done = await stored(db, notification_id)
    assert (done.status, done.attempts) == ("failed", MAX_ATTEMPTS)
    assert done.last_error is not None
    assert "503" in done.last_error
    assert passes == [{"queued": 1}] * (MAX_ATTEMPTS - 2) + [{"failed": 1}, {}, {}]
    assert len(provider.sms()) == 0
    assert any("given up" in record.getMessage() for record in caplog.records)
