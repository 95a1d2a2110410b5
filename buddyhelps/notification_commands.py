"""`buddyhelps notifications list|retry|resend`: look at the notifications outbox and push it along."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from functions.notifications import dispatch_pending, resend_notification
from shared.database import connected
from shared.repositories.notifications import list_recent
from shared.settings import Settings, load_settings
from shared.structured_logging import configure_logging


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser("notifications", help="list, retry or re-send owner/caller notifications")
    actions = parser.add_subparsers(dest="notifications_command", metavar="ACTION")
    listing = actions.add_parser("list", help="show recent notifications and their delivery status")
    listing.add_argument("--status", choices=["queued", "sending", "sent", "recorded", "failed"])
    listing.add_argument("--limit", type=int, default=20)
    listing.set_defaults(func=lambda args: _run(_list(_settings(), args.status, args.limit)))
    retry = actions.add_parser("retry", help="send every notification that is due (new or waiting for a retry)")
    retry.set_defaults(func=lambda _args: _run(_retry(_settings())))
    resend = actions.add_parser("resend", help="send one notification again now")
    resend.add_argument("notification_id")
    resend.set_defaults(func=lambda args: _run(_resend(_settings(), args.notification_id)))
    parser.set_defaults(func=lambda _args: _usage(parser))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def _settings() -> Settings:
    settings = load_settings()
    configure_logging(settings.log_level)
    return settings


def _run(work: Any) -> int:
    result: int = asyncio.run(work)
    return result


async def _list(settings: Settings, status: str | None, limit: int) -> int:
    async with connected(settings.database_url, auth_token=settings.turso_auth_token) as db:
        rows = await list_recent(db, limit=limit, status=status)
    for n in rows:
        error = f"  last error: {n.last_error}" if n.last_error else ""
        print(f"{n.id}  {n.created_at}  {n.purpose:<17} {n.status:<8} attempts={n.attempts}  to {n.recipient}{error}")
    if not rows:
        print("no notifications")
    return 0


async def _retry(settings: Settings) -> int:
    async with connected(settings.database_url, auth_token=settings.turso_auth_token) as db:
        outcome = await dispatch_pending(db, settings)
    if not outcome:
        print("nothing due")
        return 0
    print(", ".join(f"{status}: {count}" for status, count in sorted(outcome.items())))
    return 1 if outcome.get("failed") else 0


async def _resend(settings: Settings, notification_id: str) -> int:
    async with connected(settings.database_url, auth_token=settings.turso_auth_token) as db:
        result = await resend_notification(db, settings, notification_id)
    if result is None:
        print(f"no notification {notification_id}")
        return 1
    print(f"{result.id}: {result.status}" + (f" ({result.last_error})" if result.last_error else ""))
    return 0 if result.status in {"sent", "recorded"} else 1
