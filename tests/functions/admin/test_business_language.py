"""The business's language (what its owner reads) is set in the console and checked."""

from __future__ import annotations

import httpx


async def test_the_owner_language_is_set_changed_and_checked(api: httpx.AsyncClient) -> None:
    # GIVEN a business created without a language THEN its owner reads English
    created = await api.post("/admin/api/businesses", json={"name": "Tubos Rápidos", "owner_phone": "(512) 555-0112"})
    assert created.status_code == 201
    business = created.json()
    assert business["language"] == "en"
    # WHEN it is changed to Spanish THEN it reads back Spanish
    changed = await api.patch(f"/admin/api/businesses/{business['id']}", json={"language": "es"})
    assert changed.status_code == 200
    assert (await api.get(f"/admin/api/businesses/{business['id']}")).json()["language"] == "es"
    # AND a language the owner messages are not written in is refused with a clear message
    refused = await api.patch(f"/admin/api/businesses/{business['id']}", json={"language": "fr"})
    assert refused.status_code == 422
    assert "unknown language 'fr'" in refused.text


async def test_the_business_form_offers_the_owner_language(
    api: httpx.AsyncClient, console: tuple[httpx.AsyncClient, str]
) -> None:
    created = (await api.post("/admin/api/businesses", json={"name": "Tubos", "owner_phone": "(512) 555-0113"})).json()
    browser, _ = console
    page = await browser.get(f"/admin/businesses/{created['id']}")
    assert page.status_code == 200
    assert '<select name="language">' in page.text
    assert ">Español</option>" in page.text
