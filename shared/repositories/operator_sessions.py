"""Operator console sessions (hashed ids, per-session CSRF token, expiry), in the database so they
hold across Lambda containers. Sign-in locks: shared/repositories/sign_in_attempts.py."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from shared.database import Database, utc_now
from shared.repositories.operators import Operator, hash_secret


@dataclass(frozen=True)
class OperatorSession:
    operator: Operator
    csrf_token: str
    expires_at: str


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


async def start_session(db: Database, *, operator_id: str, lifetime: timedelta) -> str:
    """A new random session id (returned once for the cookie); only its hash is stored."""
    session_id = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    await db.execute(
        "INSERT INTO operator_sessions (id_hash, operator_id, csrf_token, created_at, expires_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (hash_secret(session_id), operator_id, secrets.token_urlsafe(32), _iso(now), _iso(now + lifetime)),
    )
    return session_id


async def find_session(db: Database, session_id: str) -> OperatorSession | None:
    row = await db.fetch_one(
        "SELECT s.csrf_token, s.expires_at, o.id, o.email, o.created_at, o.last_login_at"
        " FROM operator_sessions s JOIN operators o ON o.id = s.operator_id"
        " WHERE s.id_hash = ? AND s.expires_at > ?",
        (hash_secret(session_id), utc_now()),
    )
    if row is None:
        return None
    operator = Operator(
        id=row["id"], email=row["email"], created_at=row["created_at"], last_login_at=row["last_login_at"]
    )
    return OperatorSession(operator=operator, csrf_token=row["csrf_token"], expires_at=row["expires_at"])


async def end_session(db: Database, session_id: str) -> None:
    await db.execute("DELETE FROM operator_sessions WHERE id_hash = ?", (hash_secret(session_id),))
