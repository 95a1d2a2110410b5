"""Outbound campaigns in the console and its API: created from a business's outbound agent and a CSV
upload (bad lines named), each call's status, fields and call page shown, results exported as CSV."""

from __future__ import annotations

import csv
import io

import httpx

from shared.agents.business_definition import from_template
from shared.call_report import ReportField
from shared.database import Database
from shared.outbound import call_jobs
from shared.repositories import agent_definitions, calls
from shared.repositories.businesses import Business, create_business

GYMS_CSV = "number,label\n+12125550101,Iron Works\n(212) 555-0102,Sunny Fitness\nnot a number,Typo\n"


async def _gym_surveyor(db: Database) -> Business:
    business = await create_business(db, name="FitFinder", owner_phone="+12125550100")
    await agent_definitions.save_definition(db, business.id, from_template("gym_information"), "test", "gyms")
    return business


async def _answered(db: Database, campaign_id: str, number: str) -> calls.Call:
    """What the worker's report leaves on a call that reached a person: the definition's fields."""
    job = next(j for j in await call_jobs.list_jobs(db, campaign_id) if j.to_number == number)
    call_sid = "CA" + job.id[-8:].rjust(32, "0")
    await call_jobs.attach_call(db, job.id, call_sid)
    call = await calls.create_call(
        db, call_sid=call_sid, from_number="+12125550100", to_number=number, business_id=None, direction="outbound"
    )
    price = ReportField(name="day_pass_price", label="Day pass price", kind="money", value="15.00 USD", status="given")
    await db.execute("UPDATE calls SET fields = ? WHERE call_sid = ?", (f"[{price.model_dump_json()}]", call_sid))
    return call


async def test_a_campaign_from_a_csv_upload_shows_each_call_and_exports_results(
    console: tuple[httpx.AsyncClient, str], db: Database
) -> None:
    client, csrf = console
    business = await _gym_surveyor(db)
    # WHEN an operator creates a campaign with a CSV of gyms, one line of it bad
    form = {"csrf_token": csrf, "business_id": business.id, "name": "Gyms nearby", "from_number": "+12125550100",
            "calling_from": "09:00", "calling_until": "20:00", "max_attempts": "3", "retry_base_s": "900"}  # fmt: skip
    page = await client.post("/admin/campaigns", data=form, files={"numbers": ("gyms.csv", GYMS_CSV, "text/csv")})
    # THEN the campaign page lists both good numbers as queued and says why the bad line was not
    assert page.status_code == 200, page.text
    assert "Iron Works" in page.text
    assert "+12125550102" in page.text
    assert "not a number" in page.text
    campaign_id = page.text.split('href="/admin/campaigns/', 1)[1].split("/results.csv", 1)[0]
    # WHEN one gym has been called and answered
    call = await _answered(db, campaign_id, "+12125550101")
    shown = await client.get(f"/admin/campaigns/{campaign_id}")
    # THEN its price shows with its status and a link to the call's transcript page
    assert "15.00 USD" in shown.text
    assert f"/admin/calls/{call.id}" in shown.text
    assert 'href="/admin/live"' in shown.text
    # AND the export has a row per number with the definition's fields
    export = await client.get(f"/admin/campaigns/{campaign_id}/results.csv")
    rows = {row["number"]: row for row in csv.DictReader(io.StringIO(export.text))}
    assert rows["+12125550101"]["day_pass_price"] == "15.00 USD"
    assert rows["+12125550102"]["day_pass_price_status"] == "missing"


async def test_the_api_refuses_an_inbound_agent_and_creates_an_outbound_campaign(
    api: httpx.AsyncClient, db: Database
) -> None:
    plumber = await create_business(db, name="Rapid Rooter", owner_phone="+12125550199")
    body: dict[str, object] = {"business_id": plumber.id, "from_number": "+12125550100", "numbers": ["+12125550101"]}
    refused = await api.post("/admin/api/campaigns", json=body)
    assert refused.status_code == 422
    assert "inbound" in refused.json()["errors"][0]
    business = await _gym_surveyor(db)
    body = {**body, "business_id": business.id, "numbers": [{"number": "+12125550101", "label": "Iron"}, "12"]}
    created = await api.post("/admin/api/campaigns", json=body)
    assert created.status_code == 201
    assert [r["number"] for r in created.json()["rejected"]] == ["12"]
    read = await api.get(f"/admin/api/campaigns/{created.json()['id']}")
    assert [(c["number"], c["status"]) for c in read.json()["calls"]] == [("+12125550101", "queued")]
    assert (await api.get("/admin/api/campaigns/cmp_nope")).status_code == 404
