"""Sign-in attempts and the locks they cause, in the database so they hold across Lambda containers.

An attempt is recorded *before* its password is checked, and counts as a failure until it succeeds,
so guesses sent at once are counted like guesses sent one by one: an attempt is judged only by the
failures recorded before it (by id), so exactly the allowed number are tried, whatever the timing.

Three locks, each lifting when its oldest counted failure leaves the window:
- one account from one address (5 failures): a guesser locks only themselves out, not the operator;
- one address, any accounts (20): one client trying many accounts;
- one account from every address (50): many clients on one account, but never for an address the
  operator has signed in from before (the operator's way in while someone guesses their email).
Attempts refused because of a lock are marked and not counted, so a lock never grows: it lasts at
most LOCK_WINDOW after the failures that caused it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from shared.database import Database
from shared.repositories.operators import normalize_email

LOCK_WINDOW = timedelta(minutes=15)
KNOWN_ADDRESS_WINDOW = timedelta(days=30)
MAX_FAILURES_PER_PAIR = 5
MAX_FAILURES_PER_ADDRESS = 20
MAX_FAILURES_PER_ACCOUNT = 50

Scope = Literal["account from this address", "this address", "account"]
# Counted failures: not (yet) succeeded, and not refused by a lock.
_COUNTED = "succeeded = 0 AND refused = 0 AND attempted_at > ?"
# Each lock: which attempts it counts, grouped by what, and how many failures it allows.
_SCOPES: dict[Scope, tuple[str, str, int]] = {
    "account from this address": ("email = ? AND client_ip = ?", "email, client_ip", MAX_FAILURES_PER_PAIR),
    "this address": ("client_ip = ?", "client_ip", MAX_FAILURES_PER_ADDRESS),
    "account": ("email = ?", "email", MAX_FAILURES_PER_ACCOUNT),
}


def _scope_args(scope: Scope, email: str, client_ip: str) -> tuple[str, ...]:
    return {"account from this address": (email, client_ip), "this address": (client_ip,), "account": (email,)}[scope]


@dataclass(frozen=True)
class SignInLock:
    scope: Scope
    until: datetime

    def minutes_left(self, now: datetime) -> int:
        return _minutes_until(self.until, now)


@dataclass(frozen=True)
class Attempt:
    id: int
    lock: SignInLock | None  # set when this attempt is refused without checking the password


@dataclass(frozen=True)
class ActiveLock:
    """A lock in force now, as the console lists it."""

    scope: Scope
    email: str
    client_ip: str
    failures: int
    until: datetime

    def minutes_left(self, now: datetime) -> int:
        return _minutes_until(self.until, now)


def _minutes_until(until: datetime, now: datetime) -> int:
    """Whole minutes left, rounded up (a lock ending in 10 s still reads '1 minute')."""
    return max(1, -int(-(until - now).total_seconds() // 60))


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


async def begin_attempt(db: Database, *, email: str, client_ip: str, now: datetime | None = None) -> Attempt:
    """Record an attempt (as failed until `succeed` says otherwise); refused at once if a lock holds."""
    moment = now or datetime.now(UTC)
    account = normalize_email(email)
    row = await db.fetch_one(
        "INSERT INTO login_attempts (email, client_ip, succeeded, attempted_at) VALUES (?, ?, 0, ?) RETURNING id",
        (account, client_ip, _iso(moment)),
    )
    assert row is not None
    attempt_id = int(row["id"])
    lock = await _lock_before(db, attempt_id=attempt_id, email=account, client_ip=client_ip, now=moment)
    if lock is not None:
        await db.execute("UPDATE login_attempts SET refused = 1 WHERE id = ?", (attempt_id,))
    return Attempt(attempt_id, lock)


async def succeed(db: Database, attempt_id: int) -> None:
    await db.execute("UPDATE login_attempts SET succeeded = 1 WHERE id = ?", (attempt_id,))


async def _lock_before(
    db: Database, *, attempt_id: int, email: str, client_ip: str, now: datetime
) -> SignInLock | None:
    since = _iso(now - LOCK_WINDOW)
    for scope in _SCOPES:
        if scope == "account" and await _known_address(db, email=email, client_ip=client_ip, now=now):
            continue
        until = await _lifts_at(db, scope, _scope_args(scope, email, client_ip), since=since, before_id=attempt_id)
        if until is not None:
            return SignInLock(scope, until)
    return None


async def _lifts_at(
    db: Database, scope: Scope, args: tuple[str, ...], *, since: str, before_id: int | None = None
) -> datetime | None:
    """When the lock of `scope` lifts (None: not locked): when its limit-th latest failure leaves the window."""
    condition, _, limit = _SCOPES[scope]
    row = await db.fetch_one(
        f"SELECT attempted_at FROM login_attempts WHERE {condition} AND {_COUNTED} AND id < ?"  # noqa: S608 - fixed SQL
        " ORDER BY id DESC LIMIT 1 OFFSET ?",
        (*args, since, before_id if before_id is not None else 2**62, limit - 1),
    )
    return _parse(row["attempted_at"]) + LOCK_WINDOW if row else None


async def _known_address(db: Database, *, email: str, client_ip: str, now: datetime) -> bool:
    row = await db.fetch_one(
        "SELECT 1 AS known FROM login_attempts WHERE email = ? AND client_ip = ? AND succeeded = 1"
        " AND attempted_at > ? LIMIT 1",
        (email, client_ip, _iso(now - KNOWN_ADDRESS_WINDOW)),
    )
    return row is not None


async def active_locks(db: Database, *, now: datetime | None = None) -> list[ActiveLock]:
    """Every lock in force now (what the console shows), longest-lasting first."""
    moment = now or datetime.now(UTC)
    since = _iso(moment - LOCK_WINDOW)
    found: list[ActiveLock] = []
    for scope, (_, group, limit) in _SCOPES.items():
        rows = await db.fetch_all(
            f"SELECT {group}, COUNT(*) AS failures FROM login_attempts WHERE {_COUNTED}"  # noqa: S608 - fixed SQL
            f" GROUP BY {group} HAVING COUNT(*) >= ?",
            (since, limit),
        )
        for row in rows:
            email, client_ip = row.get("email", ""), row.get("client_ip", "")
            until = await _lifts_at(db, scope, _scope_args(scope, email, client_ip), since=since)
            if until is not None:
                found.append(ActiveLock(scope, email, client_ip, int(row["failures"]), until))
    return sorted(found, key=lambda lock: lock.until, reverse=True)
