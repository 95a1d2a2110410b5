"""Checking every registered worker's /health now and recording what it said."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from functions.admin.worker_client import WorkerUnavailable, fetch_health
from shared.database import Database
from shared.repositories.workers import Worker, list_workers, record_health


class NewWorker(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    base_url: str = Field(min_length=8, max_length=300, pattern=r"^https?://[^\s/?#]+(/[^\s?#]*)?$")
    capacity: int = Field(4, ge=1, le=1000)


class DrainRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    draining: bool


async def _check(worker: Worker) -> tuple[Worker, dict[str, Any] | None, str | None]:
    try:
        return worker, await fetch_health(worker.base_url), None
    except WorkerUnavailable as error:
        return worker, None, str(error)


async def refresh_all(db: Database) -> list[Worker]:
    """Fetch every worker's health concurrently, store it, and return the workers as now recorded."""
    results = await asyncio.gather(*(_check(worker) for worker in await list_workers(db)))
    checked_at = datetime.now(UTC).isoformat()
    for worker, body, problem in results:
        healthy = body is not None and bool(body.get("ready"))
        stored = {**(body or {}), "checked_at": checked_at, **({"error": problem} if problem else {})}
        active = int(body.get("active_calls", 0)) if body else 0
        await record_health(db, worker.id, healthy=healthy, active_calls=active, health=stored)
    return await list_workers(db)
