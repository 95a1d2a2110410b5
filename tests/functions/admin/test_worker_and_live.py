"""Workers (health, add, drain, remove), live calls (snapshot and relayed events), and API tokens."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx

from shared.database import Database
from shared.repositories.workers import get_worker, register_worker
from tests.functions.admin.conftest import AdminSite

DEAD_WORKER = "http://127.0.0.1:9"  # nothing listens on the discard port


async def test_workers_health_add_drain_remove(admin_site: AdminSite, api: httpx.AsyncClient, db: Database):
    # GIVEN a live worker and a dead one, added through the API
    live = await api.post("/admin/api/workers", json={"base_url": admin_site.worker_url, "capacity": 4})
    dead = await api.post("/admin/api/workers", json={"base_url": DEAD_WORKER, "capacity": 2})
    assert live.status_code == 201
    assert dead.status_code == 201
    # WHEN the workers are listed (health is checked now)
    workers = {w["base_url"]: w for w in (await api.get("/admin/api/workers")).json()["workers"]}
    # THEN the live one is ready with its models and queues, the dead one is down with the reason
    ready = workers[admin_site.worker_url]
    assert ready["healthy"] is True
    assert ready["last_health"]["models"]["llm"] == "qwen2.5-0.5b-q4"
    assert ready["last_health"]["queues"]["llm"] == 1
    assert ready["last_seen_at"] is not None
    down = workers[DEAD_WORKER]
    assert down["healthy"] is False
    assert "did not answer /health" in down["last_health"]["error"]
    # WHEN the dead one is drained and then removed
    drained = await api.post(f"/admin/api/workers/{down['id']}/drain", json={"draining": True})
    assert drained.json()["draining"] is True
    assert (await api.delete(f"/admin/api/workers/{down['id']}")).status_code == 200
    assert await get_worker(db, down["id"]) is None
    assert (await api.delete(f"/admin/api/workers/{down['id']}")).status_code == 404
    # AND bad worker input is refused
    assert (await api.post("/admin/api/workers", json={"base_url": "ftp://x.example"})).status_code == 422
    assert (
        await api.post("/admin/api/workers", json={"base_url": admin_site.worker_url, "capacity": 0})
    ).status_code == 422
    assert (await api.post("/admin/api/workers/nope/drain", json={"draining": True})).status_code == 404


async def test_workers_page_shows_health(console: tuple[httpx.AsyncClient, str], admin_site: AdminSite, db: Database):
    client, csrf = console
    await register_worker(db, base_url=admin_site.worker_url)
    page = await client.get("/admin/workers")
    assert "ready" in page.text
    assert "llm: qwen2.5-0.5b-q4" in page.text
    bad = await client.post("/admin/workers", data={"csrf_token": csrf, "base_url": "not a url"})
    assert bad.status_code == 422
    assert "base url" in bad.text


async def _events(response: httpx.Response) -> AsyncIterator[dict[str, Any]]:
    async for line in response.aiter_lines():
        if line.startswith("data:"):
            yield json.loads(line.removeprefix("data:"))


async def test_live_events_are_relayed_from_the_worker(console: tuple[httpx.AsyncClient, str], admin_site: AdminSite):
    client, _ = console
    # GIVEN the console's event stream, connected to the worker
    async with (
        httpx.AsyncClient(base_url=admin_site.worker_url) as worker,
        client.stream("GET", "/admin/live/events") as response,
    ):
        assert response.headers["content-type"].startswith("text/event-stream")
        events = _events(response)
        assert (await anext(events))["type"] == "worker_connected"
        # WHEN the worker reports a call starting and a transcript line
        started = {"type": "call_started", "call_sid": "CAlive9", "business_id": "biz_x"}
        line = {
            "type": "transcript",
            "call_sid": "CAlive9",
            "business_id": "biz_x",
            "entry": {"speaker": "caller", "text": "my basement is flooding", "start_ms": 0, "end_ms": 900},
        }
        await worker.post("/test/emit", json=started)
        await worker.post("/test/emit", json={"type": "bogus", "call_sid": "x"})
        await worker.post("/test/emit", json=line)
        # THEN the console relays both, in order, tagged with the worker, and drops the unknown one
        first, second = await anext(events), await anext(events)
        assert first == {**started, "worker": admin_site.worker_url}
        assert second["entry"]["text"] == "my basement is flooding"
    # AND the snapshot lists the call in progress
    snapshot = (await client.get("/admin/api/live")).json()
    assert [call["call_sid"] for call in snapshot["calls"]] == ["CAlive9"]
    page = await client.get("/admin/live")
    assert 'data-call-sid="CAlive9"' in page.text


async def test_tokens_create_use_revoke(admin_site: AdminSite, api: httpx.AsyncClient):
    # WHEN a script's token is created through the API
    created = await api.post("/admin/api/tokens", json={"name": "nightly export"})
    assert created.status_code == 201
    secret = created.json()["token"]
    # THEN it works once, is listed without its secret, and stops working when revoked
    async with httpx.AsyncClient(base_url=admin_site.base_url, headers={"Authorization": f"Bearer {secret}"}) as script:
        assert (await script.get("/admin/api/numbers")).status_code == 200
        listed = (await api.get("/admin/api/tokens")).json()["tokens"]
        assert secret not in json.dumps(listed)
        assert any(token["name"] == "nightly export" and token["last_used_at"] for token in listed)
        assert (await api.delete(f"/admin/api/tokens/{created.json()['id']}")).status_code == 200
        assert (await script.get("/admin/api/numbers")).status_code == 401
    assert (await api.post("/admin/api/tokens", json={"name": ""})).status_code == 422


async def test_token_page_shows_the_secret_once(console: tuple[httpx.AsyncClient, str]):
    client, csrf = console
    created = await client.post("/admin/tokens", data={"csrf_token": csrf, "name": "from the console"})
    assert created.status_code == 200
    assert 'id="new-token">bh_' in created.text
    again = await client.get("/admin/tokens")
    assert "from the console" in again.text
    assert 'id="new-token"' not in again.text
