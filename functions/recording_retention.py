"""Call recordings are kept for their business's `recording_retention_days`, then deleted.

One pass deletes the blob of every recording older than its business's retention, then clears the
call's `recording_key`/`recording_ms` (a blob that fails to delete keeps its row: the next pass tries
again). A call without a business keeps DEFAULT_RETENTION_DAYS.
- On AWS an EventBridge schedule invokes `handler` hourly (infra/terraform/schedules.tf, template.yaml).
- Locally `buddyhelps serve` runs the same pass in a loop beside the functions app (`with_retention_loop`).
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI

from functions.background_loop import alongside, run_every
from functions.edge_app import EdgeState
from shared.blob_storage import BlobStorage, create_blob_storage
from shared.database import Database, connected
from shared.settings import Settings, load_settings
from shared.structured_logging import configure_logging

log = logging.getLogger(__name__)
DEFAULT_RETENTION_DAYS = 90  # the businesses column's default (migration 0140)
DEFAULT_INTERVAL_S = 3600.0
BATCH = 200  # recordings per pass; a backlog goes in the next passes


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


async def expired_recordings(db: Database, *, now: datetime, limit: int = BATCH) -> list[tuple[str, str]]:
    """(call id, blob key) of recordings older than their business's retention, oldest first."""
    rows = await db.fetch_all(
        "SELECT c.id, c.recording_key FROM calls c LEFT JOIN businesses b ON b.id = c.business_id"
        " WHERE c.recording_key IS NOT NULL AND c.started_at < strftime('%Y-%m-%dT%H:%M:%fZ', ?,"
        " '-' || COALESCE(b.recording_retention_days, ?) || ' days') ORDER BY c.started_at LIMIT ?",
        (_iso(now), DEFAULT_RETENTION_DAYS, limit),
    )
    return [(str(row["id"]), str(row["recording_key"])) for row in rows]


async def delete_expired(db: Database, blobs: BlobStorage, *, now: datetime | None = None) -> dict[str, int]:
    """One pass; returns how many recordings were deleted and how many failed (kept for the next pass)."""
    outcome = {"deleted": 0, "failed": 0}
    for call_id, key in await expired_recordings(db, now=now or datetime.now(UTC)):
        try:
            await blobs.delete(key)
        except Exception:  # one blob the store refuses must not stop the others
            log.exception(
                "could not delete an expired recording; the next pass tries again", extra={"call_id": call_id}
            )
            outcome["failed"] += 1
            continue
        await db.execute(
            "UPDATE calls SET recording_key = NULL, recording_ms = NULL WHERE id = ? AND recording_key = ?",
            (call_id, key),
        )
        outcome["deleted"] += 1
    if outcome["deleted"] or outcome["failed"]:
        log.info("recording retention pass", extra={"outcome": outcome})
    return outcome


async def retention_loop(database: Callable[[], Awaitable[Database]], blobs: BlobStorage, *, interval_s: float) -> None:
    async def one_pass() -> dict[str, int]:
        return await delete_expired(await database(), blobs)

    await run_every(one_pass, interval_s=interval_s, what="recording retention")


def with_retention_loop(app: FastAPI, *, interval_s: float = DEFAULT_INTERVAL_S) -> FastAPI:
    """Run `retention_loop` for as long as the functions app is up, on the app's database and blob store."""
    state: EdgeState = app.state.edge
    blobs = create_blob_storage(state.settings)
    return alongside(
        app, lambda: retention_loop(state.database, blobs, interval_s=interval_s), name="recording-retention"
    )


@functools.cache
def _settings() -> Settings:
    settings = load_settings()
    configure_logging(settings.log_level)
    return settings


async def _one_pass(settings: Settings) -> dict[str, int]:
    async with connected(settings.database_url, auth_token=settings.turso_auth_token) as db:
        return await delete_expired(db, create_blob_storage(settings))


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The Lambda entry point for the EventBridge schedule: one retention pass."""
    return {"outcome": asyncio.run(_one_pass(_settings()))}
