"""The outbound call-job queue on a real libSQL database: numbers checked, calling hours, do-not-call,
rate limit, retries with backoff and giving up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.database import Database
from shared.outbound import call_jobs, campaigns
from shared.outbound.calling_rules import BadNumber, CallingHours, normalized_number
from shared.repositories.businesses import Business, create_business

NEW_YORK = "+12125550123"
LOS_ANGELES = "+13105550123"
# 15:00 UTC: 10:00 in New York, 07:00 in Los Angeles.
MORNING_UTC = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


@pytest.fixture
async def gym_business(db: Database) -> Business:
    return await create_business(
        db, name="Fit Finder", owner_phone="+12125550100", owner_email="o@fit.example", timezone="America/New_York"
    )


async def _campaign(
    db: Database, business: Business, *, max_attempts: int = 3, retry_base_s: int = 900, calls_per_minute: int = 6
) -> campaigns.Campaign:
    return await campaigns.create_campaign(
        db,
        business_id=business.id,
        name="gyms",
        from_number="+12125550100",
        max_attempts=max_attempts,
        retry_base_s=retry_base_s,
        calls_per_minute=calls_per_minute,
    )


def test_numbers_are_normalized_and_bad_ones_say_why() -> None:
    assert normalized_number("(212) 555-0123") == NEW_YORK
    with pytest.raises(BadNumber, match="not a phone number"):
        normalized_number("call me maybe")
    with pytest.raises(BadNumber, match="not a valid number"):
        normalized_number("+1 555 555 0123")


def test_calling_hours_follow_the_callees_own_clock() -> None:
    hours = CallingHours(9 * 60, 20 * 60)
    assert hours.allows(NEW_YORK, MORNING_UTC)
    assert not hours.allows(LOS_ANGELES, MORNING_UTC)
    # Los Angeles opens at 09:00 local = 17:00 UTC.
    assert hours.next_allowed(LOS_ANGELES, MORNING_UTC) == datetime(2026, 12, 1, 17, 0, tzinfo=UTC)


async def test_a_list_is_queued_with_each_rejected_line_explained(db: Database, gym_business: Business) -> None:
    # GIVEN a business with one number on its do-not-call list
    await campaigns.add_do_not_call(db, business_id=gym_business.id, number="+12125550199", reason="asked")
    campaign = await _campaign(db, gym_business)
    # WHEN a list with good, bad, duplicate and do-not-call numbers is added
    queued, rejected = await campaigns.add_numbers(
        db,
        campaign,
        [(NEW_YORK, "Iron Gym"), ("12", "typo"), ("(212) 555-0123", "again"), ("+12125550199", "dnc")],
    )
    # THEN only the good number is queued and every other line says why
    assert queued == 1
    assert [r.raw for r in rejected] == ["12", "(212) 555-0123", "+12125550199"]
    assert "do-not-call" in rejected[2].reason
    assert [job.to_number for job in await call_jobs.list_jobs(db, campaign.id)] == [NEW_YORK]


async def test_only_numbers_within_their_local_hours_are_claimed(db: Database, gym_business: Business) -> None:
    campaign = await _campaign(db, gym_business)
    await campaigns.add_numbers(db, campaign, [(LOS_ANGELES, "LA gym"), (NEW_YORK, "NY gym")])
    claimed = await call_jobs.claim_due(db, now=MORNING_UTC, limit=5)
    assert [job.to_number for _, job in claimed] == [NEW_YORK]
    # THEN the LA job waits for 09:00 in LA without using an attempt
    la_job = next(job for job in await call_jobs.list_jobs(db, campaign.id) if job.to_number == LOS_ANGELES)
    assert (la_job.status, la_job.attempts, la_job.next_attempt_at) == ("queued", 0, "2026-12-01T17:00:00.000Z")
    # and a claimed job is never claimed twice
    assert await call_jobs.claim_due(db, now=MORNING_UTC, limit=5) == []


async def test_claims_stop_at_free_capacity_and_the_campaigns_rate(db: Database, gym_business: Business) -> None:
    campaign = await _campaign(db, gym_business, calls_per_minute=2)
    numbers = [(f"+1212555{n:04d}", "") for n in range(110, 115)]
    await campaigns.add_numbers(db, campaign, numbers)
    assert len(await call_jobs.claim_due(db, now=MORNING_UTC, limit=1)) == 1
    assert len(await call_jobs.claim_due(db, now=MORNING_UTC, limit=5)) == 1  # the rate: 2 a minute
    assert len(await call_jobs.claim_due(db, now=MORNING_UTC + timedelta(seconds=61), limit=5)) == 2


async def test_a_number_added_to_do_not_call_after_queuing_is_never_rung(db: Database, gym_business: Business) -> None:
    campaign = await _campaign(db, gym_business)
    await campaigns.add_numbers(db, campaign, [(NEW_YORK, "")])
    await campaigns.add_do_not_call(db, business_id=gym_business.id, number=NEW_YORK)
    assert await call_jobs.claim_due(db, now=MORNING_UTC, limit=5) == []
    assert [job.status for job in await call_jobs.list_jobs(db, campaign.id)] == ["do_not_call"]


async def test_busy_is_retried_with_growing_backoff_then_given_up(db: Database, gym_business: Business) -> None:
    campaign = await _campaign(db, gym_business, max_attempts=3, retry_base_s=600)
    await campaigns.add_numbers(db, campaign, [(NEW_YORK, "")])
    now, waits = MORNING_UTC, []
    for _ in range(3):
        [(claimed_campaign, job)] = await call_jobs.claim_due(db, now=now, limit=1)
        await call_jobs.attach_call(db, job.id, f"CA{job.attempts:032d}")
        ended = await call_jobs.record_attempt_end(db, job=job, campaign=claimed_campaign, outcome="busy", now=now)
        if ended.status == "queued":
            due = datetime.fromisoformat(ended.next_attempt_at.replace("Z", "+00:00"))
            waits.append((due - now).total_seconds())
            now = due
    assert waits == [600, 1200]
    assert (ended.status, ended.attempts, ended.last_outcome) == ("gave_up", 3, "busy after 3 attempts")


async def test_an_answered_call_completes_and_a_machine_is_a_voicemail(db: Database, gym_business: Business) -> None:
    campaign = await _campaign(db, gym_business)
    await campaigns.add_numbers(db, campaign, [(NEW_YORK, ""), ("+12125550124", "")])
    first, second = await call_jobs.claim_due(db, now=MORNING_UTC, limit=2)
    done = await call_jobs.record_attempt_end(db, job=first[1], campaign=campaign, outcome="completed", now=MORNING_UTC)
    machine = await call_jobs.record_attempt_end(
        db, job=second[1], campaign=campaign, outcome="voicemail", now=MORNING_UTC
    )
    assert (done.status, machine.status) == ("completed", "voicemail")


async def test_a_call_never_heard_of_again_is_taken_as_failed_and_retried(db: Database, gym_business: Business) -> None:
    campaign = await _campaign(db, gym_business, retry_base_s=60)
    await campaigns.add_numbers(db, campaign, [(NEW_YORK, "")])
    assert len(await call_jobs.claim_due(db, now=MORNING_UTC, limit=1)) == 1
    # WHEN no final status arrives for longer than a call can last
    later = MORNING_UTC + call_jobs.STALE_DIALING + timedelta(minutes=1)
    await call_jobs.claim_due(db, now=later, limit=0)
    # THEN the attempt counts as failed and the number waits for its retry
    [again] = await call_jobs.list_jobs(db, campaign.id)
    assert (again.status, again.last_outcome, again.attempts) == ("queued", "failed", 1)
