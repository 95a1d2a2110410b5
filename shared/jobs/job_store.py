"""Background jobs in the database (table queued_jobs): enqueue once per key, claim with a lease, record
each attempt's end, and what the console shows (counts by status, the failures).

Whatever carries a job to its consumer (the database itself locally, SQS in production; see
shared/jobs/job_queue.py), the row is the job's truth: a consumer claims it by flipping it to `running` in
one UPDATE guarded by its status and lease, so two deliveries of the same job (SQS is at-least-once, a
local loop beside a Lambda) never run it twice at the same time, and a consumer that died mid-job only
holds it until its lease runs out.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from shared.database import Database, Row

JobStatus = Literal["waiting", "running", "done", "failed"]
STATUSES: tuple[JobStatus, ...] = ("waiting", "running", "done", "failed")
DEFAULT_MAX_ATTEMPTS = 5
# After the 1st, 2nd, 3rd... failed attempt. At most 15 minutes: SQS delays a message 900 s at most.
RETRY_DELAYS_S = (30, 120, 600, 900)
DEFAULT_LEASE = timedelta(minutes=5)
MAX_ERROR_CHARS = 500


@dataclass(frozen=True)
class Job:
    id: str
    kind: str
    dedupe_key: str
    payload: dict[str, Any]
    call_sid: str | None
    status: JobStatus
    attempts: int
    max_attempts: int
    run_after: str
    lease_until: str | None
    last_error: str | None
    created_at: str
    updated_at: str
    finished_at: str | None


@dataclass(frozen=True)
class AttemptEnd:
    """What `fail_attempt` decided: `retry_in_s` is None when the job has failed for good."""

    job: Job
    retry_in_s: int | None


def stamp(moment: datetime) -> str:
    """The database's timestamp format (shared.database.utc_now) for any moment."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def retry_delay_s(attempts_done: int) -> int:
    return RETRY_DELAYS_S[min(max(attempts_done, 1), len(RETRY_DELAYS_S)) - 1]


def _from_row(row: Row) -> Job:
    return Job(**{**row, "payload": json.loads(row["payload"] or "{}")})


async def get_job(db: Database, job_id: str) -> Job | None:
    row = await db.fetch_one("SELECT * FROM queued_jobs WHERE id = ?", (job_id,))
    return _from_row(row) if row else None


async def enqueue(
    db: Database,
    *,
    kind: str,
    dedupe_key: str,
    payload: dict[str, Any],
    call_sid: str | None = None,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    now: datetime | None = None,
) -> tuple[Job, bool]:
    """The job for `dedupe_key`, created now (True) or as it already was (False: nothing is added)."""
    moment = stamp(now or datetime.now(UTC))
    created = await db.execute(
        "INSERT INTO queued_jobs (id, kind, dedupe_key, payload, call_sid, max_attempts, run_after, created_at,"
        " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING",
        (uuid.uuid4().hex, kind, dedupe_key, json.dumps(payload), call_sid, max_attempts, moment, moment, moment),
    )
    row = await db.fetch_one("SELECT * FROM queued_jobs WHERE dedupe_key = ?", (dedupe_key,))
    assert row is not None
    return _from_row(row), created > 0


async def claim(db: Database, job_id: str, *, now: datetime, lease: timedelta = DEFAULT_LEASE) -> Job | None:
    """Take this job for one attempt if it is due (or its last consumer's lease ran out); None otherwise."""
    moment = stamp(now)
    changed = await db.execute(
        "UPDATE queued_jobs SET status = 'running', attempts = attempts + 1, lease_until = ?, updated_at = ?"
        " WHERE id = ? AND ((status = 'waiting' AND run_after <= ?) OR (status = 'running' AND lease_until < ?))",
        (stamp(now + lease), moment, job_id, moment, moment),
    )
    return await get_job(db, job_id) if changed else None


async def due_ids(db: Database, *, kind: str, now: datetime, limit: int) -> list[str]:
    moment = stamp(now)
    rows = await db.fetch_all(
        "SELECT id FROM queued_jobs WHERE kind = ?"
        " AND ((status = 'waiting' AND run_after <= ?) OR (status = 'running' AND lease_until < ?))"
        " ORDER BY run_after LIMIT ?",
        (kind, moment, moment, limit),
    )
    return [str(row["id"]) for row in rows]


async def complete(db: Database, job: Job, *, now: datetime) -> None:
    await db.execute(
        "UPDATE queued_jobs SET status = 'done', lease_until = NULL, last_error = NULL, updated_at = ?,"
        " finished_at = ? WHERE id = ? AND status = 'running' AND attempts = ?",
        (stamp(now), stamp(now), job.id, job.attempts),
    )


async def fail_attempt(db: Database, job: Job, *, error: str, retryable: bool, now: datetime) -> AttemptEnd:
    """End this attempt: back to `waiting` after the next delay, or `failed` when attempts are used up or
    the error is one retrying cannot fix."""
    retry_in = retry_delay_s(job.attempts) if retryable and job.attempts < job.max_attempts else None
    message = error[:MAX_ERROR_CHARS]
    if retry_in is None:
        await db.execute(
            "UPDATE queued_jobs SET status = 'failed', lease_until = NULL, last_error = ?, updated_at = ?,"
            " finished_at = ? WHERE id = ? AND status = 'running' AND attempts = ?",
            (message, stamp(now), stamp(now), job.id, job.attempts),
        )
    else:
        await db.execute(
            "UPDATE queued_jobs SET status = 'waiting', lease_until = NULL, last_error = ?, run_after = ?,"
            " updated_at = ? WHERE id = ? AND status = 'running' AND attempts = ?",
            (message, stamp(now + timedelta(seconds=retry_in)), stamp(now), job.id, job.attempts),
        )
    updated = await get_job(db, job.id)
    assert updated is not None
    return AttemptEnd(job=updated, retry_in_s=retry_in)


async def fail_undelivered(db: Database, job: Job, *, error: str, now: datetime) -> None:
    """A new job its queue would not take (SQS down): failed at once, so the console offers to send it again."""
    await db.execute(
        "UPDATE queued_jobs SET status = 'failed', last_error = ?, updated_at = ?, finished_at = ?"
        " WHERE id = ? AND status = 'waiting'",
        (error[:MAX_ERROR_CHARS], stamp(now), stamp(now), job.id),
    )


async def send_again(db: Database, job_id: str, *, now: datetime) -> Job | None:
    """An operator's retry of a failed job: due now, with its attempts counted afresh; None unless failed."""
    changed = await db.execute(
        "UPDATE queued_jobs SET status = 'waiting', attempts = 0, run_after = ?, lease_until = NULL,"
        " finished_at = NULL, updated_at = ? WHERE id = ? AND status = 'failed'",
        (stamp(now), stamp(now), job_id),
    )
    return await get_job(db, job_id) if changed else None


async def counts(db: Database) -> dict[str, dict[JobStatus, int]]:
    """Jobs by kind and status (every status present, zero when none)."""
    rows = await db.fetch_all("SELECT kind, status, COUNT(*) AS n FROM queued_jobs GROUP BY kind, status")
    table: dict[str, dict[JobStatus, int]] = {}
    for row in rows:
        by_status = table.setdefault(str(row["kind"]), dict.fromkeys(STATUSES, 0))
        by_status[row["status"]] = int(row["n"])
    return table


async def failures(db: Database, *, limit: int = 50) -> list[Job]:
    """Failed jobs, newest first, and those waiting after a failed attempt (they show their last error)."""
    rows = await db.fetch_all(
        "SELECT * FROM queued_jobs WHERE status = 'failed' OR (status = 'waiting' AND last_error IS NOT NULL)"
        " ORDER BY updated_at DESC LIMIT ?",
        (limit,),
    )
    return [_from_row(row) for row in rows]
