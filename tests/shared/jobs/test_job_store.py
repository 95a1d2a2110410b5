"""The job rows: one per key, claimed once at a time with a lease, retried after a growing delay, failed
after the last attempt or at once for an error retrying cannot fix, and sent again by an operator."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shared.database import Database
from shared.jobs import job_store

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


async def _new(db: Database, key: str = "voicemail:RE1", *, max_attempts: int = 3) -> job_store.Job:
    job, created = await job_store.enqueue(
        db, kind="transcribe_voicemail", dedupe_key=key, payload={"n": 1}, max_attempts=max_attempts, now=NOW
    )
    assert created
    return job


async def test_the_same_key_is_one_job(db: Database) -> None:
    first = await _new(db)
    again, created = await job_store.enqueue(db, kind="transcribe_voicemail", dedupe_key="voicemail:RE1", payload={})
    assert not created
    assert again.id == first.id
    assert again.payload == {"n": 1}


async def test_a_claimed_job_is_not_claimed_again_until_its_lease_runs_out(db: Database) -> None:
    job = await _new(db)
    claimed = await job_store.claim(db, job.id, now=NOW, lease=timedelta(minutes=5))
    assert claimed is not None
    assert (claimed.status, claimed.attempts) == ("running", 1)
    assert await job_store.claim(db, job.id, now=NOW + timedelta(minutes=4)) is None
    # a consumer that died mid-job only holds it until its lease ends
    retaken = await job_store.claim(db, job.id, now=NOW + timedelta(minutes=6))
    assert retaken is not None
    assert retaken.attempts == 2


async def test_failed_attempts_back_off_then_the_job_fails_with_its_last_error(db: Database) -> None:
    job = await _new(db, max_attempts=3)
    moment, delays = NOW, []
    for attempt in range(3):
        claimed = await job_store.claim(db, job.id, now=moment)
        assert claimed is not None, f"attempt {attempt + 1} was not due"
        end = await job_store.fail_attempt(db, claimed, error=f"worker down #{attempt + 1}", retryable=True, now=moment)
        delays.append(end.retry_in_s)
        if end.retry_in_s is not None:
            assert await job_store.due_ids(db, kind="transcribe_voicemail", now=moment, limit=5) == []
            moment += timedelta(seconds=end.retry_in_s)
    assert delays == [30, 120, None]
    final = await job_store.get_job(db, job.id)
    assert final is not None
    assert (final.status, final.last_error) == ("failed", "worker down #3")


async def test_an_error_retrying_cannot_fix_fails_at_once_and_an_operator_can_send_it_again(db: Database) -> None:
    job = await _new(db)
    claimed = await job_store.claim(db, job.id, now=NOW)
    assert claimed is not None
    end = await job_store.fail_attempt(db, claimed, error="too long", retryable=False, now=NOW)
    assert end.retry_in_s is None
    assert end.job.status == "failed"
    assert await job_store.counts(db) == {"transcribe_voicemail": {"waiting": 0, "running": 0, "done": 0, "failed": 1}}
    sent = await job_store.send_again(db, job.id, now=NOW)
    assert sent is not None
    assert (sent.status, sent.attempts) == ("waiting", 0)
    assert await job_store.send_again(db, job.id, now=NOW) is None  # only a failed job is sent again
