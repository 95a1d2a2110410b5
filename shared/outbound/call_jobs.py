"""The call-job queue in the database: which numbers are due, claiming them, and what each attempt ended as.

A job is claimed by flipping it from `queued` to `dialing` in one UPDATE, so two consumers (the local loop
and a Lambda, or two Lambdas) never ring the same number twice. Busy, no-answer and failed attempts go
back to `queued` after a backoff until the campaign's attempt limit, then the job has `gave_up`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from shared.database import Database, Row
from shared.outbound.calling_rules import BadNumber, retry_delay_s
from shared.outbound.campaigns import Campaign, do_not_call_numbers, get_campaign

RETRYABLE = frozenset({"busy", "no-answer", "failed", "canceled"})
# A call Twilio accepted ends with a final status callback; one never heard of after this long (a lost
# callback, a crashed dialler before it attached the sid) is taken as failed, so its number is not stuck.
STALE_DIALING = timedelta(hours=2)
AttemptEnd = Literal["completed", "voicemail", "busy", "no-answer", "failed", "canceled"]


@dataclass(frozen=True)
class CallJob:
    id: str
    campaign_id: str
    to_number: str
    label: str
    status: str
    attempts: int
    next_attempt_at: str
    call_sid: str | None
    last_dialled_at: str | None
    last_outcome: str | None
    updated_at: str


def stamp(moment: datetime) -> str:
    """The database's timestamp format (shared.database.utc_now) for any moment."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _from_row(row: Row) -> CallJob:
    return CallJob(**row)


async def list_jobs(db: Database, campaign_id: str) -> list[CallJob]:
    rows = await db.fetch_all("SELECT * FROM outbound_call_jobs WHERE campaign_id = ? ORDER BY rowid", (campaign_id,))
    return [_from_row(row) for row in rows]


async def job_for_call(db: Database, call_sid: str) -> CallJob | None:
    row = await db.fetch_one("SELECT * FROM outbound_call_jobs WHERE call_sid = ?", (call_sid,))
    return _from_row(row) if row else None


async def campaign_for_call(db: Database, call_sid: str) -> Campaign | None:
    """The campaign whose job this call is (the sid is attached when the callee answers), else None."""
    job = await job_for_call(db, call_sid) if call_sid else None
    return await get_campaign(db, job.campaign_id) if job else None


async def claim_due(db: Database, *, now: datetime, limit: int) -> list[tuple[Campaign, CallJob]]:
    """Up to `limit` jobs that may be rung now, each claimed (`dialing`) for the caller to place.

    Jobs outside the callee's calling hours move to the next allowed moment without using an attempt;
    jobs whose number joined the do-not-call list after queuing end as `do_not_call`; each campaign
    rings at most `calls_per_minute` numbers in any minute.
    """
    await _release_stale(db, now)
    claimed: list[tuple[Campaign, CallJob]] = []
    if limit <= 0:
        return claimed
    rows = await db.fetch_all(
        "SELECT j.* FROM outbound_call_jobs j JOIN outbound_campaigns c ON c.id = j.campaign_id"
        " WHERE j.status = 'queued' AND j.next_attempt_at <= ? AND c.status = 'active'"
        " ORDER BY j.next_attempt_at, j.rowid LIMIT ?",
        (stamp(now), max(limit * 4, 20)),
    )
    campaigns: dict[str, Campaign] = {}
    for job in map(_from_row, rows):
        if len(claimed) >= limit:
            break
        campaign = campaigns.get(job.campaign_id) or await get_campaign(db, job.campaign_id)
        if campaign is None:
            continue
        campaigns[campaign.id] = campaign
        if await _may_ring(db, campaign, job, now) and (dialing := await _claim(db, job, now)):
            claimed.append((campaign, dialing))
    return claimed


async def _release_stale(db: Database, now: datetime) -> None:
    rows = await db.fetch_all(
        "SELECT * FROM outbound_call_jobs WHERE status = 'dialing' AND last_dialled_at < ?",
        (stamp(now - STALE_DIALING),),
    )
    for job in map(_from_row, rows):
        campaign = await get_campaign(db, job.campaign_id)
        if campaign is not None:
            await record_attempt_end(db, job=job, campaign=campaign, outcome="failed", now=now)


async def _may_ring(db: Database, campaign: Campaign, job: CallJob, now: datetime) -> bool:
    if job.to_number in await do_not_call_numbers(db, campaign.business_id):
        await _set(db, job.id, status="do_not_call", outcome="on the do-not-call list", now=now)
        return False
    try:
        allowed_at = campaign.calling_hours.next_allowed(job.to_number, now)
    except BadNumber as error:
        await _set(db, job.id, status="gave_up", outcome=str(error), now=now)
        return False
    if allowed_at > now:
        await db.execute(
            "UPDATE outbound_call_jobs SET next_attempt_at = ? WHERE id = ? AND status = 'queued'",
            (stamp(allowed_at), job.id),
        )
        return False
    minute_ago = stamp(now - timedelta(minutes=1))
    row = await db.fetch_one(
        "SELECT COUNT(*) AS n FROM outbound_call_jobs WHERE campaign_id = ? AND last_dialled_at > ?",
        (campaign.id, minute_ago),
    )
    return row is None or int(row["n"]) < campaign.calls_per_minute


async def _claim(db: Database, job: CallJob, now: datetime) -> CallJob | None:
    """The job as claimed (its attempt counted), or None when another consumer claimed it first."""
    changed = await db.execute(
        "UPDATE outbound_call_jobs SET status = 'dialing', attempts = attempts + 1, last_dialled_at = ?,"
        " call_sid = NULL, updated_at = ? WHERE id = ? AND status = 'queued'",
        (stamp(now), stamp(now), job.id),
    )
    return await get_job(db, job.id) if changed == 1 else None


async def get_job(db: Database, job_id: str) -> CallJob | None:
    row = await db.fetch_one("SELECT * FROM outbound_call_jobs WHERE id = ?", (job_id,))
    return _from_row(row) if row else None


async def attach_call(db: Database, job_id: str, call_sid: str) -> None:
    """The provider accepted the call: later callbacks find the job by this sid."""
    await db.execute("UPDATE outbound_call_jobs SET call_sid = ? WHERE id = ?", (call_sid, job_id))


async def record_attempt_end(
    db: Database, *, job: CallJob, campaign: Campaign, outcome: AttemptEnd | str, now: datetime
) -> CallJob:
    """What the attempt ended as; busy / no-answer / failed go back in the queue after a backoff."""
    if outcome in RETRYABLE and job.attempts < campaign.max_attempts:
        delay = retry_delay_s(attempt=job.attempts, base_s=campaign.retry_base_s)
        await db.execute(
            "UPDATE outbound_call_jobs SET status = 'queued', next_attempt_at = ?, last_outcome = ?, updated_at = ?"
            " WHERE id = ? AND status = 'dialing'",
            (stamp(now + timedelta(seconds=delay)), outcome, stamp(now), job.id),
        )
    elif outcome in RETRYABLE:
        await _set(db, job.id, status="gave_up", outcome=f"{outcome} after {job.attempts} attempts", now=now)
    else:
        status = "voicemail" if outcome == "voicemail" else "completed"
        await _set(db, job.id, status=status, outcome=outcome, now=now)
    ended = await get_job(db, job.id)
    assert ended is not None
    return ended


async def _set(db: Database, job_id: str, *, status: str, outcome: str, now: datetime) -> None:
    await db.execute(
        "UPDATE outbound_call_jobs SET status = ?, last_outcome = ?, updated_at = ? WHERE id = ?",
        (status, outcome, stamp(now), job_id),
    )


async def in_flight(db: Database) -> int:
    row = await db.fetch_one("SELECT COUNT(*) AS n FROM outbound_call_jobs WHERE status = 'dialing'")
    return int(row["n"]) if row else 0
