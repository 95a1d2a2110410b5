"""Operator sessions and sign-in rate limits, on every database backend (they must hold across Lambdas)."""

from __future__ import annotations

from datetime import timedelta

from shared.database import Database
from shared.repositories.operator_sessions import (
    MAX_FAILURES_PER_IP,
    end_session,
    find_session,
    is_locked_out,
    record_attempt,
    start_session,
)
from shared.repositories.operators import create_operator


async def test_sessions_are_found_by_id_until_they_expire_or_end(any_db: Database):
    operator = await create_operator(any_db, email="s@example.com", password="long enough password")
    # GIVEN a live session and one that has already expired
    live = await start_session(any_db, operator_id=operator.id, lifetime=timedelta(hours=1))
    expired = await start_session(any_db, operator_id=operator.id, lifetime=timedelta(seconds=-1))
    # THEN only the live one opens, with its own CSRF token, and the id itself is not stored
    found = await find_session(any_db, live)
    assert found is not None
    assert found.operator.email == "s@example.com"
    assert len(found.csrf_token) > 30
    assert await find_session(any_db, expired) is None
    assert await any_db.fetch_one("SELECT 1 AS x FROM operator_sessions WHERE id_hash = ?", (live,)) is None
    # WHEN it ends, THEN it no longer opens
    await end_session(any_db, live)
    assert await find_session(any_db, live) is None


async def test_failures_from_one_address_lock_that_address_only(any_db: Database):
    # GIVEN many failed sign-ins for different accounts from one address
    for attempt in range(MAX_FAILURES_PER_IP):
        await record_attempt(any_db, email=f"guess{attempt}@example.com", client_ip="203.0.113.9", succeeded=False)
    # THEN that address is locked out even for a fresh account, and other addresses are not
    assert await is_locked_out(any_db, email="fresh@example.com", client_ip="203.0.113.9")
    assert not await is_locked_out(any_db, email="fresh@example.com", client_ip="198.51.100.1")


async def test_successes_do_not_count_towards_a_lockout(any_db: Database):
    for _ in range(10):
        await record_attempt(any_db, email="ok@example.com", client_ip="198.51.100.2", succeeded=True)
    assert not await is_locked_out(any_db, email="ok@example.com", client_ip="198.51.100.2")
