"""GPU workers: where media streams go, their capacity and last known health."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import Any

from shared.database import Database, Row, utc_now


@dataclass(frozen=True)
class Worker:
    id: str
    base_url: str
    capacity: int
    draining: bool
    healthy: bool
    active_calls: int
    last_health: dict[str, Any] | None
    last_seen_at: str | None
    created_at: str

    @property
    def websocket_url(self) -> str:
        """http://host → ws://host/ws/twilio, https://host → wss://host/ws/twilio."""
        base = self.base_url.rstrip("/")
        if base.startswith("https://"):
            return "wss://" + base.removeprefix("https://") + "/ws/twilio"
        return "ws://" + base.removeprefix("http://") + "/ws/twilio"


def _from_row(row: Row) -> Worker:
    return Worker(
        **{
            **row,
            "draining": bool(row["draining"]),
            "healthy": bool(row["healthy"]),
            "last_health": json.loads(row["last_health"]) if row["last_health"] else None,
        }
    )


async def register_worker(db: Database, *, base_url: str, capacity: int = 4, worker_id: str | None = None) -> Worker:
    """Add a worker, or update the capacity of the one already registered at that URL."""
    base_url = base_url.rstrip("/")
    if not base_url.startswith(("http://", "https://")):
        raise ValueError(f"worker URL must start with http:// or https://: {base_url!r}")
    if capacity < 1:
        raise ValueError("worker capacity must be at least 1")
    await db.execute(
        "INSERT INTO workers (id, base_url, capacity, created_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (base_url) DO UPDATE SET capacity = excluded.capacity",
        (worker_id or "wkr_" + secrets.token_hex(6), base_url, capacity, utc_now()),
    )
    row = await db.fetch_one("SELECT * FROM workers WHERE base_url = ?", (base_url,))
    assert row is not None
    return _from_row(row)


async def get_worker(db: Database, worker_id: str) -> Worker | None:
    row = await db.fetch_one("SELECT * FROM workers WHERE id = ?", (worker_id,))
    return _from_row(row) if row else None


async def list_workers(db: Database) -> list[Worker]:
    return [_from_row(row) for row in await db.fetch_all("SELECT * FROM workers ORDER BY created_at")]


async def record_health(
    db: Database, worker_id: str, *, healthy: bool, active_calls: int, health: dict[str, Any] | None
) -> None:
    await db.execute(
        "UPDATE workers SET healthy = ?, active_calls = ?, last_health = ?,"
        " last_seen_at = CASE WHEN ? THEN ? ELSE last_seen_at END WHERE id = ?",
        (int(healthy), active_calls, json.dumps(health) if health else None, int(healthy), utc_now(), worker_id),
    )


async def set_draining(db: Database, worker_id: str, draining: bool) -> bool:
    return await db.execute("UPDATE workers SET draining = ? WHERE id = ?", (int(draining), worker_id)) > 0


async def remove_worker(db: Database, worker_id: str) -> bool:
    await db.execute("UPDATE phone_numbers SET worker_id = NULL WHERE worker_id = ?", (worker_id,))
    return await db.execute("DELETE FROM workers WHERE id = ?", (worker_id,)) > 0
