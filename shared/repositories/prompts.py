"""Versioned system prompts and greetings per business, one line of versions for demo and for live."""

from __future__ import annotations

from dataclasses import dataclass

from shared.database import Database, Row, utc_now
from shared.repositories.phone_numbers import Mode


@dataclass(frozen=True)
class Prompt:
    id: int
    business_id: str
    mode: Mode
    version: int
    system_prompt: str
    greeting: str
    created_by: str | None
    created_at: str


class EmptyPrompt(ValueError):
    pass


def _from_row(row: Row) -> Prompt:
    return Prompt(**row)


async def add_prompt_version(
    db: Database,
    *,
    business_id: str,
    mode: Mode,
    system_prompt: str,
    greeting: str,
    created_by: str | None = None,
) -> Prompt:
    """Store a new version (the previous ones stay for diffs and rollback)."""
    if not system_prompt.strip():
        raise EmptyPrompt("the system prompt is empty")
    if not greeting.strip():
        raise EmptyPrompt("the greeting is empty")
    # The version is computed inside the INSERT so two writers cannot both take the same number.
    await db.execute(
        "INSERT INTO prompts (business_id, mode, version, system_prompt, greeting, created_by, created_at)"
        " SELECT ?, ?, COALESCE(MAX(version), 0) + 1, ?, ?, ?, ? FROM prompts WHERE business_id = ? AND mode = ?",
        (business_id, mode, system_prompt.strip(), greeting.strip(), created_by, utc_now(), business_id, mode),
    )
    latest = await current_prompt(db, business_id=business_id, mode=mode)
    assert latest is not None
    return latest


async def current_prompt(db: Database, *, business_id: str, mode: Mode) -> Prompt | None:
    row = await db.fetch_one(
        "SELECT * FROM prompts WHERE business_id = ? AND mode = ? ORDER BY version DESC LIMIT 1",
        (business_id, mode),
    )
    return _from_row(row) if row else None


async def list_prompt_versions(db: Database, *, business_id: str, mode: Mode | None = None) -> list[Prompt]:
    if mode:
        rows = await db.fetch_all(
            "SELECT * FROM prompts WHERE business_id = ? AND mode = ? ORDER BY version DESC", (business_id, mode)
        )
    else:
        rows = await db.fetch_all(
            "SELECT * FROM prompts WHERE business_id = ? ORDER BY mode, version DESC", (business_id,)
        )
    return [_from_row(row) for row in rows]


async def get_prompt_version(db: Database, *, business_id: str, mode: Mode, version: int) -> Prompt | None:
    row = await db.fetch_one(
        "SELECT * FROM prompts WHERE business_id = ? AND mode = ? AND version = ?", (business_id, mode, version)
    )
    return _from_row(row) if row else None
