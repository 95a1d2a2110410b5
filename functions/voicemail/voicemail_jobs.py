"""The voicemail transcription queue: enqueue on Twilio's recording callback, consume, retry, send again.

- `enqueue_voicemail`: one job per recording sid (Twilio's repeated callback adds nothing), handed to the
  queue: SQS in production (VOICEMAIL_QUEUE_URL), the database itself locally.
- Locally `buddyhelps serve` runs `consume_due` every few seconds beside the functions app
  (`with_voicemail_loop`, the notification retry loop's pattern): it claims due jobs from the database.
- On AWS, `consume` is the SQS queue's Lambda consumer (infra/terraform/voicemail.tf, template.yaml): it
  claims each named job by id, runs it, and sends a failed attempt's retry back to SQS with its delay.
- `send_again`: the console's retry of a failed job.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI

from functions.background_loop import alongside, run_every
from functions.edge_app import EdgeState
from functions.voicemail.transcription_job import (
    KIND,
    AttemptResult,
    VoicemailRecording,
    payload_of,
    run_attempt,
)
from shared.database import Database, connected
from shared.jobs import job_store
from shared.jobs.job_queue import JobQueue, job_ids_from_sqs_event, job_queue_from_settings
from shared.jobs.job_store import Job
from shared.settings import Settings, load_settings
from shared.structured_logging import configure_logging

log = logging.getLogger(__name__)
DEFAULT_INTERVAL_S = 5.0
MAX_PER_PASS = 4  # jobs one pass runs, one after another (the worker's Whisper takes them in turn anyway)

Attempt = Callable[[Database, Settings, Job], Awaitable[AttemptResult]]


@dataclass(frozen=True)
class Enqueued:
    job: Job
    created: bool


async def enqueue_voicemail(
    db: Database, settings: Settings, recording: VoicemailRecording, *, queue: JobQueue | None = None
) -> Enqueued:
    job, created = await job_store.enqueue(
        db,
        kind=KIND,
        dedupe_key=f"voicemail:{recording.recording_sid}",
        payload=payload_of(recording),
        call_sid=recording.call_sid,
    )
    if not created:
        return Enqueued(job=job, created=False)
    chosen = queue or job_queue_from_settings(settings)
    try:
        await chosen.deliver(job)
    except Exception as error:  # the callback must still be answered; the console offers to send it again
        log.exception("voicemail job not queued", extra={"job_id": job.id, "queue": chosen.name})
        reason = f"the {chosen.name} queue did not take the job ({type(error).__name__})"
        await job_store.fail_undelivered(db, job, error=reason, now=datetime.now(UTC))
    else:
        log.info("voicemail queued for transcription", extra={"job_id": job.id, "sid": recording.recording_sid})
    return Enqueued(job=job, created=True)


async def run_claimed(
    db: Database, settings: Settings, job: Job, *, queue: JobQueue, attempt: Attempt = run_attempt
) -> AttemptResult:
    """Run one claimed job; a retry goes back to the queue with its delay (SQS: a delayed message)."""
    result = await attempt(db, settings, job)
    if result.status == "waiting" and result.retry_in_s is not None:
        await queue.deliver(job, delay_s=result.retry_in_s)
    return result


async def consume_due(
    db: Database,
    settings: Settings,
    *,
    queue: JobQueue | None = None,
    attempt: Attempt = run_attempt,
    now: datetime | None = None,
) -> dict[str, int]:
    """One local pass: claim due jobs from the database and run them; returns counts by outcome."""
    chosen = queue or job_queue_from_settings(settings)
    moment = now or datetime.now(UTC)
    counts: dict[str, int] = {}
    for job_id in await job_store.due_ids(db, kind=KIND, now=moment, limit=MAX_PER_PASS):
        job = await job_store.claim(db, job_id, now=moment)
        if job is None:
            continue  # another consumer took it
        result = await run_claimed(db, settings, job, queue=chosen, attempt=attempt)
        counts[result.status] = counts.get(result.status, 0) + 1
    if counts:
        log.info("voicemail pass", extra={"outcome": counts})
    return counts


async def consume_ids(
    db: Database, settings: Settings, job_ids: list[str], *, queue: JobQueue, attempt: Attempt = run_attempt
) -> dict[str, int]:
    """The SQS consumer's work: claim each named job (a duplicate or early delivery finds it not due)."""
    counts: dict[str, int] = {"skipped": 0}
    for job_id in job_ids:
        job = await job_store.claim(db, job_id, now=datetime.now(UTC))
        if job is None or job.kind != KIND:
            counts["skipped"] += 1
            continue
        result = await run_claimed(db, settings, job, queue=queue, attempt=attempt)
        counts[result.status] = counts.get(result.status, 0) + 1
    return counts


async def send_again(db: Database, settings: Settings, job_id: str, *, queue: JobQueue | None = None) -> Job | None:
    """An operator's retry of a failed job: due now, attempts afresh, handed to the queue; None unless failed."""
    job = await job_store.send_again(db, job_id, now=datetime.now(UTC))
    if job is not None:
        await (queue or job_queue_from_settings(settings)).deliver(job)
        log.info("job sent again by an operator", extra={"job_id": job.id, "kind": job.kind})
    return job


async def voicemail_loop(database: Callable[[], Awaitable[Database]], settings: Settings, *, interval_s: float) -> None:
    """A pass every `interval_s` until cancelled; a failing pass is logged and the next one runs."""

    async def one_pass() -> object:
        return await consume_due(await database(), settings)

    await run_every(one_pass, interval_s=interval_s, what="voicemail transcription")


def with_voicemail_loop(app: FastAPI, *, interval_s: float = DEFAULT_INTERVAL_S) -> FastAPI:
    """Run `voicemail_loop` for as long as the functions app is up (its lifespan)."""
    state: EdgeState = app.state.edge
    return alongside(
        app, lambda: voicemail_loop(state.database, state.settings, interval_s=interval_s), name="voicemail-jobs"
    )


@functools.cache
def _settings() -> Settings:
    settings = load_settings()
    configure_logging(settings.log_level)
    return settings


async def _consume(settings: Settings, job_ids: list[str]) -> dict[str, int]:
    async with connected(settings.database_url, auth_token=settings.turso_auth_token) as db:
        return await consume_ids(db, settings, job_ids, queue=job_queue_from_settings(settings))


def consume(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The Lambda entry point for the SQS queue: run each job named in the batch."""
    return {"outcome": asyncio.run(_consume(_settings(), job_ids_from_sqs_event(event)))}
