"""Sign-in locks on every database backend: what locks, for how long, and what never does."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from shared.database import Database
from shared.repositories.sign_in_attempts import (
    LOCK_WINDOW,
    MAX_FAILURES_PER_ACCOUNT,
    MAX_FAILURES_PER_ADDRESS,
    MAX_FAILURES_PER_PAIR,
    active_locks,
    begin_attempt,
    succeed,
)

T0 = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
ATTACKER, OPERATOR_ADDRESS = "203.0.113.9", "198.51.100.7"


async def _fail(db: Database, n: int, *, email: str, client_ip: str, at: datetime) -> list[bool]:
    """n failed attempts; True for each that was tried (not refused by a lock)."""
    return [(await begin_attempt(db, email=email, client_ip=client_ip, now=at)).lock is None for _ in range(n)]


async def test_concurrent_guesses_are_counted_like_sequential_ones(any_db: Database) -> None:
    # GIVEN 30 guesses for one account from one address, all sent at once
    attempts = await asyncio.gather(
        *(begin_attempt(any_db, email="ops@example.com", client_ip=ATTACKER, now=T0) for _ in range(30))
    )
    # THEN exactly the allowed five are tried
    assert sum(attempt.lock is None for attempt in attempts) == MAX_FAILURES_PER_PAIR


async def test_a_lock_does_not_grow_while_the_guesser_keeps_trying(any_db: Database) -> None:
    # GIVEN five failures at T0
    assert await _fail(any_db, 5, email="ops@example.com", client_ip=ATTACKER, at=T0) == [True] * 5
    # WHEN the guesser keeps trying every minute
    for minute in range(1, 15):
        attempt = await begin_attempt(
            any_db, email="ops@example.com", client_ip=ATTACKER, now=T0 + timedelta(minutes=minute)
        )
        # THEN each is refused, and the lock still ends 15 minutes after the failures that caused it
        assert attempt.lock is not None
        assert attempt.lock.until == T0 + LOCK_WINDOW
        assert attempt.lock.scope == "account from this address"
    # AND once the window has passed the account can be tried again
    after = await begin_attempt(any_db, email="ops@example.com", client_ip=ATTACKER, now=T0 + LOCK_WINDOW)
    assert after.lock is None


async def test_a_guesser_does_not_lock_the_operator_out_from_their_own_address(any_db: Database) -> None:
    # GIVEN a guesser who locked the pair (their address, the operator's email)
    await _fail(any_db, 6, email="ops@example.com", client_ip=ATTACKER, at=T0)
    # WHEN the operator signs in from their own address THEN they are not locked
    attempt = await begin_attempt(any_db, email="ops@example.com", client_ip=OPERATOR_ADDRESS, now=T0)
    assert attempt.lock is None


async def test_many_accounts_from_one_address_lock_that_address(any_db: Database) -> None:
    # GIVEN 20 failures for different accounts from one address
    for n in range(MAX_FAILURES_PER_ADDRESS):
        assert await _fail(any_db, 1, email=f"guess{n}@example.com", client_ip=ATTACKER, at=T0) == [True]
    # THEN that address is locked even for a fresh account, and other addresses are not
    locked = await begin_attempt(any_db, email="fresh@example.com", client_ip=ATTACKER, now=T0)
    assert locked.lock is not None
    assert locked.lock.scope == "this address"
    assert (await begin_attempt(any_db, email="fresh@example.com", client_ip=OPERATOR_ADDRESS, now=T0)).lock is None


async def test_many_addresses_on_one_account_lock_it_except_where_the_operator_signed_in_before(
    any_db: Database,
) -> None:
    # GIVEN the operator signed in from their address yesterday
    known = await begin_attempt(any_db, email="ops@example.com", client_ip=OPERATOR_ADDRESS, now=T0 - timedelta(days=1))
    await succeed(any_db, known.id)
    # AND 50 failures on their account from 50 addresses
    for n in range(MAX_FAILURES_PER_ACCOUNT):
        await _fail(any_db, 1, email="ops@example.com", client_ip=f"192.0.2.{n}", at=T0)
    # THEN a new address is locked for that account, but the operator's own address is not
    stranger = await begin_attempt(any_db, email="ops@example.com", client_ip="192.0.2.200", now=T0)
    assert stranger.lock is not None
    assert stranger.lock.scope == "account"
    assert (await begin_attempt(any_db, email="ops@example.com", client_ip=OPERATOR_ADDRESS, now=T0)).lock is None


async def test_successes_do_not_count_and_active_locks_are_listed(any_db: Database) -> None:
    for _ in range(10):
        ok = await begin_attempt(any_db, email="ok@example.com", client_ip=OPERATOR_ADDRESS, now=T0)
        assert ok.lock is None
        await succeed(any_db, ok.id)
    await _fail(any_db, 7, email="ops@example.com", client_ip=ATTACKER, at=T0)
    [lock] = await active_locks(any_db, now=T0 + timedelta(minutes=1))
    assert (lock.scope, lock.email, lock.client_ip, lock.failures) == (
        "account from this address",
        "ops@example.com",
        ATTACKER,
        5,
    )
    assert lock.until == T0 + LOCK_WINDOW
    assert await active_locks(any_db, now=T0 + LOCK_WINDOW + timedelta(seconds=1)) == []
