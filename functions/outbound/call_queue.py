"""Ringing what is due in the call-job queue, bounded by the workers' free capacity.

- On AWS an EventBridge Scheduler schedule invokes `handler` every minute (infra/terraform/outbound.tf):
  one pass claims the due jobs there are seats for and sends each to SQS; `consume`, the queue's Lambda
  consumer, dials them (at most `outbound_max_concurrency` at once). Claiming is one UPDATE per job in
  the database, so an overlapping pass (or the local loop) never rings a number twice.
- Locally `buddyhelps serve` runs the same pass every few seconds beside the functions app
  (`with_call_queue_loop`, the notification retry loop's pattern).

Capacity: the free room the workers last reported on /health, less the calls dialled but not yet
answered (they will each need a worker seat the moment someone picks up), capped by `max_concurrent`.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import boto3
import httpx
from fastapi import FastAPI

from functions import worker_pool
from functions.background_loop import alongside, run_every
from functions.edge_app import EdgeState
from functions.outbound.call_placer import Dialer, DialFailed, OutboundCall, TwilioDialer
from shared.database import Database, connected
from shared.outbound import call_jobs, campaigns
from shared.repositories import workers as worker_repo
from shared.settings import Settings, load_settings
from shared.structured_logging import configure_logging, mask_phone

log = logging.getLogger(__name__)
DEFAULT_INTERVAL_S = 5.0
DEFAULT_MAX_CONCURRENT = 2  # what a 2-core machine's worker holds; on AWS the workers' capacity decides
AWS_MAX_CONCURRENT = 10_000  # on AWS only the workers' free seats bound a pass


async def free_seats(db: Database, settings: Settings) -> int:
    workers = await worker_repo.list_workers(db)
    async with httpx.AsyncClient() as client:
        await worker_pool.refresh_stale(db, workers, ttl_s=settings.worker_health_ttl_s, client=client)
    room = sum(
        max(0, worker_pool.capacity_of(w) - w.active_calls)
        for w in await worker_repo.list_workers(db)
        if worker_pool.has_room(w)
    )
    row = await db.fetch_one(
        "SELECT COUNT(*) AS n FROM outbound_call_jobs j LEFT JOIN calls c ON c.call_sid = j.call_sid"
        " WHERE j.status = 'dialing' AND c.call_sid IS NULL"
    )
    return room - (int(row["n"]) if row else 0)


async def claim_for_calls(
    db: Database, settings: Settings, *, max_concurrent: int, now: datetime
) -> list[tuple[campaigns.Campaign, call_jobs.CallJob]]:
    """Due jobs claimed (`dialing`) for as many calls as there are free seats."""
    limit = min(await free_seats(db, settings), max_concurrent - await call_jobs.in_flight(db))
    return await call_jobs.claim_due(db, now=now, limit=limit)


async def place_job(
    db: Database,
    settings: Settings,
    dialer: Dialer,
    campaign: campaigns.Campaign,
    job: call_jobs.CallJob,
    now: datetime,
) -> bool:
    """Ring one claimed job; a refusal ends the attempt as failed (retried with backoff)."""
    call = OutboundCall(
        to_number=job.to_number,
        from_number=campaign.from_number,
        answer_url=settings.public_url(f"/outbound/answer?job={job.id}"),
        status_url=settings.public_url("/outbound/status"),
        amd_url=settings.public_url("/outbound/amd"),
    )
    try:
        call_sid = await dialer.place(call)
    except DialFailed as error:
        log.warning("outbound call not placed", extra={"to": mask_phone(job.to_number), "reason": str(error)})
        await call_jobs.record_attempt_end(db, job=job, campaign=campaign, outcome="failed", now=now)
        return False
    await call_jobs.attach_call(db, job.id, call_sid)
    log.info("outbound call placed", extra={"call_sid": call_sid, "to": mask_phone(job.to_number)})
    return True


async def ring_due(
    db: Database,
    settings: Settings,
    *,
    dialer: Dialer | None = None,
    max_concurrent: int = DEFAULT_MAX_CONCURRENT,
    now: datetime | None = None,
) -> dict[str, int]:
    """One pass: place every due call there is room for; returns counts (`placed`, `failed`)."""
    now = now or datetime.now(UTC)
    dialer = dialer or TwilioDialer(settings)
    counts = {"placed": 0, "failed": 0}
    for campaign, job in await claim_for_calls(db, settings, max_concurrent=max_concurrent, now=now):
        counts["placed" if await place_job(db, settings, dialer, campaign, job, now) else "failed"] += 1
    return counts


async def call_queue_loop(
    database: Callable[[], Awaitable[Database]], settings: Settings, *, interval_s: float, max_concurrent: int
) -> None:
    """A pass every `interval_s` until cancelled; a failing pass is logged and the next one runs."""

    async def one_pass() -> object:
        return await ring_due(await database(), settings, max_concurrent=max_concurrent)

    await run_every(one_pass, interval_s=interval_s, what="outbound call")


def with_call_queue_loop(
    app: FastAPI, *, interval_s: float = DEFAULT_INTERVAL_S, max_concurrent: int = DEFAULT_MAX_CONCURRENT
) -> FastAPI:
    """Run `call_queue_loop` for as long as the functions app is up (its lifespan)."""
    state: EdgeState = app.state.edge
    return alongside(
        app,
        lambda: call_queue_loop(state.database, state.settings, interval_s=interval_s, max_concurrent=max_concurrent),
        name="outbound-call-queue",
    )


@functools.cache
def _settings() -> Settings:
    settings = load_settings()
    configure_logging(settings.log_level)
    return settings


async def _one_pass(settings: Settings) -> dict[str, int]:
    """The scheduled pass on AWS: claim what is due and hand each job to SQS, whose consumer dials it.
    Without a queue configured, the pass dials itself."""
    async with connected(settings.database_url, auth_token=settings.turso_auth_token) as db:
        if not settings.outbound_queue_url:
            return await ring_due(db, settings, max_concurrent=AWS_MAX_CONCURRENT)
        claimed = await claim_for_calls(db, settings, max_concurrent=AWS_MAX_CONCURRENT, now=datetime.now(UTC))
        sqs = boto3.client("sqs", region_name=settings.aws_region)
        for _, job in claimed:
            body = json.dumps({"job_id": job.id})
            await asyncio.to_thread(sqs.send_message, QueueUrl=settings.outbound_queue_url, MessageBody=body)
        return {"queued": len(claimed)}


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The Lambda entry point for the EventBridge Scheduler schedule: one pass."""
    return {"outcome": asyncio.run(_one_pass(_settings()))}


async def _dial(settings: Settings, job_ids: list[str]) -> dict[str, int]:
    counts = {"placed": 0, "failed": 0, "skipped": 0}
    dialer = TwilioDialer(settings)
    now = datetime.now(UTC)
    async with connected(settings.database_url, auth_token=settings.turso_auth_token) as db:
        for job_id in job_ids:
            job = await call_jobs.get_job(db, job_id)
            campaign = await campaigns.get_campaign(db, job.campaign_id) if job else None
            if job is None or campaign is None or job.status != "dialing" or job.call_sid:
                counts["skipped"] += 1  # SQS delivers at least once: a job already dialled is not rung again
                continue
            counts["placed" if await place_job(db, settings, dialer, campaign, job, now) else "failed"] += 1
    return counts


def consume(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The Lambda entry point for the SQS queue: dial each claimed job named in the batch."""
    job_ids = [str(json.loads(record["body"])["job_id"]) for record in event.get("Records", [])]
    return {"outcome": asyncio.run(_dial(_settings(), job_ids))}
