"""The console's jobs page: queue counts by status, each failure with its error, and a retry that sends it
again (through the real console over HTTP, signed in)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import httpx

from functions.voicemail.transcription_job import KIND
from shared.database import Database
from shared.jobs import job_store


async def _job(db: Database, key: str, *, ending: str | None, error: str = "") -> job_store.Job:
    """A voicemail job that ran once and ended `ending` (None: still waiting for its first attempt)."""
    job, _ = await job_store.enqueue(
        db, kind=KIND, dedupe_key=f"voicemail:{key}", payload={"recording_sid": key}, call_sid="CA" + key[2:]
    )
    if ending is None:
        return job
    claimed = await job_store.claim(db, job.id, now=datetime.now(UTC))
    assert claimed is not None
    if ending == "done":
        await job_store.complete(db, claimed, now=datetime.now(UTC))
    else:
        await job_store.fail_attempt(db, claimed, error=error, retryable=False, now=datetime.now(UTC))
    fresh = await job_store.get_job(db, job.id)
    assert fresh is not None
    return fresh


def _count(html: str, status: str) -> int:
    row = re.search(r'<tr data-kind="transcribe_voicemail">(.*?)</tr>', html, re.S)
    assert row, "no voicemail row in the counts"
    cell = re.search(rf'<td data-status="{status}">(\d+)</td>', row.group(1))
    assert cell, f"no {status} count"
    return int(cell.group(1))


async def test_the_jobs_page_shows_counts_and_failures_and_retries_one(
    console: tuple[httpx.AsyncClient, str], db: Database
) -> None:
    client, csrf = console
    # GIVEN one voicemail job waiting, one done and one failed for good
    await _job(db, "RE" + "a" * 32, ending=None)
    await _job(db, "RE" + "b" * 32, ending="done")
    failed = await _job(db, "RE" + "c" * 32, ending="failed", error="the recording is 400 s long; too long")
    # WHEN an operator opens the jobs page (linked from the console's menu)
    page = await client.get("/admin/jobs")
    # THEN it counts each status, and lists the failure with its error and a retry button
    assert page.status_code == 200
    assert 'href="/admin/jobs"' in page.text
    assert (_count(page.text, "waiting"), _count(page.text, "running")) == (1, 0)
    assert (_count(page.text, "done"), _count(page.text, "failed")) == (1, 1)
    assert "the recording is 400 s long; too long" in page.text
    assert f'action="/admin/jobs/{failed.id}/retry"' in page.text
    # WHEN the operator retries it
    retried = await client.post(f"/admin/jobs/{failed.id}/retry", data={"csrf_token": csrf})
    # THEN it is due again with its attempts counted afresh, and the page says so
    assert retried.status_code == 303
    again = await job_store.get_job(db, failed.id)
    assert again is not None
    assert (again.status, again.attempts) == ("waiting", 0)
    after = await client.get(retried.headers["location"])
    assert "Job sent again." in after.text
    assert (_count(after.text, "waiting"), _count(after.text, "failed")) == (2, 0)


async def test_a_retry_without_the_csrf_token_is_refused(console: tuple[httpx.AsyncClient, str], db: Database) -> None:
    client, _ = console
    failed = await _job(db, "RE" + "d" * 32, ending="failed", error="Twilio refused the credentials")
    response = await client.post(f"/admin/jobs/{failed.id}/retry", data={})
    assert response.status_code == 403
    still = await job_store.get_job(db, failed.id)
    assert still is not None
    assert still.status == "failed"
