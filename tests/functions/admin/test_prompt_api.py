"""Prompts: versions per mode, empty prompts refused, HTML diff between versions, "try it" through a worker."""

from __future__ import annotations

import httpx

from shared.database import Database
from shared.repositories.businesses import create_business
from tests.functions.admin.conftest import AdminSite


async def test_versions_and_diff(api: httpx.AsyncClient, db: Database):
    business = await create_business(db, name="Prompt Plumbing", owner_phone="+15125551000")
    base = f"/admin/api/businesses/{business.id}/prompts"
    # WHEN two live versions and one demo version are saved
    first = await api.post(
        base, json={"mode": "live", "system_prompt": "Be brief. Ask for the address.", "greeting": "Hi!"}
    )
    second = await api.post(
        base,
        json={"mode": "live", "system_prompt": "Be brief. Ask for the <b>address</b> and name.", "greeting": "Hi!"},
    )
    demo = await api.post(base, json={"mode": "demo", "system_prompt": "Demo prompt.", "greeting": "Demo!"})
    # THEN versions count up per mode
    assert [first.json()["version"], second.json()["version"], demo.json()["version"]] == [1, 2, 1]
    live = (await api.get(base, params={"mode": "live"})).json()["prompts"]
    assert [prompt["version"] for prompt in live] == [2, 1]
    assert live[0]["created_by"] == "ops@buddyhelps.example"
    # AND the diff shows the changed sentence, escaped, and the unchanged one
    diff = await api.get(f"{base}/diff", params={"mode": "live", "from": 1, "to": 2})
    assert diff.status_code == 200
    html = diff.json()["html"]
    assert "&lt;b&gt;" in html
    assert "<b>address" not in html
    assert "diff_add" in html or "diff_chg" in html
    assert "+Ask for the <b>address</b> and name." in diff.json()["unified"]
    assert (await api.get(f"{base}/diff", params={"mode": "live", "from": 1, "to": 9})).status_code == 404


async def test_empty_prompt_is_refused(api: httpx.AsyncClient, db: Database):
    business = await create_business(db, name="Empty Plumbing", owner_phone="+15125551001")
    base = f"/admin/api/businesses/{business.id}/prompts"
    blank = await api.post(base, json={"mode": "live", "system_prompt": "   ", "greeting": "Hi"})
    assert blank.status_code == 422
    assert "system prompt is empty" in blank.json()["detail"]
    assert (await api.post(base, json={"mode": "test", "system_prompt": "x", "greeting": "y"})).status_code == 422
    assert (await api.get(base)).json()["prompts"] == []
    assert (await api.get("/admin/api/businesses/biz_nope/prompts")).status_code == 404


async def test_try_it_sends_the_saved_prompt_through_the_worker(
    admin_site: AdminSite, api: httpx.AsyncClient, db: Database
):
    business = await create_business(db, name="Chatty Plumbing", owner_phone="+15125551002")
    base = f"/admin/api/businesses/{business.id}/prompts"
    # GIVEN no prompt yet: trying says to save one first
    early = await api.post(f"{base}/try", json={"mode": "live", "text": "hello"})
    assert early.status_code == 409
    await api.post(base, json={"mode": "live", "system_prompt": "You answer for Chatty Plumbing.", "greeting": "Hi"})
    # WHEN a caller's sentence is tried
    reply = await api.post(f"{base}/try", json={"mode": "live", "text": "My sink is clogged"})
    # THEN the worker's reply comes back, and the worker got the saved prompt
    assert reply.status_code == 200
    assert reply.json()["reply"] == "(fake worker) You said: My sink is clogged"
    assert reply.json()["elapsed_ms"] == 42
    async with httpx.AsyncClient(base_url=admin_site.worker_url) as worker:
        sent = (await worker.get("/test/chats")).json()[-1]
    assert sent == {"system_prompt": "You answer for Chatty Plumbing.", "messages": [], "text": "My sink is clogged"}
    # AND empty text is refused
    assert (await api.post(f"{base}/try", json={"mode": "live", "text": ""})).status_code == 422


async def test_console_prompt_page_saves_diffs_and_rejects_empty(console: tuple[httpx.AsyncClient, str], db: Database):
    client, csrf = console
    business = await create_business(db, name="Page Plumbing", owner_phone="+15125551003")
    page = f"/admin/businesses/{business.id}/prompts"
    empty = await client.post(page, data={"csrf_token": csrf, "mode": "live", "system_prompt": "", "greeting": "Hi"})
    assert empty.status_code == 422
    assert "the system prompt is empty" in empty.text
    for text in ("Answer kindly.", "Answer kindly. Mention emergencies."):
        saved = await client.post(
            page, data={"csrf_token": csrf, "mode": "live", "system_prompt": text, "greeting": "Hi"}
        )
        assert saved.status_code == 303
    shown = await client.get(page)
    assert "v2" in shown.text
    assert 'id="prompt-diff"' in shown.text
    tried = await client.post(f"{page}/try", data={"csrf_token": csrf, "mode": "live", "text": "Is it urgent?"})
    assert "(fake worker) You said: Is it urgent?" in tried.text
