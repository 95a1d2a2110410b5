"""Choosing a worker for a call, against real HTTP workers on loopback answering /health."""

from __future__ import annotations

import asyncio
from contextlib import ExitStack
from typing import Any

from functions.worker_pool import pick_worker
from shared.database import Database
from shared.repositories.workers import get_worker, register_worker, set_draining
from tests.health_server import HealthServer, health_server
from tests.libsql_server import free_port

TTL_S = 60.0


def ready(active_calls: int = 0, capacity: int = 4) -> dict[str, Any]:
    return {"ready": True, "active_calls": active_calls, "capacity": capacity}


async def _register(db: Database, server: HealthServer, capacity: int = 4) -> str:
    return (await register_worker(db, base_url=server.base_url, capacity=capacity)).id


async def test_only_the_healthy_worker_with_room_that_is_not_draining_is_chosen(db: Database) -> None:
    with ExitStack() as stack:
        # GIVEN five workers: erroring, not ready, full, draining, and one good one
        erroring = stack.enter_context(health_server(500, {"ready": True, "active_calls": 0}))
        warming = stack.enter_context(health_server(503, {"ready": False, "active_calls": 0}))
        full = stack.enter_context(health_server(200, ready(active_calls=2, capacity=2)))
        draining = stack.enter_context(health_server(200, ready()))
        good = stack.enter_context(health_server(200, ready(active_calls=3)))
        for server in (erroring, warming, draining):
            await _register(db, server)
        await _register(db, full, capacity=2)
        await set_draining(db, await _register(db, draining), True)
        good_id = await _register(db, good)
        # WHEN a call needs a worker
        chosen = await pick_worker(db, preferred_id=None, ttl_s=TTL_S)
        # THEN the good one is chosen and the call is counted against it at once
        assert chosen is not None
        assert chosen.id == good_id
        counted = await get_worker(db, good_id)
        assert counted is not None
        assert counted.active_calls == 4
        # AND once that call's stream has started, the good one says it is full, as a real worker does; the
        # next call finds no worker however long after the first it comes (a full worker is asked again)
        good.answer(200, ready(active_calls=4))
        assert await pick_worker(db, preferred_id=None, ttl_s=TTL_S) is None


async def test_the_numbers_own_worker_is_preferred_while_it_has_room(db: Database) -> None:
    with ExitStack() as stack:
        # GIVEN an idle worker and a busier one the number is pinned to
        idle = stack.enter_context(health_server(200, ready(active_calls=0)))
        pinned = stack.enter_context(health_server(200, ready(active_calls=2)))
        idle_id, pinned_id = await _register(db, idle), await _register(db, pinned)
        # WHEN calls arrive for the pinned number THEN the pinned worker takes them while it has room
        first = await pick_worker(db, preferred_id=pinned_id, ttl_s=TTL_S)
        second = await pick_worker(db, preferred_id=pinned_id, ttl_s=TTL_S)
        third = await pick_worker(db, preferred_id=pinned_id, ttl_s=TTL_S)
        assert [w.id if w else None for w in (first, second, third)] == [pinned_id, pinned_id, idle_id]
        # AND without a preference the least-loaded worker is chosen
        unpinned = await pick_worker(db, preferred_id=None, ttl_s=TTL_S)
        assert unpinned is not None
        assert unpinned.id == idle_id


async def test_health_is_fetched_once_within_the_ttl_and_again_after_it(db: Database) -> None:
    with health_server(200, ready()) as worker:
        # GIVEN a registered worker
        await _register(db, worker)
        # WHEN three calls arrive within the TTL THEN /health was asked once
        for _ in range(3):
            assert await pick_worker(db, preferred_id=None, ttl_s=TTL_S) is not None
        assert worker.requests == 1
        # WHEN the TTL has passed THEN it is asked again, and its own count replaces ours
        worker.answer(200, ready(active_calls=4))
        assert await pick_worker(db, preferred_id=None, ttl_s=0.0) is None
        assert worker.requests == 2


async def test_a_failed_check_is_cached_too(db: Database) -> None:
    with health_server(500, {"error": "boom"}) as worker:
        # GIVEN a worker that fails its health check
        await _register(db, worker)
        # WHEN two calls arrive within the TTL THEN neither gets it and the broken worker was asked once
        assert await pick_worker(db, preferred_id=None, ttl_s=TTL_S) is None
        assert await pick_worker(db, preferred_id=None, ttl_s=TTL_S) is None
        assert worker.requests == 1


async def test_a_worker_that_is_not_listening_is_skipped(db: Database) -> None:
    with health_server(200, ready()) as good:
        # GIVEN a worker registered on a port nobody listens on, and a good one
        await register_worker(db, base_url=f"http://127.0.0.1:{free_port()}")
        good_id = await _register(db, good)
        # WHEN a call needs a worker THEN the good one is chosen
        chosen = await pick_worker(db, preferred_id=None, ttl_s=TTL_S)
        assert chosen is not None
        assert chosen.id == good_id


async def test_a_worker_with_a_garbled_health_answer_is_skipped_not_fatal(db: Database) -> None:
    with ExitStack() as stack:
        # GIVEN workers answering garbage: a null count, a string count, a list, non-JSON bytes
        garbled = [
            {"ready": True, "active_calls": None},
            {"ready": True, "active_calls": "many"},
            [1, 2, 3],
            b"<html>bad gateway</html>",
        ]
        for body in garbled:
            await _register(db, stack.enter_context(health_server(200, body)))
        good_id = await _register(db, stack.enter_context(health_server(200, ready())))
        # WHEN a call needs a worker THEN routing still works and picks the good one
        chosen = await pick_worker(db, preferred_id=None, ttl_s=TTL_S)
        assert chosen is not None
        assert chosen.id == good_id


async def test_the_capacity_a_worker_reports_limits_it(db: Database) -> None:
    with health_server(200, ready(active_calls=2, capacity=2)) as worker:
        # GIVEN a worker registered for 4 calls that says it can only take 2 and has 2
        await _register(db, worker, capacity=4)
        # WHEN a call needs a worker THEN it is not overloaded
        assert await pick_worker(db, preferred_id=None, ttl_s=TTL_S) is None


async def test_no_worker_registered_means_no_worker(db: Database) -> None:
    assert await pick_worker(db, preferred_id=None, ttl_s=TTL_S) is None


async def test_a_full_worker_is_asked_again_before_a_caller_gets_voicemail(db: Database) -> None:
    with health_server(200, ready(active_calls=2, capacity=2)) as worker:
        # GIVEN a worker whose cached health, fresh within the TTL, says it is full
        await _register(db, worker, capacity=2)
        assert await pick_worker(db, preferred_id=None, ttl_s=TTL_S) is None
        # WHEN one of its calls ends and the next caller arrives a moment later
        await asyncio.sleep(0.15)  # longer than one webhook's own check: the cached "full" is from a past one
        worker.answer(200, ready(active_calls=1, capacity=2))
        chosen = await pick_worker(db, preferred_id=None, ttl_s=TTL_S)
        # THEN it was asked again and takes the call, instead of the caller getting voicemail
        assert chosen is not None
        assert worker.requests == 2
