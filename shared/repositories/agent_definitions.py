"""Agent definitions per business, versioned: each save is a new version (who, when, a note); one version
per business and purpose is active. Stored as JSON, validated by `AgentDefinition` on the way in and out.

A business from before definitions gets one on its first read (its prompt carried into the plumbing
template, see shared/agents/business_definition.py), so no operator has to migrate anything; `db migrate`
does the same for every business at once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from pydantic import ValidationError

from shared.agents.business_definition import from_prompt
from shared.agents.definition import AgentDefinition
from shared.database import Database, Row, utc_now
from shared.repositories import businesses, prompts

INBOUND = "inbound"  # the business's own line; outbound campaigns use their own purpose
MIGRATED_BY = "migration"


@dataclass(frozen=True)
class VersionSummary:
    business_id: str
    purpose: str
    version: int
    name: str
    template: str | None
    created_by: str
    note: str
    created_at: str
    active: bool


@dataclass(frozen=True)
class StoredDefinition:
    business_id: str
    purpose: str
    version: int
    definition: AgentDefinition
    template: str | None
    created_by: str
    note: str
    created_at: str
    active: bool


class NoSuchBusiness(LookupError):
    pass


class NoSuchVersion(LookupError):
    pass


class StoredDefinitionInvalid(ValueError):
    """A stored version no longer validates (e.g. written by an older schema); names which one."""


async def save_definition(
    db: Database,
    business_id: str,
    definition: AgentDefinition,
    created_by: str,
    note: str = "",
    *,
    purpose: str = INBOUND,
) -> int:
    """Store `definition` as the next version and make it active; returns its version number."""
    if await businesses.get_business(db, business_id) is None:
        raise NoSuchBusiness(f"no business with id {business_id!r}")
    version = await _insert(db, business_id, purpose, definition, created_by, note, first_only=False)
    assert version is not None  # an unconditional insert always returns its row
    await _point_at(db, business_id, purpose, version, created_by, only_forward=True)
    return version


async def current_definition(db: Database, business_id: str, *, purpose: str = INBOUND) -> StoredDefinition | None:
    """The active version; None only for an unknown business (or a purpose never saved)."""
    stored = await _active(db, business_id, purpose)
    if stored is None and purpose == INBOUND and await migrate_business(db, business_id):
        stored = await _active(db, business_id, purpose)
    return stored


async def get_version(
    db: Database, business_id: str, version: int, *, purpose: str = INBOUND
) -> StoredDefinition | None:
    row = await db.fetch_one(
        f"{_SELECT} WHERE d.business_id = ? AND d.purpose = ? AND d.version = ?", (business_id, purpose, version)
    )
    return _stored(row) if row else None


async def list_versions(db: Database, business_id: str, *, purpose: str = INBOUND) -> list[VersionSummary]:
    """Newest first; read without parsing each definition, so one bad old version cannot hide the rest."""
    rows = await db.fetch_all(
        "SELECT d.business_id, d.purpose, d.version, json_extract(d.definition, '$.name') AS name, d.template,"  # noqa: S608
        " d.created_by, d.note, d.created_at, (a.version IS NOT NULL) AS active FROM agent_definitions d"
        f" {_ACTIVE_JOIN} WHERE d.business_id = ? AND d.purpose = ? ORDER BY d.version DESC",
        (business_id, purpose),
    )
    return [VersionSummary(**{**row, "name": str(row["name"] or ""), "active": bool(row["active"])}) for row in rows]


async def activate_version(db: Database, business_id: str, version: int, by: str, *, purpose: str = INBOUND) -> None:
    """Make an existing version the active one (going back needs no copy)."""
    if await get_version(db, business_id, version, purpose=purpose) is None:
        raise NoSuchVersion(f"business {business_id!r} has no {purpose} version {version}")
    await _point_at(db, business_id, purpose, version, by, only_forward=False)


async def migrate_business(db: Database, business_id: str) -> bool:
    """Give a business without an inbound definition one from its prompt; True when one exists now."""
    business = await businesses.get_business(db, business_id)
    if business is None:
        return False
    prompt = await prompts.current_prompt(db, business_id=business_id, mode="live")
    prompt = prompt or await prompts.current_prompt(db, business_id=business_id, mode="demo")
    definition, note = from_prompt(
        system_prompt=prompt.system_prompt if prompt else "", greeting=prompt.greeting if prompt else ""
    )
    # Only if still none: two first reads at once must not make two versions.
    await _insert(db, business_id, INBOUND, definition, MIGRATED_BY, note, first_only=True)
    # Version 1 exists now (ours or a concurrent reader's); pointing at it forward-only is a no-op when set.
    await _point_at(db, business_id, INBOUND, 1, MIGRATED_BY, only_forward=True)
    return True


async def migrate_all(db: Database) -> list[str]:
    """Definitions for every business that has none (what `db migrate` runs); returns their ids."""
    rows = await db.fetch_all(
        "SELECT id FROM businesses b WHERE NOT EXISTS"
        " (SELECT 1 FROM agent_definitions d WHERE d.business_id = b.id AND d.purpose = ?) ORDER BY id",
        (INBOUND,),
    )
    migrated = [str(row["id"]) for row in rows]
    for business_id in migrated:
        await migrate_business(db, business_id)
    return migrated


_ACTIVE_JOIN = (
    "LEFT JOIN agent_definition_active a ON a.business_id = d.business_id AND a.purpose = d.purpose"
    " AND a.version = d.version"
)
# Both take (business_id, purpose, definition, template, created_by, note, created_at, business_id, purpose).
_NEXT_VERSION = (
    "SELECT ?, ?, COALESCE(MAX(version), 0) + 1, ?, ?, ?, ?, ? FROM agent_definitions"
    " WHERE business_id = ? AND purpose = ?"
)
_FIRST_VERSION = (
    "SELECT ?, ?, 1, ?, ?, ?, ?, ? WHERE NOT EXISTS"
    " (SELECT 1 FROM agent_definitions WHERE business_id = ? AND purpose = ?)"
)
_SELECT = (
    "SELECT d.business_id, d.purpose, d.version, d.definition, d.template, d.created_by, d.note, d.created_at,"  # noqa: S608
    f" (a.version IS NOT NULL) AS active FROM agent_definitions d {_ACTIVE_JOIN}"
)


async def _active(db: Database, business_id: str, purpose: str) -> StoredDefinition | None:
    row = await db.fetch_one(
        f"{_SELECT} WHERE d.business_id = ? AND d.purpose = ? AND a.version IS NOT NULL", (business_id, purpose)
    )
    return _stored(row) if row else None


async def _insert(
    db: Database,
    business_id: str,
    purpose: str,
    definition: AgentDefinition,
    created_by: str,
    note: str,
    *,
    first_only: bool,
) -> int | None:
    # Validated again on the way in: a model built with model_construct() skips its validators.
    checked = AgentDefinition.model_validate_json(definition.model_dump_json())
    # The version is computed inside the INSERT so two writers cannot both take the same number; a first
    # version (a migration) is written only while there is none.
    source = _FIRST_VERSION if first_only else _NEXT_VERSION
    row = await db.fetch_one(
        "INSERT INTO agent_definitions (business_id, purpose, version, definition, template, created_by, note,"
        f" created_at) {source} RETURNING version",
        (
            business_id,
            purpose,
            checked.model_dump_json(),
            checked.template,
            created_by,
            note.strip(),
            utc_now(),
            business_id,
            purpose,
        ),
    )
    return int(row["version"]) if row else None


async def _point_at(db: Database, business_id: str, purpose: str, version: int, by: str, *, only_forward: bool) -> None:
    # A save moves the pointer only forward, so of two saves at once the later version wins.
    guard = " WHERE excluded.version > agent_definition_active.version" if only_forward else ""
    await db.execute(
        "INSERT INTO agent_definition_active (business_id, purpose, version, updated_by, updated_at)"  # noqa: S608
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (business_id, purpose) DO UPDATE SET version = excluded.version,"
        " updated_by = excluded.updated_by, updated_at = excluded.updated_at" + guard,
        (business_id, purpose, version, by, utc_now()),
    )


def _stored(row: Row) -> StoredDefinition:
    try:
        definition = AgentDefinition.model_validate(json.loads(row["definition"]))
    except (ValueError, ValidationError) as error:
        raise StoredDefinitionInvalid(
            f"stored definition {row['business_id']}/{row['purpose']} v{row['version']} is invalid: {error}"
        ) from error
    return StoredDefinition(**{**row, "definition": definition, "active": bool(row["active"])})
