"""Workers repository, on a libSQL file and a real sqld server (http:// and ws://)."""

from __future__ import annotations

import pytest

from shared.database import Database
from shared.repositories.businesses import create_business
from shared.repositories.phone_numbers import add_number, get_number
from shared.repositories.workers import (
    Worker,
    get_worker,
    list_workers,
    record_health,
    register_worker,
    remove_worker,
    set_draining,
)


async def test_registering_the_same_url_again_updates_capacity_and_keeps_the_id(any_db: Database) -> None:
    # GIVEN a registered worker
    first = await register_worker(any_db, base_url="http://127.0.0.1:9001/", capacity=2)
    # WHEN the same URL registers again with more capacity
    again = await register_worker(any_db, base_url="http://127.0.0.1:9001", capacity=6)
    # THEN it is the same worker (trailing slash ignored), with the new capacity; new workers start unhealthy
    assert again.id == first.id
    assert again.capacity == 6
    assert [w.id for w in await list_workers(any_db)] == [first.id]
    assert (again.healthy, again.draining, again.active_calls) == (False, False, 0)


@pytest.mark.parametrize(
    ("base_url", "capacity", "message"),
    [
        ("127.0.0.1:9001", 4, "must start with http"),
        ("ftp://x", 4, "must start with http"),
        ("http://x", 0, "at least 1"),
    ],
)
async def test_bad_worker_registrations_are_refused(
    any_db: Database, base_url: str, capacity: int, message: str
) -> None:
    # GIVEN a bad URL or capacity WHEN registered THEN it is refused with the reason
    with pytest.raises(ValueError, match=message):
        await register_worker(any_db, base_url=base_url, capacity=capacity)
    assert await list_workers(any_db) == []


def test_the_media_stream_url_follows_the_worker_scheme() -> None:
    # GIVEN workers on http and https WHEN their WebSocket URLs are built THEN ws/wss + /ws/twilio
    def worker(base_url: str) -> Worker:
        return Worker("w", base_url, 4, False, True, 0, None, None, "now")

    assert worker("https://pod-8001.proxy.runpod.net/").websocket_url == "wss://pod-8001.proxy.runpod.net/ws/twilio"
    assert worker("http://127.0.0.1:8001").websocket_url == "ws://127.0.0.1:8001/ws/twilio"


async def test_health_and_draining_are_recorded(any_db: Database) -> None:
    # GIVEN a worker
    worker = await register_worker(any_db, base_url="http://127.0.0.1:9001", capacity=4)
    # WHEN a healthy check with two calls is recorded and it is set to drain
    await record_health(any_db, worker.id, healthy=True, active_calls=2, health={"ready": True, "queue_depth": 0})
    assert await set_draining(any_db, worker.id, True) is True
    found = await get_worker(any_db, worker.id)
    # THEN all of it reads back
    assert found is not None
    assert (found.healthy, found.active_calls, found.draining) == (True, 2, True)
    assert found.last_health == {"ready": True, "queue_depth": 0}
    assert found.last_seen_at is not None
    # WHEN a failed check follows THEN it is unhealthy but keeps when it was last seen
    await record_health(any_db, worker.id, healthy=False, active_calls=0, health=None)
    failed = await get_worker(any_db, worker.id)
    assert failed is not None
    assert (failed.healthy, failed.last_health, failed.last_seen_at) == (False, None, found.last_seen_at)
    assert await set_draining(any_db, "wkr_nope", True) is False


async def test_removing_a_worker_unpins_its_numbers(any_db: Database) -> None:
    # GIVEN a number pinned to a worker
    await create_business(any_db, name="Acme", owner_phone="+15550109999", business_id="biz_a")
    worker = await register_worker(any_db, base_url="http://127.0.0.1:9001")
    await add_number(any_db, e164="+15550100001", business_id="biz_a", worker_id=worker.id)
    # WHEN the worker is removed
    assert await remove_worker(any_db, worker.id) is True
    # THEN the number routes to the pool again and the worker is gone
    number = await get_number(any_db, "+15550100001")
    assert number is not None
    assert number.worker_id is None
    assert await get_worker(any_db, worker.id) is None
