"""`buddyhelps serve` registers the worker it starts, so calls reach it whatever port it runs on.

Without this, `seed-demo` routes the demo number to DEFAULT_WORKER_URL (:8001) and a worker served on
another port gets no call: every call went to voicemail with no hint why. Numbers routed to another
loopback worker are moved to the served one (a local stack has one worker); numbers routed to a remote
worker are left alone, with a warning that says where their calls go.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from shared.database import Database
from shared.repositories import phone_numbers, workers
from shared.repositories.workers import Worker

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def is_loopback(url: str) -> bool:
    return (urlsplit(url).hostname or "") in LOOPBACK_HOSTS


async def register_served_worker(db: Database, *, url: str, capacity: int) -> tuple[Worker, list[str]]:
    """Register (or update) the worker at `url`; returns it and a warning line for each number or worker
    that would take calls elsewhere."""
    served = await workers.register_worker(db, base_url=url, capacity=capacity)
    others = {worker.id: worker for worker in await workers.list_workers(db) if worker.id != served.id}
    warnings: list[str] = []
    for number in await phone_numbers.list_numbers(db):
        routed = others.get(number.worker_id or "")
        if routed is None:
            continue
        if is_loopback(routed.base_url):
            await phone_numbers.assign_number(db, number.e164, worker_id=served.id)
            warnings.append(
                f"{number.e164} was routed to {routed.base_url}, not the worker served here: now routed to {url}"
            )
        else:
            warnings.append(
                f"{number.e164} is routed to {routed.base_url}, not the worker served here ({url});"
                " its calls go there while it is healthy"
            )
    for other in others.values():
        if not other.draining:
            warnings.append(
                f"worker {other.id} at {other.base_url} is registered too and takes calls whenever it answers"
                f" /health (`buddyhelps worker drain {other.id}` to stop that)"
            )
    return served, warnings
