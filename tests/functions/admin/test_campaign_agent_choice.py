"""The console's campaign form picks the agent a campaign runs: a shipped outbound template or the
business's own outbound line, pinned as the CLI and the API pin it; a bad choice is refused on the form
with the operator's list of numbers kept."""

from __future__ import annotations

import html
import re

import httpx

from gpu_worker.conversation.business_config import load_business_config
from shared.agents.business_definition import from_template
from shared.database import Database
from shared.outbound import call_jobs, campaign_agents, campaigns
from shared.repositories import agent_definitions, calls
from shared.repositories.businesses import Business, create_business

PATIENTS_CSV = "number,label\n+12125550141,Ana Ruiz\n+12125550142,Ben Cole\n"


async def _clinic(db: Database) -> Business:
    """A clinic whose own line is its front desk, an agent that answers calls."""
    business = await create_business(db, name="Riverside Surgery", owner_phone="+12125550140")
    await agent_definitions.save_definition(db, business.id, from_template("front_desk"), "test", "front desk")
    return business


def _form(csrf: str, business: Business, agent: str) -> dict[str, str]:
    return {"csrf_token": csrf, "business_id": business.id, "agent": agent, "name": "Pre-op week 48",
            "from_number": "+12125550140", "calling_from": "09:00", "calling_until": "20:00",
            "max_attempts": "2", "retry_base_s": "900"}  # fmt: skip


def _campaign_id(page: httpx.Response) -> str:
    match = re.search(r'href="/admin/campaigns/(cmp_[0-9a-f]+)/results.csv"', page.text)
    assert match, page.text
    return match.group(1)


def _kept_numbers(page: httpx.Response) -> str:
    match = re.search(r'<textarea name="numbers_text"[^>]*>([^<]*)</textarea>', page.text)
    assert match, "the form has no numbers text"
    return match.group(1)


async def test_a_campaign_made_from_the_console_with_the_preop_template_runs_the_preop_agent(
    console: tuple[httpx.AsyncClient, str], db: Database
) -> None:
    client, csrf = console
    # GIVEN a clinic whose own agent is its front desk (inbound)
    clinic = await _clinic(db)
    # WHEN an operator creates a campaign on the console choosing the pre-op reminder template
    files = {"numbers": ("patients.csv", PATIENTS_CSV, "text/csv")}
    created = await client.post("/admin/campaigns", data=_form(csrf, clinic, "preop_reminder"), files=files)
    assert created.status_code == 303, created.text
    page = await client.get(created.headers["location"])
    # THEN the campaign page names the pre-op agent, its version and its goal
    agent = page.text.split('id="campaign-agent"', 1)[1].split("</section>", 1)[0]
    assert "Pre-op reminder" in agent
    assert "version 1" in agent
    assert "preop_reminder template" in agent
    assert "procedure" in agent.lower()
    # AND the campaign pins the pre-op definition, not the clinic's front desk
    campaign = await campaigns.get_campaign(db, _campaign_id(page))
    assert campaign is not None
    assert campaign.agent_purpose == campaign_agents.own_purpose(campaign.id)
    pinned = await campaign_agents.definition_of(db, campaign.agent)
    assert pinned is not None
    assert pinned.definition.template == "preop_reminder"
    assert pinned.created_by == "ops@buddyhelps.example"
    # AND when a patient answers, the worker runs the pre-op agent for that call
    job = (await call_jobs.list_jobs(db, campaign.id))[0]
    call_sid = "CA" + job.id[-8:].rjust(32, "0")
    await call_jobs.attach_call(db, job.id, call_sid)
    await calls.create_call(db, call_sid=call_sid, from_number="+12125550140", to_number=job.to_number,
                            business_id=clinic.id, direction="outbound")  # fmt: skip
    config = await load_business_config(db, business_id=clinic.id, mode="live", call_sid=call_sid)
    assert config.definition.template == "preop_reminder"
    assert config.definition.direction == "outbound"
    # AND the clinic's own line still answers as its front desk
    own = await agent_definitions.current_definition(db, clinic.id)
    assert own is not None
    assert own.definition.template == "front_desk"


async def test_the_form_offers_the_outbound_templates_and_the_business_s_own_outbound_line(
    console: tuple[httpx.AsyncClient, str], db: Database
) -> None:
    client, _ = console
    # GIVEN a gym surveyor whose own line is an outbound agent, and the clinic with an inbound one
    surveyor = await create_business(db, name="FitFinder Scouts", owner_phone="+12125550150")
    await agent_definitions.save_definition(db, surveyor.id, from_template("gym_information"), "test", "gyms")
    clinic = await _clinic(db)
    # WHEN the operator opens the campaigns page
    page = await client.get("/admin/campaigns")
    # THEN the agent choice lists every outbound template with its goal, and no inbound one
    choice = page.text.split('<select name="agent"', 1)[1].split("</select>", 1)[0]
    values = re.findall(r'<option value="([^"]*)"', choice)
    assert {"gym_information", "preop_reminder"} <= set(values)
    assert not {"plumbing", "front_desk", "hvac", "electrician"} & set(values)
    assert "Pre-op reminder:" in choice
    # AND the business with an outbound line of its own says so, the clinic does not
    businesses = page.text.split('<select name="business_id"', 1)[1].split("</select>", 1)[0]
    assert "FitFinder Scouts (own outbound agent: Gym information" in businesses
    assert f'"{clinic.id}">Riverside Surgery</option>' in businesses


async def test_an_inbound_or_unknown_template_is_refused_on_the_form_and_the_numbers_are_kept(
    console: tuple[httpx.AsyncClient, str], db: Database
) -> None:
    client, csrf = console
    clinic = await _clinic(db)
    files = {"numbers": ("patients.csv", PATIENTS_CSV, "text/csv")}
    before = len(await campaigns.list_campaigns(db, business_id=clinic.id))
    # WHEN the operator picks an inbound template for the campaign
    refused = await client.post("/admin/campaigns", data=_form(csrf, clinic, "plumbing"), files=files)
    # THEN the form says why, offers what would do, and keeps the uploaded list and what was typed
    assert refused.status_code == 422
    assert "answers inbound calls" in refused.text
    assert "preop_reminder" in refused.text.split('class="errors"', 1)[1].split("</ul>", 1)[0]
    assert "+12125550141,Ana Ruiz" in _kept_numbers(refused)
    assert 'value="Pre-op week 48"' in refused.text
    # WHEN it names a template that does not exist (a hand-made request)
    unknown = await client.post("/admin/campaigns", data=_form(csrf, clinic, "dentist_recall"), files=files)
    assert unknown.status_code == 422
    assert "no agent template 'dentist_recall'" in html.unescape(unknown.text)
    # WHEN it leaves the clinic's own (inbound) agent chosen
    own = await client.post("/admin/campaigns", data=_form(csrf, clinic, ""), files=files)
    assert own.status_code == 422
    assert "choose an outbound template" in own.text
    assert len(await campaigns.list_campaigns(db, business_id=clinic.id)) == before
    # WHEN it sends the form again with the kept list and the pre-op template, no file chosen again
    again = {**_form(csrf, clinic, "preop_reminder"), "numbers_text": _kept_numbers(refused)}
    created = await client.post("/admin/campaigns", data=again, files={"numbers": ("", b"", "text/csv")})
    # THEN the campaign is made with both patients queued
    assert created.status_code == 303, created.text
    [campaign] = await campaigns.list_campaigns(db, business_id=clinic.id)
    queued = {job.to_number: job.label for job in await call_jobs.list_jobs(db, campaign.id)}
    assert queued == {"+12125550141": "Ana Ruiz", "+12125550142": "Ben Cole"}


async def test_the_business_s_own_outbound_line_is_pinned_at_its_version(
    console: tuple[httpx.AsyncClient, str], db: Database
) -> None:
    client, csrf = console
    # GIVEN a surveyor whose own line is the gym agent, saved twice (version 2 active)
    surveyor = await create_business(db, name="Gym Scouts", owner_phone="+12125550160")
    for note in ("first", "second"):
        await agent_definitions.save_definition(db, surveyor.id, from_template("gym_information"), "test", note)
    # WHEN a campaign is made choosing the business's own agent
    files = {"numbers": ("gyms.csv", "+12125550161,Iron Works\n", "text/csv")}
    created = await client.post("/admin/campaigns", data=_form(csrf, surveyor, ""), files=files)
    assert created.status_code == 303, created.text
    page = await client.get(created.headers["location"])
    # THEN the page shows the gym agent at version 2, as the business's own line
    agent = page.text.split('id="campaign-agent"', 1)[1].split("</section>", 1)[0]
    assert "Gym information" in agent
    assert "version 2" in agent
    assert "own agent line" in agent
    campaign = await campaigns.get_campaign(db, _campaign_id(page))
    assert campaign is not None
    assert (campaign.agent_purpose, campaign.agent_version) == (agent_definitions.INBOUND, 2)


async def test_the_api_takes_a_template_for_the_campaign_s_agent(api: httpx.AsyncClient, db: Database) -> None:
    # GIVEN the clinic with an inbound front desk
    clinic = await _clinic(db)
    body: dict[str, object] = {"business_id": clinic.id, "from_number": "+12125550140", "numbers": ["+12125550171"]}
    # WHEN the API is asked for a campaign running the pre-op template, or an inbound one
    created = await api.post("/admin/api/campaigns", json={**body, "agent": "preop_reminder"})
    refused = await api.post("/admin/api/campaigns", json={**body, "agent": "front_desk"})
    # THEN the first is made with its own pinned pre-op agent, the second refused saying why
    assert created.status_code == 201, created.text
    read = (await api.get(f"/admin/api/campaigns/{created.json()['id']}")).json()
    assert read["agent"] == {"purpose": campaign_agents.own_purpose(created.json()["id"]), "version": 1}
    assert refused.status_code == 422
    assert "answers inbound calls" in refused.json()["errors"][0]
