"""Businesses repository, on a libSQL file and a real sqld server (http:// and ws://)."""

from __future__ import annotations

import pytest

from shared.database import Database
from shared.repositories.businesses import create_business, get_business, list_businesses, update_business


async def test_a_created_business_reads_back_with_its_defaults(any_db: Database) -> None:
    # GIVEN a business created with only a name and an owner phone
    created = await create_business(any_db, name="Acme Plumbing", owner_phone="+15550100002")
    # WHEN it is read back by id
    found = await get_business(any_db, created.id)
    # THEN every field is there, it is enabled, and it got an unguessable-looking id
    assert found == created
    assert found.enabled is True
    assert found.timezone == "America/New_York"
    assert created.id.startswith("biz_")
    assert len(created.id) > 12


async def test_businesses_are_listed_by_name_and_a_missing_one_is_none(any_db: Database) -> None:
    # GIVEN two businesses created out of alphabetical order
    await create_business(any_db, name="Zed Drains", owner_phone="+15550100003", business_id="biz_z")
    await create_business(any_db, name="Acme Plumbing", owner_phone="+15550100002", business_id="biz_a")
    # WHEN listed THEN they come by name; an unknown id finds nothing
    assert [b.name for b in await list_businesses(any_db)] == ["Acme Plumbing", "Zed Drains"]
    assert await get_business(any_db, "biz_nope") is None


async def test_disabling_a_business_is_stored_as_a_boolean(any_db: Database) -> None:
    # GIVEN an enabled business
    business = await create_business(any_db, name="Acme", owner_phone="+15550100002")
    # WHEN it is disabled and renamed
    updated = await update_business(any_db, business.id, enabled=False, name="Acme Drains")
    # THEN the change is stored and read back as a bool
    assert updated is not None
    assert updated.enabled is False
    assert updated.name == "Acme Drains"
    assert updated.updated_at >= business.updated_at


async def test_updating_a_field_that_is_not_editable_is_refused(any_db: Database) -> None:
    # GIVEN a business
    business = await create_business(any_db, name="Acme", owner_phone="+15550100002")
    # WHEN someone tries to change its id THEN it is refused and nothing changes
    with pytest.raises(ValueError, match="cannot change business fields"):
        await update_business(any_db, business.id, id="biz_other")
    assert await get_business(any_db, business.id) == business


async def test_updating_a_missing_business_returns_none(any_db: Database) -> None:
    # GIVEN no business WHEN one is updated THEN None says it does not exist
    assert await update_business(any_db, "biz_nope", name="X") is None
