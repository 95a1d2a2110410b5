"""The businesses API and console forms: create, read, change, and clear errors for bad input."""

from __future__ import annotations

import httpx

from shared.database import Database
from shared.repositories import agent_definitions


async def test_create_then_read_and_change_a_business(api: httpx.AsyncClient):
    # GIVEN a new plumbing business sent to the API
    created = await api.post(
        "/admin/api/businesses",
        json={
            "name": "Austin Pipes",
            "owner_phone": "(512) 555-0111",
            "owner_email": "owner@austinpipes.example",
            "timezone": "America/Chicago",
            "opening_hours": "Mon-Fri 8-5",
            "greeting": "Thanks for calling Austin Pipes!",
            "voice": "am_michael",
        },
    )
    # THEN it is stored with the phone in E.164 and the greeting in its agent (plumbing by default)
    assert created.status_code == 201
    business = created.json()
    assert business["owner_phone"] == "+15125550111"
    assert business["greeting"] == "Thanks for calling Austin Pipes!"
    assert business["enabled"] is True
    # WHEN it is disabled and its greeting changed
    changed = await api.patch(
        f"/admin/api/businesses/{business['id']}", json={"enabled": False, "greeting": "Austin Pipes, hello!"}
    )
    # THEN the change shows when it is read back, and the rest is unchanged
    assert changed.status_code == 200
    again = (await api.get(f"/admin/api/businesses/{business['id']}")).json()
    assert again["enabled"] is False
    assert again["greeting"] == "Austin Pipes, hello!"
    assert again["timezone"] == "America/Chicago"
    listed = (await api.get("/admin/api/businesses")).json()["businesses"]
    assert business["id"] in [item["id"] for item in listed]


async def test_a_business_starts_from_the_template_chosen_and_calls_hear_its_new_greeting(
    api: httpx.AsyncClient, db: Database
):
    # GIVEN an electrician created from the electrician template in Denver
    created = await api.post(
        "/admin/api/businesses",
        json={
            "name": "Volt Bros",
            "owner_phone": "+13035550100",
            "timezone": "America/Denver",
            "template": "electrician",
        },
    )
    assert created.status_code == 201, created.text
    business_id = created.json()["id"]
    # THEN its agent is the electrician's, with the template's hours in the business's time zone
    stored = await agent_definitions.current_definition(db, business_id)
    assert stored is not None
    assert stored.definition.template == "electrician"
    assert stored.definition.facts.hours is None or stored.definition.facts.hours.timezone == "America/Denver"
    # WHEN the greeting is changed on the business THEN the agent gets a new version with it
    await api.patch(f"/admin/api/businesses/{business_id}", json={"greeting": "Volt Bros, how can we help?"})
    again = await agent_definitions.current_definition(db, business_id)
    assert again is not None
    assert again.version == stored.version + 1
    assert again.definition.greeting["en"] == "Volt Bros, how can we help?"
    # AND an unknown template is refused with the list of templates
    bad = await api.post("/admin/api/businesses", json={"name": "X", "owner_phone": "+13035550101", "template": "zoo"})
    assert bad.status_code == 422
    assert "electrician" in bad.text


async def test_bad_business_input_is_refused_with_reasons(api: httpx.AsyncClient):
    # WHEN a business arrives with a bad phone, email, time zone and voice
    response = await api.post(
        "/admin/api/businesses",
        json={
            "name": "Bad Co",
            "owner_phone": "call me",
            "owner_email": "not-an-email",
            "timezone": "Mars/Olympus",
            "voice": "<script>",
        },
    )
    # THEN it is refused, naming each problem
    assert response.status_code == 422
    text = response.text
    assert "owner_phone" in text
    assert "not an email address" in text
    assert "unknown time zone" in text
    assert "unknown voice" in text
    # AND an empty name or an unknown field is refused too
    assert (
        await api.post("/admin/api/businesses", json={"name": "", "owner_phone": "+15125550000"})
    ).status_code == 422
    extra = await api.post("/admin/api/businesses", json={"name": "X", "owner_phone": "+15125550000", "id": "x"})
    assert extra.status_code == 422


async def test_unknown_business_is_404(api: httpx.AsyncClient):
    assert (await api.get("/admin/api/businesses/biz_nope")).status_code == 404
    assert (await api.patch("/admin/api/businesses/biz_nope", json={"enabled": False})).status_code == 404


async def test_console_form_shows_errors_and_keeps_what_was_typed(console: tuple[httpx.AsyncClient, str]):
    client, csrf = console
    # WHEN the add-business form is sent with a bad phone number
    response = await client.post(
        "/admin/businesses", data={"csrf_token": csrf, "name": "Typed Plumbing", "owner_phone": "12"}
    )
    # THEN the page explains it and keeps the name typed
    assert response.status_code == 422
    assert "owner phone" in response.text
    assert 'value="Typed Plumbing"' in response.text


async def test_console_form_creates_and_edits_a_business(console: tuple[httpx.AsyncClient, str]):
    client, csrf = console
    # WHEN a business is added through the form
    created = await client.post(
        "/admin/businesses",
        data={"csrf_token": csrf, "name": "Form Plumbing", "owner_phone": "+15125550122", "greeting": "Hi there!"},
    )
    assert created.status_code == 303
    page_url = created.headers["location"].split("?")[0]
    # AND then renamed with its hours set
    saved = await client.post(
        page_url,
        data={
            "csrf_token": csrf,
            "name": "Form Plumbing & Heating",
            "owner_phone": "+15125550122",
            "opening_hours": "24/7",
            "greeting": "Hi there!",
            "enabled": "on",
        },
    )
    assert saved.status_code == 303
    # THEN the page shows the new name and hours
    page = await client.get(page_url)
    assert "Form Plumbing &amp; Heating" in page.text
    assert 'value="24/7"' in page.text
