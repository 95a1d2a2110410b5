"""Which definition a finished call is read back with (its fields' labels for the owner): the campaign's
pinned agent for a call we placed, the business's own line at the call's version for a call to it."""

from __future__ import annotations

from shared.agents.business_definition import from_template
from shared.agents.call_definition import definition_for_call
from shared.database import Database
from shared.outbound import call_jobs, campaigns
from shared.outbound.calling_rules import CallingHours
from shared.repositories import agent_definitions, businesses

GYM_CALL = "CA" + "c" * 32
INBOUND_CALL = "CA" + "d" * 32


async def test_a_campaign_call_is_read_back_with_the_campaigns_agent_not_the_business_line(db: Database) -> None:
    # GIVEN a plumbing business whose own line is its receptionist, running a gym survey campaign
    plumber = await businesses.create_business(db, name="Bob's Plumbing", owner_phone="+12125550100")
    own_version = await agent_definitions.save_definition(db, plumber.id, from_template("plumbing"), "test")
    campaign = await campaigns.create_campaign(
        db,
        business_id=plumber.id,
        name="gyms near the shop",
        from_number="+12125550100",
        hours=CallingHours(0, 1440),
        agent=from_template("gym_information"),
    )
    await campaigns.add_numbers(db, campaign, [("+13125550111", "Iron Works Gym")])
    [job] = await call_jobs.list_jobs(db, campaign.id)
    await call_jobs.attach_call(db, job.id, GYM_CALL)
    # WHEN its report and call page look up the definition of a survey call (version 1 of the survey) and of
    # a call to the business
    survey = await definition_for_call(db, business_id=plumber.id, call_sid=GYM_CALL, version=1)
    own = await definition_for_call(db, business_id=plumber.id, call_sid=INBOUND_CALL, version=own_version)
    # THEN the survey call is labelled by the gym survey, the business's call by its receptionist
    assert survey is not None
    assert [spec.name for spec in survey.fields] == ["hours", "day_pass_price", "classes", "drop_in"]
    assert own is not None
    assert own.direction == "inbound"
    assert own.template == "plumbing"
