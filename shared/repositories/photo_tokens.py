"""Photo upload tokens: only the SHA-256 of a token is stored; each allows a few photos for an hour."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from shared.database import Database, Row, Statement
from shared.signatures import hash_token, new_photo_token

PHOTO_TOKEN_TTL = timedelta(hours=1)
MAX_PHOTOS_PER_TOKEN = 10


def iso_utc(moment: datetime) -> str:
    """The database's timestamp format (see shared.database.utc_now) for any aware datetime."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class PhotoToken:
    token_hash: str
    call_id: str
    expires_at: str
    max_photos: int
    photos_used: int
    created_at: str

    def is_expired(self, now: datetime) -> bool:
        return iso_utc(now) >= self.expires_at

    @property
    def photos_left(self) -> int:
        return max(0, self.max_photos - self.photos_used)


@dataclass(frozen=True)
class IssuedToken:
    """A new token: `token` goes in the link and is never stored; `statement` stores its hash."""

    token: str
    token_hash: str
    expires_at: str
    statement: Statement


def issue_photo_token(
    *,
    call_id: str,
    now: datetime,
    ttl: timedelta = PHOTO_TOKEN_TTL,
    max_photos: int = MAX_PHOTOS_PER_TOKEN,
    only_if: Statement | None = None,
) -> IssuedToken:
    """A token and the INSERT that stores it (run it alone or inside a batch).

    `only_if` is an SQL condition with its arguments: the row is inserted only when it holds.
    """
    token, token_hash = new_photo_token()
    expires_at = iso_utc(now + ttl)
    condition, condition_args = only_if or ("1 = 1", ())
    statement: Statement = (
        "INSERT INTO photo_tokens (token_hash, call_id, expires_at, max_photos, created_at)"
        f" SELECT ?, ?, ?, ?, ? WHERE {condition}",
        (token_hash, call_id, expires_at, max_photos, iso_utc(now), *condition_args),
    )
    return IssuedToken(token=token, token_hash=token_hash, expires_at=expires_at, statement=statement)


async def create_photo_token(db: Database, *, call_id: str, now: datetime) -> IssuedToken:
    issued = issue_photo_token(call_id=call_id, now=now)
    await db.execute(*issued.statement)
    return issued


def _from_row(row: Row) -> PhotoToken:
    return PhotoToken(**row)


async def find_photo_token(db: Database, token: str) -> PhotoToken | None:
    row = await db.fetch_one(
        "SELECT token_hash, call_id, expires_at, max_photos, photos_used, created_at"
        " FROM photo_tokens WHERE token_hash = ?",
        (hash_token(token),),
    )
    return _from_row(row) if row else None


async def reserve_photo_slot(db: Database, *, token_hash: str, now: datetime) -> bool:
    """Take one photo from the token's allowance, atomically; False when expired or used up."""
    changed = await db.execute(
        "UPDATE photo_tokens SET photos_used = photos_used + 1"
        " WHERE token_hash = ? AND photos_used < max_photos AND expires_at > ?",
        (token_hash, iso_utc(now)),
    )
    return changed == 1


async def release_photo_slot(db: Database, *, token_hash: str) -> None:
    """Give a reserved slot back (the photo could not be stored)."""
    await db.execute(
        "UPDATE photo_tokens SET photos_used = photos_used - 1 WHERE token_hash = ? AND photos_used > 0",
        (token_hash,),
    )
