"""Notification dispatch: the recorder of the embedded default, and real SDKs against the provider fake."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta

import pytest

from functions.notification_senders import create_senders
from functions.notifications import MAX_ATTEMPTS, dispatch, dispatch_pending, resend_notification
from shared.database import Database, utc_now
from shared.repositories.calls import create_call
from shared.repositories.notifications import NewNotification, get_notification, insert_statement
from shared.settings import Settings
from tests.functions.conftest import BUSINESS_NUMBER, CALLER, OWNER_EMAIL, OWNER_PHONE
from tests.provider_fake import ProviderFake

SMS = NewNotification(purpose="owner_sms", channel="sms", recipient=OWNER_PHONE, body="[EMERGENCY] Burst pipe")
EMAIL = NewNotification(
    purpose="owner_email",
    channel="email",
    recipient=OWNER_EMAIL,
    subject="[EMERGENCY] Maria Lopez: Burst pipe",
    body="plain text",
    html_body="<p>html</p>",
)


async def _queue(db: Database, message: NewNotification) -> str:
    call = await create_call(
        db, call_sid="CA" + "9" * 32, from_number=CALLER, to_number=BUSINESS_NUMBER, business_id=None
    )
    notification_id, statement = insert_statement(message, call_id=call.id, now=utc_now())
    await db.execute(*statement)
    return notification_id


async def test_without_keys_the_message_is_recorded_but_its_text_never_logged(
    db: Database, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    # GIVEN the embedded default (no Twilio or Resend keys) and a queued owner SMS
    notification_id = await _queue(db, SMS)
    # WHEN dispatched
    with caplog.at_level(logging.INFO, logger="functions.notification_senders"):
        [done] = await dispatch(db, settings, [notification_id])
    # THEN it is recorded (not sent), its text kept in the outbox table
    assert done.status == "recorded"
    assert done.attempts == 1
    assert "[EMERGENCY] Burst pipe" in done.body
    # AND the log says so without the text or the whole number
    [record] = caplog.records
    assert record.getMessage() == "notification recorded, not sent (no provider keys set)"
    logged = json.dumps({**vars(record), "args": None}, default=str)
    assert "Burst pipe" not in logged
    assert "+15550109999" not in logged
    assert record.__dict__["recipient"] == "+1555•••9999"


async def test_a_claimed_notification_is_not_sent_twice(db: Database, settings: Settings) -> None:
    # GIVEN one queued message WHEN two dispatchers race for it THEN only one sends it
    notification_id = await _queue(db, SMS)
    first = await dispatch(db, settings, [notification_id])
    second = await dispatch(db, settings, [notification_id])
    assert [n.status for n in first] == ["recorded"]
    assert second == []


async def test_failed_sms_is_retried_later_and_sent_once(
    db: Database, live_settings: Settings, provider: ProviderFake
) -> None:
    # GIVEN Twilio answering 503 to the first attempt
    notification_id = await _queue(db, SMS)
    provider.fail_next(1, status=503)
    # WHEN dispatched
    [first] = await dispatch(db, live_settings, [notification_id])
    # THEN it waits in the queue with the error and a retry time
    assert first.status == "queued"
    assert first.attempts == 1
    assert first.last_error is not None
    assert "503" in first.last_error
    assert first.next_attempt_at is not None
    # WHEN the retry runs before that time THEN nothing is sent
    assert await dispatch_pending(db, live_settings) == {}
    # WHEN it runs after that time THEN the SMS goes out, exactly once
    later = datetime.now(UTC) + timedelta(minutes=1)
    assert await dispatch_pending(db, live_settings, now=later) == {"sent": 1}
    [delivered] = provider.sms()
    assert delivered.form["To"] == OWNER_PHONE
    assert delivered.form["Body"] == "[EMERGENCY] Burst pipe"
    stored = await get_notification(db, notification_id)
    assert stored is not None
    assert stored.status == "sent"
    assert stored.provider_id is not None
    assert stored.provider_id.startswith("SM")
    assert stored.attempts == 2


async def test_failed_email_is_retried_with_the_same_idempotency_key(
    db: Database, live_settings: Settings, provider: ProviderFake
) -> None:
    # GIVEN Resend failing once with 500
    notification_id = await _queue(db, EMAIL)
    provider.fail_next(1, status=500)
    # WHEN dispatched, then retried after the delay
    await dispatch(db, live_settings, [notification_id])
    await dispatch_pending(db, live_settings, now=datetime.now(UTC) + timedelta(minutes=1))
    # THEN one email was accepted, and both attempts carried the same idempotency key
    [email] = provider.emails()
    assert email.json["subject"] == "[EMERGENCY] Maria Lopez: Burst pipe"
    assert email.json["html"] == "<p>html</p>"
    keys = {r.headers.get("idempotency-key") for r in provider.requests if r.path == "/emails"}
    assert keys == {notification_id}


async def test_an_error_retrying_cannot_fix_fails_at_once(
    db: Database, live_settings: Settings, provider: ProviderFake
) -> None:
    # GIVEN Twilio refusing the request (400: e.g. not a mobile number)
    notification_id = await _queue(db, SMS)
    provider.fail_next(1, status=400)
    # WHEN dispatched THEN it is failed for good, with the reason
    [done] = await dispatch(db, live_settings, [notification_id])
    assert done.status == "failed"
    assert done.last_error is not None
    assert "400" in done.last_error
    assert done.next_attempt_at is None


async def test_attempts_run_out_then_an_operator_resend_delivers(
    db: Database, live_settings: Settings, provider: ProviderFake
) -> None:
    # GIVEN Twilio down for every attempt
    notification_id = await _queue(db, SMS)
    provider.fail_next(MAX_ATTEMPTS, status=503)
    await dispatch(db, live_settings, [notification_id])
    moment = datetime.now(UTC)
    for _ in range(MAX_ATTEMPTS - 1):
        moment += timedelta(hours=1)
        await dispatch_pending(db, live_settings, now=moment)
    # THEN after MAX_ATTEMPTS it is failed and no longer retried
    failed = await get_notification(db, notification_id)
    assert failed is not None
    assert failed.status == "failed"
    assert failed.attempts == MAX_ATTEMPTS
    assert await dispatch_pending(db, live_settings, now=moment + timedelta(days=1)) == {}
    # WHEN an operator re-sends it from the admin console (Twilio is back)
    resent = await resend_notification(db, live_settings, notification_id)
    # THEN it is sent
    assert resent is not None
    assert resent.status == "sent"
    assert len(provider.sms()) == 1


async def test_resend_of_an_unknown_notification_says_so(db: Database, settings: Settings) -> None:
    # GIVEN no such notification WHEN re-sent THEN None
    assert await resend_notification(db, settings, "ntf_missing") is None


async def test_a_message_stuck_in_sending_is_picked_up_again(db: Database, settings: Settings) -> None:
    # GIVEN a message left in `sending` by a process that died mid-send
    notification_id = await _queue(db, SMS)
    await db.execute("UPDATE notifications SET status = 'sending' WHERE id = ?", (notification_id,))
    # WHEN the retry runs soon after THEN it is left alone; long after THEN it is delivered
    assert await dispatch_pending(db, settings) == {}
    assert await dispatch_pending(db, settings, now=datetime.now(UTC) + timedelta(minutes=11)) == {"recorded": 1}


def test_keys_choose_the_real_senders(settings: Settings, live_settings: Settings) -> None:
    # GIVEN no keys THEN both channels record; GIVEN keys THEN Twilio and Resend send
    assert type(create_senders(settings).sms).__name__ == "OutboxRecorder"
    live = create_senders(live_settings)
    assert type(live.sms).__name__ == "TwilioSmsSender"
    assert type(live.email).__name__ == "ResendEmailSender"
