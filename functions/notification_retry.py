"""Notifications retry on their own: every few minutes, whatever is due goes out again.

- On AWS an EventBridge schedule invokes `handler` (infra/terraform/schedules.tf, template.yaml). Its
  event is not an HTTP request, so there is nothing for Mangum to adapt: the handler runs one pass
  itself, with the same Settings and database as every other function.
- Locally `buddyhelps serve` runs the same pass in a loop beside the functions app (`with_retry_loop`).

A message that fails MAX_ATTEMPTS times (functions/notifications.py) is marked `failed` with its last
error, logged at ERROR, and shown on the console's call page as "gave up after N attempts"; only an
operator's re-send tries it again.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI

from functions.background_loop import alongside, run_every
from functions.edge_app import EdgeState
from functions.notification_senders import Senders
from functions.notifications import dispatch_pending
from shared.database import Database, connected
from shared.settings import Settings, load_settings
from shared.structured_logging import configure_logging

log = logging.getLogger(__name__)
DEFAULT_INTERVAL_S = 60.0


async def retry_due(db: Database, settings: Settings, *, senders: Senders | None = None) -> dict[str, int]:
    """One pass: send every notification that is due; returns counts by outcome (`failed`: gave up)."""
    outcome = await dispatch_pending(db, settings, senders=senders)
    if outcome.get("failed"):
        log.error("notifications given up after their last attempt", extra={"count": outcome["failed"]})
    if outcome:
        log.info("notification retry pass", extra={"outcome": outcome})
    return outcome


async def retry_loop(database: Callable[[], Awaitable[Database]], settings: Settings, *, interval_s: float) -> None:
    """Run a pass every `interval_s` until cancelled; a failing pass is logged and the next one runs."""

    async def one_pass() -> dict[str, int]:
        return await retry_due(await database(), settings)

    await run_every(one_pass, interval_s=interval_s, what="notification retry")


def with_retry_loop(app: FastAPI, *, interval_s: float = DEFAULT_INTERVAL_S) -> FastAPI:
    """Run `retry_loop` for as long as the functions app is up (its lifespan), on the app's database."""
    state: EdgeState = app.state.edge
    return alongside(
        app, lambda: retry_loop(state.database, state.settings, interval_s=interval_s), name="notification-retry"
    )


@functools.cache
def _settings() -> Settings:
    settings = load_settings()
    configure_logging(settings.log_level)
    return settings


async def _one_pass(settings: Settings) -> dict[str, int]:
    async with connected(settings.database_url, auth_token=settings.turso_auth_token) as db:
        return await retry_due(db, settings)


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The Lambda entry point for the EventBridge schedule: one retry pass."""
    return {"outcome": asyncio.run(_one_pass(_settings()))}
