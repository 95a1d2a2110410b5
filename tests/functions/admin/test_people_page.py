"""The console's people page: an operator adds a person and a department (what the take_message and
transfer tools use), a bad phone number is refused with the reason, and one is deleted."""

from __future__ import annotations

import httpx

from shared.database import Database
from shared.people.directory import load_directory
from shared.repositories.businesses import create_business


async def test_an_operator_adds_people_fixes_a_mistake_and_deletes_one(
    console: tuple[httpx.AsyncClient, str], db: Database
) -> None:
    client, csrf = console
    business = await create_business(db, name="Front Desk Co", owner_phone="+12125550100")
    page = f"/admin/businesses/{business.id}/people"
    # WHEN the operator adds Sam, then Billing with a badly written number
    sam = {"csrf_token": csrf, "name": "Sam Rivera", "kind": "person", "phone": "+12125550111", "transfers": "on"}
    assert (await client.post(page, data=sam)).status_code == 303
    bad = {"csrf_token": csrf, "name": "Billing", "kind": "department", "phone": "212 555 0122", "aliases": "accounts"}
    refused = await client.post(page, data=bad)
    # THEN the bad number is refused, saying why, with the form kept
    assert refused.status_code == 422
    assert "E.164" in refused.text
    assert 'value="Billing"' in refused.text
    fixed = {**bad, "phone": "+12125550122", "email": "billing@frontdesk.example"}
    assert (await client.post(page, data=fixed)).status_code == 303
    # THEN both are listed and stored, found by the words callers use
    listed = (await client.get(page)).text
    assert "Sam Rivera" in listed
    assert "accounts" in listed
    directory = await load_directory(db, business.id)
    billing = directory.find("the accounts team")
    assert billing is not None
    assert (billing.kind, billing.email, billing.transfers) == ("department", "billing@frontdesk.example", False)
    # WHEN Sam is deleted THEN only Billing is left
    sam_id = next(c.id for c in directory.contacts if c.name == "Sam Rivera")
    assert (await client.post(f"{page}/{sam_id}/delete", data={"csrf_token": csrf})).status_code == 303
    assert [c.name for c in (await load_directory(db, business.id)).contacts] == ["Billing"]
