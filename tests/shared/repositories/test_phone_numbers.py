"""Phone numbers repository, on a libSQL file and a real sqld server (http:// and ws://)."""

from __future__ import annotations

import pytest

from shared.database import Database, DatabaseError
from shared.repositories.businesses import create_business
from shared.repositories.phone_numbers import add_number, assign_number, get_number, list_numbers, remove_number
from shared.repositories.workers import register_worker


async def _business(db: Database, business_id: str) -> str:
    await create_business(db, name=business_id, owner_phone="+15550109999", business_id=business_id)
    return business_id


async def test_a_number_routes_to_its_business(any_db: Database) -> None:
    # GIVEN a business with a demo number
    biz = await _business(any_db, "biz_a")
    await add_number(any_db, e164="+15550100001", business_id=biz, mode="demo")
    # WHEN the dialled number is looked up
    number = await get_number(any_db, "+15550100001")
    # THEN it belongs to the business, in demo mode, with no worker of its own
    assert number is not None
    assert (number.business_id, number.mode, number.worker_id) == (biz, "demo", None)
    assert await get_number(any_db, "+15550100999") is None


async def test_a_number_cannot_be_registered_twice(any_db: Database) -> None:
    # GIVEN a registered number
    biz = await _business(any_db, "biz_a")
    await add_number(any_db, e164="+15550100001", business_id=biz)
    # WHEN it is added again THEN the database refuses it
    with pytest.raises(DatabaseError):
        await add_number(any_db, e164="+15550100001", business_id=biz)


async def test_numbers_are_listed_per_business(any_db: Database) -> None:
    # GIVEN two businesses with numbers
    a, b = await _business(any_db, "biz_a"), await _business(any_db, "biz_b")
    await add_number(any_db, e164="+15550100002", business_id=a)
    await add_number(any_db, e164="+15550100001", business_id=a)
    await add_number(any_db, e164="+15550100003", business_id=b)
    # WHEN listed THEN each business sees its own numbers in order, and all are listed without a filter
    assert [n.e164 for n in await list_numbers(any_db, business_id=a)] == ["+15550100001", "+15550100002"]
    assert [n.e164 for n in await list_numbers(any_db)] == ["+15550100001", "+15550100002", "+15550100003"]


async def test_assigning_changes_only_what_is_given_and_can_clear_the_worker(any_db: Database) -> None:
    # GIVEN a live number and a worker
    a, b = await _business(any_db, "biz_a"), await _business(any_db, "biz_b")
    await add_number(any_db, e164="+15550100001", business_id=a)
    worker = await register_worker(any_db, base_url="http://127.0.0.1:9001")
    # WHEN the worker is assigned THEN business and mode stay
    pinned = await assign_number(any_db, "+15550100001", worker_id=worker.id)
    assert pinned is not None
    assert (pinned.business_id, pinned.mode, pinned.worker_id) == (a, "live", worker.id)
    # WHEN it moves to another business in demo mode THEN the worker stays
    moved = await assign_number(any_db, "+15550100001", business_id=b, mode="demo")
    assert moved is not None
    assert (moved.business_id, moved.mode, moved.worker_id) == (b, "demo", worker.id)
    # WHEN the worker is cleared THEN the number has none
    cleared = await assign_number(any_db, "+15550100001", clear_worker=True)
    assert cleared is not None
    assert cleared.worker_id is None
    # AND assigning an unknown number says so
    assert await assign_number(any_db, "+15550100999", mode="demo") is None


async def test_removing_a_number_stops_it_routing(any_db: Database) -> None:
    # GIVEN a number
    await add_number(any_db, e164="+15550100001", business_id=await _business(any_db, "biz_a"))
    # WHEN removed THEN it no longer resolves, and removing it again reports nothing removed
    assert await remove_number(any_db, "+15550100001") is True
    assert await get_number(any_db, "+15550100001") is None
    assert await remove_number(any_db, "+15550100001") is False
