"""Operator accounts (argon2-hashed passwords) and their API tokens (sha256-hashed, shown once)."""

from __future__ import annotations

import asyncio
import hashlib
import re
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from shared.database import Database, Row, utc_now

MIN_PASSWORD_LENGTH = 12
TOKEN_PREFIX = "bh_"  # noqa: S105 - a visible prefix, not a secret
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_hasher = PasswordHasher()
# Verified when the email is unknown, so a wrong email costs the same time as a wrong password.
_DUMMY_HASH = _hasher.hash("not-a-real-password-" + secrets.token_hex(8))


class InvalidOperator(ValueError):
    """Bad email or password for a new account; the message says which."""


@dataclass(frozen=True)
class Operator:
    id: str
    email: str
    created_at: str
    last_login_at: str | None


@dataclass(frozen=True)
class ApiToken:
    id: str
    operator_id: str
    name: str
    prefix: str
    created_at: str
    last_used_at: str | None
    revoked_at: str | None


def _operator(row: Row) -> Operator:
    return Operator(id=row["id"], email=row["email"], created_at=row["created_at"], last_login_at=row["last_login_at"])


def normalize_email(email: str) -> str:
    return email.strip().lower()


def hash_secret(value: str) -> str:
    """sha256 hex of a high-entropy secret (session id, API token); such secrets need no slow hash."""
    return hashlib.sha256(value.encode()).hexdigest()


async def create_operator(db: Database, *, email: str, password: str) -> Operator:
    email = normalize_email(email)
    if not _EMAIL.match(email):
        raise InvalidOperator(f"not an email address: {email[:60]!r}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidOperator(f"the password must be at least {MIN_PASSWORD_LENGTH} characters")
    if await get_operator_by_email(db, email) is not None:
        raise InvalidOperator(f"an operator with the email {email} already exists")
    password_hash = await asyncio.to_thread(_hasher.hash, password)
    operator_id = "op_" + secrets.token_hex(8)
    await db.execute(
        "INSERT INTO operators (id, email, password_hash, created_at) VALUES (?, ?, ?, ?)",
        (operator_id, email, password_hash, utc_now()),
    )
    found = await get_operator(db, operator_id)
    assert found is not None
    return found


async def get_operator(db: Database, operator_id: str) -> Operator | None:
    row = await db.fetch_one("SELECT * FROM operators WHERE id = ?", (operator_id,))
    return _operator(row) if row else None


async def get_operator_by_email(db: Database, email: str) -> Operator | None:
    row = await db.fetch_one("SELECT * FROM operators WHERE lower(email) = ?", (normalize_email(email),))
    return _operator(row) if row else None


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


async def check_password(db: Database, *, email: str, password: str) -> Operator | None:
    """The operator when the password matches; None otherwise (same work for unknown emails)."""
    row = await db.fetch_one("SELECT * FROM operators WHERE lower(email) = ?", (normalize_email(email),))
    matched = await asyncio.to_thread(_verify, row["password_hash"] if row else _DUMMY_HASH, password)
    if row is None or not matched:
        return None
    await db.execute("UPDATE operators SET last_login_at = ? WHERE id = ?", (utc_now(), row["id"]))
    return _operator(row)


def _token(row: Row) -> ApiToken:
    return ApiToken(
        id=row["id"],
        operator_id=row["operator_id"],
        name=row["name"],
        prefix=row["prefix"],
        created_at=row["created_at"],
        last_used_at=row["last_used_at"],
        revoked_at=row["revoked_at"],
    )


async def create_api_token(db: Database, *, operator_id: str, name: str) -> tuple[ApiToken, str]:
    """A new token; the secret is returned once and only its hash is kept."""
    name = name.strip()
    if not name:
        raise InvalidOperator("give the token a name (what script uses it)")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token_id = "tok_" + secrets.token_hex(6)
    await db.execute(
        "INSERT INTO operator_api_tokens (id, operator_id, name, token_hash, prefix, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (token_id, operator_id, name[:80], hash_secret(secret), secret[:8], utc_now()),
    )
    row = await db.fetch_one("SELECT * FROM operator_api_tokens WHERE id = ?", (token_id,))
    assert row is not None
    return _token(row), secret


async def operator_for_token(db: Database, secret: str) -> Operator | None:
    row = await db.fetch_one(
        "SELECT o.*, t.id AS token_id FROM operator_api_tokens t JOIN operators o ON o.id = t.operator_id"
        " WHERE t.token_hash = ? AND t.revoked_at IS NULL",
        (hash_secret(secret),),
    )
    if row is None:
        return None
    await db.execute("UPDATE operator_api_tokens SET last_used_at = ? WHERE id = ?", (utc_now(), row["token_id"]))
    return _operator(row)


async def list_api_tokens(db: Database, operator_id: str) -> list[ApiToken]:
    rows = await db.fetch_all(
        "SELECT * FROM operator_api_tokens WHERE operator_id = ? ORDER BY created_at DESC", (operator_id,)
    )
    return [_token(row) for row in rows]


async def revoke_api_token(db: Database, *, operator_id: str, token_id: str) -> bool:
    changed = await db.execute(
        "UPDATE operator_api_tokens SET revoked_at = ? WHERE id = ? AND operator_id = ? AND revoked_at IS NULL",
        (utc_now(), token_id, operator_id),
    )
    return changed > 0
