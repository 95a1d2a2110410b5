"""Notifications (SMS and email): an outbox table, one row per message, with its delivery state.

States: queued → sending → sent (a provider took it) | recorded (embedded default: printed, not sent)
| queued again with `next_attempt_at` after a failed attempt | failed (attempts exhausted).
A row is claimed (`queued` → `sending`) atomically before sending, so two dispatchers never send it twice.

A photo link's token is in the body only until the message is delivered or has failed for good
(`forget_photo_token`); then only its hash is kept (in photo_tokens). Re-sending such a message needs
a working link, so `put_photo_token` writes a fresh token's path into the text first.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Literal

from shared.database import Database, Row, Statement, utc_now

Channel = Literal["sms", "email"]
Purpose = Literal[
    "owner_sms",
    "owner_email",
    "caller_photo_link",
    "caller_booking",
    "caller_booking_link",
    "person_message_sms",  # a message the agent took for a person (take_message), to their phone
    "person_message_email",
    "voicemail_sms",  # a voicemail's words (or why they could not be had), to the owner
    "voicemail_email",
]
ERROR_TEXT_LIMIT = 500
REDACTED_TOKEN = "[redacted]"  # noqa: S105 - what stands where a photo token was
_PHOTO_TOKEN = re.compile(r"(/photo/)(?:[A-Za-z0-9_-]+|\[redacted\])")


@dataclass(frozen=True)
class Notification:
    id: str
    call_id: str | None
    purpose: str
    channel: str
    recipient: str
    subject: str | None
    body: str
    html_body: str | None
    status: str
    attempts: int
    last_error: str | None
    provider_id: str | None
    next_attempt_at: str | None
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class NewNotification:
    purpose: Purpose
    channel: Channel
    recipient: str
    body: str
    subject: str | None = None
    html_body: str | None = None


def new_notification_id() -> str:
    return "ntf_" + secrets.token_urlsafe(12)


def _from_row(row: Row) -> Notification:
    return Notification(**row)


def insert_statement(
    message: NewNotification, *, call_id: str, now: str, only_if: Statement | None = None
) -> tuple[str, Statement]:
    """(new id, INSERT statement); one message per (call, purpose), so a repeat inserts nothing.

    `only_if` is an SQL condition with its arguments: the row is inserted only when it holds.
    """
    notification_id = new_notification_id()
    condition, condition_args = only_if or ("1 = 1", ())
    statement: Statement = (
        "INSERT INTO notifications (id, call_id, purpose, channel, recipient, subject, body, html_body, status,"
        " attempts, created_at, updated_at)"
        f" SELECT ?, ?, ?, ?, ?, ?, ?, ?, 'queued', 0, ?, ? WHERE {condition}"
        " ON CONFLICT (call_id, purpose) DO NOTHING",
        (
            notification_id,
            call_id,
            message.purpose,
            message.channel,
            message.recipient,
            message.subject,
            message.body,
            message.html_body,
            now,
            now,
            *condition_args,
        ),
    )
    return notification_id, statement


async def get_notification(db: Database, notification_id: str) -> Notification | None:
    row = await db.fetch_one("SELECT * FROM notifications WHERE id = ?", (notification_id,))
    return _from_row(row) if row else None


async def list_for_call(db: Database, call_id: str) -> list[Notification]:
    rows = await db.fetch_all("SELECT * FROM notifications WHERE call_id = ? ORDER BY created_at, purpose", (call_id,))
    return [_from_row(row) for row in rows]


async def list_recent(db: Database, *, limit: int = 100, status: str | None = None) -> list[Notification]:
    if status:
        rows = await db.fetch_all(
            "SELECT * FROM notifications WHERE status = ? ORDER BY created_at DESC LIMIT ?", (status, limit)
        )
    else:
        rows = await db.fetch_all("SELECT * FROM notifications ORDER BY created_at DESC LIMIT ?", (limit,))
    return [_from_row(row) for row in rows]


async def due_ids(db: Database, *, now: str, limit: int = 50) -> list[str]:
    rows = await db.fetch_all(
        "SELECT id FROM notifications WHERE status = 'queued' AND (next_attempt_at IS NULL OR next_attempt_at <= ?)"
        " ORDER BY created_at LIMIT ?",
        (now, limit),
    )
    return [row["id"] for row in rows]


async def claim(db: Database, notification_id: str) -> Notification | None:
    """Move one queued message to `sending`; None when someone else has it (or it is not queued)."""
    changed = await db.execute(
        "UPDATE notifications SET status = 'sending', updated_at = ? WHERE id = ? AND status = 'queued'",
        (utc_now(), notification_id),
    )
    return await get_notification(db, notification_id) if changed else None


async def mark_delivered(
    db: Database, notification_id: str, *, status: Literal["sent", "recorded"], provider_id: str | None
) -> None:
    await db.execute(
        "UPDATE notifications SET status = ?, provider_id = ?, attempts = attempts + 1, last_error = NULL,"
        " next_attempt_at = NULL, updated_at = ? WHERE id = ?",
        (status, provider_id, utc_now(), notification_id),
    )


async def mark_attempt_failed(db: Database, notification_id: str, *, error: str, retry_at: str | None) -> None:
    """Record a failed attempt: queued again for `retry_at`, or `failed` for good when None."""
    await db.execute(
        "UPDATE notifications SET status = ?, attempts = attempts + 1, last_error = ?, next_attempt_at = ?,"
        " updated_at = ? WHERE id = ?",
        ("queued" if retry_at else "failed", error[:ERROR_TEXT_LIMIT], retry_at, utc_now(), notification_id),
    )


async def requeue(db: Database, notification_id: str) -> bool:
    """Queue a message again now (an operator's re-send), whatever happened to it before."""
    changed = await db.execute(
        "UPDATE notifications SET status = 'queued', next_attempt_at = NULL, updated_at = ?"
        " WHERE id = ? AND status != 'sending'",
        (utc_now(), notification_id),
    )
    return changed == 1


async def release_stale_sending(db: Database, *, updated_before: str) -> int:
    """Messages stuck in `sending` (the process died mid-send) go back to the queue."""
    return await db.execute(
        "UPDATE notifications SET status = 'queued', updated_at = ? WHERE status = 'sending' AND updated_at < ?",
        (utc_now(), updated_before),
    )


async def counts_by_status(db: Database) -> dict[str, int]:
    rows = await db.fetch_all("SELECT status, COUNT(*) AS n FROM notifications GROUP BY status")
    return {row["status"]: int(row["n"]) for row in rows}


def without_photo_token(text: str) -> str:
    """The text with every photo link's token replaced by [redacted]."""
    return _PHOTO_TOKEN.sub(rf"\g<1>{REDACTED_TOKEN}", text)


def has_forgotten_photo_token(text: str) -> bool:
    return f"/photo/{REDACTED_TOKEN}" in text


async def forget_photo_token(db: Database, notification: Notification) -> None:
    """Keep the message's text without its photo token (delivered or given up: no send needs it again)."""
    redacted = without_photo_token(notification.body)
    if redacted != notification.body:
        await db.execute(
            "UPDATE notifications SET body = ? WHERE id = ? AND body = ?",
            (redacted, notification.id, notification.body),
        )


async def put_photo_token(db: Database, notification_id: str, *, body: str, token: str) -> None:
    """Write a fresh photo token into the message's links (before a re-send)."""
    fresh = _PHOTO_TOKEN.sub(lambda match: match.group(1) + token, body)
    await db.execute("UPDATE notifications SET body = ? WHERE id = ?", (fresh, notification_id))
