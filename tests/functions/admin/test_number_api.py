"""Numbers: search and buy through Twilio (a fake on loopback), import, reassign, and bad input."""

from __future__ import annotations

import httpx

from shared.database import Database
from shared.repositories.businesses import create_business
from shared.repositories.workers import register_worker
from tests.functions.admin.conftest import AdminSite


async def test_search_then_buy_points_the_number_at_buddyhelps(
    admin_site: AdminSite, api: httpx.AsyncClient, db: Database
):
    # GIVEN a business and a worker
    business = await create_business(db, name="Buyer Plumbing", owner_phone="+15125550200")
    worker = await register_worker(db, base_url=admin_site.worker_url)
    # WHEN the operator searches area code 512 and buys the first number for the business's demo line
    available = (await api.get("/admin/api/numbers/available", params={"area_code": "512"})).json()["available"]
    assert available
    assert available[0]["locality"] == "Austin"
    chosen = available[0]["e164"]
    bought = await api.post(
        "/admin/api/numbers", json={"e164": chosen, "business_id": business.id, "mode": "demo", "worker_id": worker.id}
    )
    # THEN Twilio was asked to buy it with BuddyHelps's webhooks, and it is assigned as asked
    assert bought.status_code == 201, bought.text
    assert bought.json()["twilio_sid"].startswith("PN")
    purchase = admin_site.twilio.posts_to("/IncomingPhoneNumbers.json")[-1]
    assert purchase.form["PhoneNumber"] == chosen
    assert purchase.form["VoiceUrl"] == "https://voice.buddyhelps.example/incoming-call"
    assert purchase.form["StatusCallback"] == "https://voice.buddyhelps.example/call-status"
    listed = (await api.get("/admin/api/numbers")).json()["numbers"]
    mine = next(number for number in listed if number["e164"] == chosen)
    assert (mine["business_id"], mine["mode"], mine["worker_id"]) == (business.id, "demo", worker.id)
    # AND buying it again is refused as a duplicate without asking Twilio
    purchases = len(admin_site.twilio.posts_to("/IncomingPhoneNumbers.json"))
    again = await api.post("/admin/api/numbers", json={"e164": chosen, "business_id": business.id})
    assert again.status_code == 409
    assert "already set up" in again.json()["detail"]
    assert len(admin_site.twilio.posts_to("/IncomingPhoneNumbers.json")) == purchases


async def test_invalid_numbers_and_unknown_business_are_refused(api: httpx.AsyncClient, db: Database):
    business = await create_business(db, name="Checker Plumbing", owner_phone="+15125550300")
    bad = await api.post("/admin/api/numbers", json={"e164": "12345", "business_id": business.id})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "e164"]
    assert "country code" in bad.json()["detail"][0]["msg"]
    letters = await api.post("/admin/api/numbers", json={"e164": "+1512CALLNOW", "business_id": business.id})
    assert letters.status_code == 422
    unknown = await api.post("/admin/api/numbers", json={"e164": "+15125550103", "business_id": "biz_missing"})
    assert unknown.status_code == 404
    assert (await api.get("/admin/api/numbers/available", params={"area_code": "51"})).status_code == 422


async def test_twilio_refusal_is_reported_as_bad_gateway(api: httpx.AsyncClient, db: Database):
    # GIVEN a number Twilio does not have available
    business = await create_business(db, name="Unlucky Plumbing", owner_phone="+15125550400")
    response = await api.post("/admin/api/numbers", json={"e164": "+15125550999", "business_id": business.id})
    # THEN the API says Twilio refused and why
    assert response.status_code == 502
    assert "Twilio refused to buy the number" in response.json()["detail"]
    assert "+15125550999" not in [n["e164"] for n in (await api.get("/admin/api/numbers")).json()["numbers"]]


async def test_import_an_existing_account_number(admin_site: AdminSite, api: httpx.AsyncClient, db: Database):
    # GIVEN a number the Twilio account already owns, pointed somewhere else
    sid = admin_site.twilio.state.add_owned("+15125558888")
    business = await create_business(db, name="Importer Plumbing", owner_phone="+15125550500")
    account = (await api.get("/admin/api/numbers/account")).json()["account_numbers"]
    assert {"sid": sid, "imported": False}.items() <= next(n for n in account if n["sid"] == sid).items()
    # WHEN it is imported
    response = await api.post("/admin/api/numbers/import", json={"twilio_sid": sid, "business_id": business.id})
    # THEN its webhooks now point at BuddyHelps and it belongs to the business
    assert response.status_code == 201
    assert admin_site.twilio.state.owned[sid]["voice_url"] == "https://voice.buddyhelps.example/incoming-call"
    assert response.json()["e164"] == "+15125558888"
    # AND importing it twice is a duplicate; a sid the account lacks is 404; a malformed sid is 422
    assert (
        await api.post("/admin/api/numbers/import", json={"twilio_sid": sid, "business_id": business.id})
    ).status_code == 409
    missing = "PN" + "0" * 32
    assert (
        await api.post("/admin/api/numbers/import", json={"twilio_sid": missing, "business_id": business.id})
    ).status_code == 404
    assert (
        await api.post("/admin/api/numbers/import", json={"twilio_sid": "nope", "business_id": business.id})
    ).status_code == 422


async def test_reassign_and_remove_a_number(api: httpx.AsyncClient, db: Database):
    first = await create_business(db, name="First Plumbing", owner_phone="+15125550600")
    second = await create_business(db, name="Second Plumbing", owner_phone="+15125550601")
    bought = await api.post("/admin/api/numbers", json={"e164": "+15125550102", "business_id": first.id})
    assert bought.status_code == 201
    # WHEN the number moves to the second business in live mode
    moved = await api.patch("/admin/api/numbers/+15125550102", json={"business_id": second.id, "mode": "live"})
    assert moved.status_code == 200
    assert moved.json()["business_id"] == second.id
    assert (await api.patch("/admin/api/numbers/+15125550102", json={"mode": "staging"})).status_code == 422
    assert (await api.patch("/admin/api/numbers/+15125550102", json={"worker_id": "wkr_nope"})).status_code == 404
    # AND is removed
    assert (await api.delete("/admin/api/numbers/+15125550102")).status_code == 200
    assert (await api.delete("/admin/api/numbers/+15125550102")).status_code == 404
    assert (await api.patch("/admin/api/numbers/+15125550102", json={"mode": "demo"})).status_code == 404


async def test_console_buy_form_with_a_bad_number_shows_the_reason(
    console: tuple[httpx.AsyncClient, str], db: Database
):
    client, csrf = console
    business = await create_business(db, name="Form Buyer", owner_phone="+15125550700")
    response = await client.post(
        "/admin/numbers/buy", data={"csrf_token": csrf, "e164": "555", "business_id": business.id, "mode": "live"}
    )
    assert response.status_code == 422
    assert "e164: add the country code" in response.text
