"""Dispatching the notifications outbox: send what is due, record each outcome, retry failures.

- `dispatch(db, settings, ids)`: send these queued messages now (call-complete, photo link).
- `dispatch_pending(db, settings)`: everything due, including retries (run on a schedule by
  functions/notification_retry.py, by the next call-complete and by `buddyhelps notifications retry`).
- `resend_notification(db, settings, notification_id)`: an operator's re-send from the admin console.

Once a message is delivered (or failed for good) its photo token is dropped from the stored text.

A failed attempt is queued again with a growing delay until MAX_ATTEMPTS, then marked `failed` with
the last error; an error that retrying cannot fix (e.g. an invalid number) fails at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from functions.notification_senders import SendError, Senders, create_senders
from shared.database import Database
from shared.repositories import notifications as outbox
from shared.repositories.notifications import Notification
from shared.repositories.photo_tokens import create_photo_token, iso_utc
from shared.settings import Settings
from shared.structured_logging import mask_phone

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 4
RETRY_DELAYS = (timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=10))
STALE_SENDING = timedelta(minutes=10)


def retry_at(attempts_done: int, now: datetime) -> str | None:
    """When to try again after `attempts_done` failed attempts; None when they are used up."""
    if attempts_done >= MAX_ATTEMPTS:
        return None
    return iso_utc(now + RETRY_DELAYS[min(attempts_done, len(RETRY_DELAYS)) - 1])


async def _send_claimed(db: Database, notification: Notification, senders: Senders) -> Notification:
    sender = senders.for_channel(notification.channel)
    context = {"notification_id": notification.id, "purpose": notification.purpose, "call_id": notification.call_id}
    try:
        result = await sender.send(notification)
    except SendError as error:
        attempts = notification.attempts + 1
        next_try = retry_at(attempts, datetime.now(UTC)) if error.retryable else None
        await outbox.mark_attempt_failed(db, notification.id, error=str(error), retry_at=next_try)
        if next_try is None:
            await outbox.forget_photo_token(db, notification)
        level = logging.WARNING if next_try else logging.ERROR
        log.log(
            level,
            "notification not delivered",
            extra={**context, "error": str(error), "attempts": attempts, "retry_at": next_try or "never"},
        )
    else:
        await outbox.mark_delivered(db, notification.id, status=result.status, provider_id=result.provider_id)
        await outbox.forget_photo_token(db, notification)
        log.info(
            "notification delivered",
            extra={**context, "status": result.status, "recipient": mask_phone(notification.recipient)},
        )
    updated = await outbox.get_notification(db, notification.id)
    assert updated is not None
    return updated


async def dispatch(
    db: Database, settings: Settings, ids: Iterable[str], *, senders: Senders | None = None
) -> list[Notification]:
    """Claim and send these queued notifications concurrently; returns the ones this call sent."""
    chosen = senders or create_senders(settings)
    claimed = [n for n in await asyncio.gather(*(outbox.claim(db, i) for i in ids)) if n is not None]
    return list(await asyncio.gather(*(_send_claimed(db, n, chosen) for n in claimed)))


async def dispatch_pending(
    db: Database, settings: Settings, *, senders: Senders | None = None, now: datetime | None = None
) -> dict[str, int]:
    """Send every notification that is due (new or waiting for a retry); returns counts by outcome."""
    moment = now or datetime.now(UTC)
    released = await outbox.release_stale_sending(db, updated_before=iso_utc(moment - STALE_SENDING))
    if released:
        log.warning("notifications stuck in sending were queued again", extra={"count": released})
    due = await outbox.due_ids(db, now=iso_utc(moment))
    done = await dispatch(db, settings, due, senders=senders)
    return dict(Counter(n.status for n in done))


async def resend_notification(
    db: Database, settings: Settings, notification_id: str, *, senders: Senders | None = None
) -> Notification | None:
    """Queue one notification again and send it now; None when there is no such notification.

    A photo link whose token was forgotten after the first delivery goes out with a fresh token (the
    old one is known only by its hash, and has likely expired).
    """
    notification = await outbox.get_notification(db, notification_id)
    if notification is None:
        return None
    if notification.call_id and outbox.has_forgotten_photo_token(notification.body):
        issued = await create_photo_token(db, call_id=notification.call_id, now=datetime.now(UTC))
        await outbox.put_photo_token(db, notification_id, body=notification.body, token=issued.token)
    if await outbox.requeue(db, notification_id):
        log.info("notification re-sent by an operator", extra={"notification_id": notification_id})
        await dispatch(db, settings, [notification_id], senders=senders)
    return await outbox.get_notification(db, notification_id)
