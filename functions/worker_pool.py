"""Choosing the GPU worker for a new call: the number's own worker, else the least-loaded healthy one.

Health comes from each worker's GET /health, cached in the workers table for a short TTL so a burst of
calls does not fan out health checks. Draining, unhealthy and full workers are skipped.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from shared.database import Database
from shared.repositories import workers as worker_repo
from shared.repositories.workers import Worker

log = logging.getLogger(__name__)
HEALTH_TIMEOUT_S = 1.5  # Twilio waits 15 s for TwiML in total; a dead worker must not eat that.


@dataclass(frozen=True)
class WorkerHealth:
    healthy: bool
    active_calls: int
    capacity: int
    body: dict[str, Any] | None


NO_ROOM_RECHECK_S = 1.0  # a cached failed check older than this is asked again before a caller gets voicemail
# A live worker's cached "full" is asked again unless it was asked during this very webhook: in the soak a
# seat freed 0.2 s after the cached answer sent the next caller to voicemail.
FULL_RECHECK_S = 0.1


def _age_s(timestamp: str | None) -> float:
    if not timestamp:
        return float("inf")
    seen = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    return (datetime.now(UTC) - seen).total_seconds()


async def fetch_health(client: httpx.AsyncClient, worker: Worker) -> WorkerHealth:
    try:
        response = await client.get(worker.base_url + "/health", timeout=HEALTH_TIMEOUT_S)
        body = response.json()
    except (httpx.HTTPError, ValueError) as error:
        log.warning("worker health check failed", extra={"worker_id": worker.id, "reason": str(error)})
        return WorkerHealth(healthy=False, active_calls=0, capacity=worker.capacity, body=None)
    unhealthy = WorkerHealth(healthy=False, active_calls=0, capacity=worker.capacity, body=None)
    if not isinstance(body, dict):
        return unhealthy
    try:
        active_calls = int(body.get("active_calls", 0))
        capacity = int(body.get("capacity", worker.capacity))
    except (TypeError, ValueError):
        # A garbled answer must not fail the caller's webhook: that worker just takes no call.
        log.warning("worker health answer is malformed", extra={"worker_id": worker.id})
        return unhealthy
    ready = response.status_code == 200 and bool(body.get("ready"))
    return WorkerHealth(healthy=ready, active_calls=active_calls, capacity=capacity, body=body)


async def refresh_stale(db: Database, workers: list[Worker], *, ttl_s: float, client: httpx.AsyncClient) -> None:
    """Re-check, concurrently, every worker whose cached health is older than the TTL."""
    stale = [w for w in workers if _age_s(_checked_at(w)) > ttl_s]
    results = await asyncio.gather(*(fetch_health(client, w) for w in stale))
    for worker, health in zip(stale, results, strict=True):
        body = {**(health.body or {}), "capacity": health.capacity, "checked_at": datetime.now(UTC).isoformat()}
        await worker_repo.record_health(
            db, worker.id, healthy=health.healthy, active_calls=health.active_calls, health=body
        )


def _checked_at(worker: Worker) -> str | None:
    if worker.last_health and isinstance(worker.last_health.get("checked_at"), str):
        return str(worker.last_health["checked_at"])
    return None


def capacity_of(worker: Worker) -> int:
    """The registered capacity, lowered by what the worker itself last reported on /health."""
    reported = worker.last_health.get("capacity") if worker.last_health else None
    return min(worker.capacity, reported) if isinstance(reported, int) else worker.capacity


def has_room(worker: Worker) -> bool:
    return worker.healthy and not worker.draining and worker.active_calls < capacity_of(worker)


def choose_worker(workers: list[Worker], *, preferred_id: str | None) -> Worker | None:
    """The preferred worker if it can take the call, else the one with the most free capacity."""
    candidates = [w for w in workers if has_room(w)]
    for worker in candidates:
        if worker.id == preferred_id:
            return worker
    if not candidates:
        return None
    return max(candidates, key=lambda w: (capacity_of(w) - w.active_calls, -w.active_calls))


async def pick_worker(
    db: Database, *, preferred_id: str | None, ttl_s: float, client: httpx.AsyncClient | None = None
) -> Worker | None:
    if not await worker_repo.list_workers(db):
        return None
    if client is None:
        async with httpx.AsyncClient() as own_client:
            chosen = await _choose_fresh(db, preferred_id=preferred_id, ttl_s=ttl_s, client=own_client)
    else:
        chosen = await _choose_fresh(db, preferred_id=preferred_id, ttl_s=ttl_s, client=client)
    if chosen is not None:
        # Count the call against the worker now, so the next call within the TTL sees the load.
        await db.execute("UPDATE workers SET active_calls = active_calls + 1 WHERE id = ?", (chosen.id,))
    return chosen


async def _choose_fresh(
    db: Database, *, preferred_id: str | None, ttl_s: float, client: httpx.AsyncClient
) -> Worker | None:
    """A worker with room by the cached health; when none, the live-but-full workers are asked again, and
    failed ones once their failure is NO_ROOM_RECHECK_S old: a worker that just freed a seat or became ready
    must not send callers to voicemail for a whole TTL (nor a dead one make every caller wait on it)."""
    await refresh_stale(db, await worker_repo.list_workers(db), ttl_s=ttl_s, client=client)
    chosen = choose_worker(await worker_repo.list_workers(db), preferred_id=preferred_id)
    if chosen is None:
        workers = await worker_repo.list_workers(db)
        full = [w for w in workers if w.healthy and not w.draining]
        failed = [w for w in workers if not (w.healthy and not w.draining)]
        await refresh_stale(db, full, ttl_s=FULL_RECHECK_S, client=client)
        await refresh_stale(db, failed, ttl_s=NO_ROOM_RECHECK_S, client=client)
        chosen = choose_worker(await worker_repo.list_workers(db), preferred_id=preferred_id)
    return chosen
