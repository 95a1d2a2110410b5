"""Keyword corrections: create, edit, delete, per business or global, duplicates, and the before/after box."""

from __future__ import annotations

import httpx

from shared.database import Database
from shared.repositories.businesses import create_business


async def test_create_edit_delete_and_preview(api: httpx.AsyncClient, db: Database):
    business = await create_business(db, name="Keyword Plumbing", owner_phone="+15125552000")
    # WHEN a business correction and a global one are added
    own = await api.post(
        "/admin/api/keywords", json={"business_id": business.id, "heard": "quogged", "corrected": "clogged"}
    )
    shared = await api.post("/admin/api/keywords", json={"business_id": None, "heard": "leek", "corrected": "leak"})
    assert own.status_code == 201
    assert shared.status_code == 201
    # THEN the preview applies both to a sentence
    preview = await api.post(
        "/admin/api/keywords/preview", json={"business_id": business.id, "text": "The sink is Quogged and has a leek."}
    )
    assert preview.json() == {
        "before": "The sink is Quogged and has a leek.",
        "after": "The sink is clogged and has a leak.",
    }
    # AND another business only gets the global one
    other = await api.post("/admin/api/keywords/preview", json={"text": "quogged leek"})
    assert other.json()["after"] == "quogged leak"
    # WHEN the business correction is edited, then deleted
    correction_id = own.json()["id"]
    edited = await api.put(f"/admin/api/keywords/{correction_id}", json={"heard": "quogged", "corrected": "blocked"})
    assert edited.status_code == 200
    listed = (await api.get("/admin/api/keywords", params={"business_id": business.id})).json()["corrections"]
    assert {"heard": "quogged", "corrected": "blocked"}.items() <= listed[0].items()
    assert (await api.delete(f"/admin/api/keywords/{correction_id}")).status_code == 200
    assert (await api.delete(f"/admin/api/keywords/{correction_id}")).status_code == 404
    await api.delete(f"/admin/api/keywords/{shared.json()['id']}")


async def test_regex_like_text_is_taken_literally(api: httpx.AsyncClient):
    created = await api.post("/admin/api/keywords", json={"heard": "c++ pipe", "corrected": "CPVC pipe"})
    assert created.status_code == 201
    dot = await api.post("/admin/api/keywords", json={"heard": "p.trap", "corrected": "P-trap"})
    preview = await api.post("/admin/api/keywords/preview", json={"text": "c++ pipe near the p.trap, not the pXtrap"})
    assert preview.json()["after"] == "CPVC pipe near the P-trap, not the pXtrap"
    for item in (created, dot):
        await api.delete(f"/admin/api/keywords/{item.json()['id']}")


async def test_bad_corrections_are_refused_with_reasons(api: httpx.AsyncClient):
    same = await api.post("/admin/api/keywords", json={"heard": "Leak", "corrected": "leak"})
    assert same.status_code == 422
    assert "same as the misheard" in same.json()["detail"]
    blank = await api.post("/admin/api/keywords", json={"heard": " ", "corrected": "x"})
    assert blank.status_code == 422
    assert (await api.post("/admin/api/keywords", json={"heard": "a" * 101, "corrected": "b"})).status_code == 422
    unknown = await api.post("/admin/api/keywords", json={"business_id": "biz_nope", "heard": "a", "corrected": "b"})
    assert unknown.status_code == 404
    first = await api.post("/admin/api/keywords", json={"heard": "sump bump", "corrected": "sump pump"})
    duplicate = await api.post("/admin/api/keywords", json={"heard": "Sump Bump", "corrected": "sump pump"})
    assert duplicate.status_code == 409
    assert "already a correction" in duplicate.json()["detail"]
    assert (await api.put("/admin/api/keywords/999999", json={"heard": "a", "corrected": "b"})).status_code == 404
    await api.delete(f"/admin/api/keywords/{first.json()['id']}")


async def test_console_keyword_page_adds_and_previews(console: tuple[httpx.AsyncClient, str]):
    client, csrf = console
    added = await client.post(
        "/admin/keywords",
        data={"csrf_token": csrf, "business_id": "", "heard": "water heeter", "corrected": "water heater"},
    )
    assert added.status_code == 303
    duplicate = await client.post(
        "/admin/keywords", data={"csrf_token": csrf, "business_id": "", "heard": "water heeter", "corrected": "x"}
    )
    assert duplicate.status_code == 409
    assert "already a correction" in duplicate.text
    page = await client.get("/admin/keywords", params={"sample": "the water heeter is broken"})
    assert 'id="preview-after">the water heater is broken<' in page.text
