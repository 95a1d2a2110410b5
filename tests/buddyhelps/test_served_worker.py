"""`buddyhelps serve` registers the worker it starts, and says when a number is routed elsewhere."""

from __future__ import annotations

from buddyhelps.served_worker import register_served_worker
from shared import demo_business as demo
from shared.database import Database
from shared.repositories import phone_numbers, workers
from shared.repositories.businesses import create_business

SERVED = "http://127.0.0.1:8123"


async def test_after_seed_demo_a_worker_served_on_another_port_is_registered_and_the_old_one_named(
    db: Database,
) -> None:
    # GIVEN the demo seeded with its default worker URL (:8001)
    seeded = await demo.seed_demo_business(db, worker_url="http://127.0.0.1:8001", worker_capacity=2)
    # WHEN serve starts its worker on :8123
    served, warnings = await register_served_worker(db, url=SERVED, capacity=2)
    # THEN that worker is registered, so the pool can route calls to it
    assert {worker.base_url for worker in await workers.list_workers(db)} == {seeded.base_url, SERVED}
    assert served.capacity == 2
    # AND start-up warns that the seeded worker is still registered, and how to drain it
    assert warnings == [
        f"worker {seeded.id} at http://127.0.0.1:8001 is registered too and takes calls whenever it answers"
        f" /health (`buddyhelps worker drain {seeded.id}` to stop that)"
    ]


async def test_a_number_pinned_to_another_loopback_worker_moves_to_the_served_one(db: Database) -> None:
    # GIVEN the demo number pinned to the worker seed-demo registered (:8001), since drained
    seeded = await demo.seed_demo_business(db, worker_url="http://127.0.0.1:8001", worker_capacity=2)
    await phone_numbers.assign_number(db, demo.DEMO_NUMBER, worker_id=seeded.id)
    await workers.set_draining(db, seeded.id, True)
    # WHEN serve starts its worker on :8123
    served, warnings = await register_served_worker(db, url=SERVED, capacity=2)
    # THEN the number is routed to the served worker, with a line saying so
    number = await phone_numbers.get_number(db, demo.DEMO_NUMBER)
    assert number is not None
    assert number.worker_id == served.id
    assert warnings == [
        f"{demo.DEMO_NUMBER} was routed to http://127.0.0.1:8001, not the worker served here: now routed to {SERVED}"
    ]
    # AND serving again on the same port changes nothing and says nothing
    again, quiet = await register_served_worker(db, url=SERVED, capacity=2)
    assert (again.id, quiet) == (served.id, [])


async def test_a_number_routed_to_a_remote_worker_is_left_alone_with_a_warning(db: Database) -> None:
    # GIVEN a number routed to a production worker
    remote = await workers.register_worker(db, base_url="https://gpu.example", capacity=4)
    business = await create_business(db, name="Remote Plumbing", owner_phone="+15550101111")
    await phone_numbers.add_number(db, e164="+15550102222", business_id=business.id, worker_id=remote.id)
    # WHEN serve starts a local worker
    _, warnings = await register_served_worker(db, url=SERVED, capacity=2)
    # THEN the number keeps its worker, and the warning says where its calls go
    number = await phone_numbers.get_number(db, "+15550102222")
    assert number is not None
    assert number.worker_id == remote.id
    assert warnings[0] == (
        f"+15550102222 is routed to https://gpu.example, not the worker served here ({SERVED});"
        " its calls go there while it is healthy"
    )
