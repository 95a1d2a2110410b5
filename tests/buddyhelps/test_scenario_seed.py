"""Seeding the business a scenario calls: made from its template as `business add --template` makes one, with
the scenario's number, people, calendar and — when it must be open — a clock on which it is open now."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from buddyhelps.scenario_seed import ScenarioSeedError, seed_scenario_business
from buddyhelps.simulator.scenario import load_scenario
from buddyhelps.simulator.scenario_business import ScenarioBusiness
from shared.agents.opening_hours import hours_now
from shared.calendars.calendar_choice import calendar_choice
from shared.database import Database
from shared.people.directory import load_directory
from shared.repositories import agent_definitions, phone_numbers
from shared.settings import Settings

SUNDAY_EVENING_IN_NEW_YORK = datetime(2026, 11, 29, 23, 0, tzinfo=UTC)  # the front desk's own clock: closed
WORKER = "http://127.0.0.1:8201"


def business_of(name: str) -> ScenarioBusiness:
    business = load_scenario(name).business
    assert business is not None
    return business


async def seed(db: Database, business: ScenarioBusiness, *, calendar_url: str = "") -> str:
    seeded = await seed_scenario_business(
        db, business, worker_url=WORKER, worker_capacity=2, calendar_url=calendar_url, now=SUNDAY_EVENING_IN_NEW_YORK
    )
    return seeded.business_id


async def test_a_transfer_scenario_gets_its_template_people_and_a_clock_where_it_is_open(db: Database) -> None:
    # GIVEN the answered-transfer scenario's front desk, seeded on a Sunday evening in New York
    business = business_of("front-desk-transfer-answered")
    business_id = await seed(db, business)
    # THEN the dialled number reaches a business whose agent is the front desk template's
    number = await phone_numbers.get_number(db, business.number)
    assert number is not None
    assert number.business_id == business_id
    stored = await agent_definitions.current_definition(db, business_id)
    assert stored is not None
    assert stored.definition.template == "front_desk"
    # AND its hours are on a clock where the office is open at that moment (a transfer is possible)
    hours = stored.definition.facts.hours
    assert hours is not None
    assert hours.timezone != "America/New_York"
    assert hours_now(hours, SUNDAY_EVENING_IN_NEW_YORK).open_now
    # AND still open two hours later: a run of calls seeded once must not find it closed an hour in
    assert hours_now(hours, SUNDAY_EVENING_IN_NEW_YORK + timedelta(hours=2)).open_now
    # AND Dana is on its people page with the number a transfer rings
    dana = (await load_directory(db, business_id)).find("Dana")
    assert dana is not None
    assert dana.phone == "+15550107701"
    assert dana.transfers


async def test_the_booking_link_scenario_has_no_calendar_and_its_own_link(db: Database, settings: Settings) -> None:
    business_id = await seed(db, business_of("electrician-booking-link"))
    choice = await calendar_choice(db, business_id, settings)
    assert choice.provider == "none"
    assert choice.booking_link_url == "https://book.summit-electric.example/visit"
    stored = await agent_definitions.current_definition(db, business_id)
    assert stored is not None
    assert "book_visit" in stored.definition.tools


async def test_a_caldav_business_books_into_the_calendar_it_is_given(db: Database, settings: Settings) -> None:
    business = business_of("hvac-booking-caldav")
    with pytest.raises(ScenarioSeedError, match="needs a CalDAV calendar"):
        await seed(db, business)
    business_id = await seed(db, business, calendar_url="http://127.0.0.1:5232/plumber/visits/")
    choice = await calendar_choice(db, business_id, settings)
    assert (choice.provider, choice.calendar_id) == ("caldav", "http://127.0.0.1:5232/plumber/visits/")


async def test_seeding_again_keeps_one_business_and_one_of_each_person(db: Database) -> None:
    business = business_of("front-desk-message")
    first = await seed(db, business)
    second = await seed(db, business)
    assert first == second
    assert len((await load_directory(db, first)).contacts) == 2
    assert len(await agent_definitions.list_versions(db, first)) == 1


async def test_hours_closed_everywhere_at_that_moment_are_refused_plainly(db: Database) -> None:
    # GIVEN a front desk that must be open now, on a Saturday noon UTC (Friday night to Sunday everywhere)
    business = replace(business_of("front-desk-transfer-answered"), number="+15550209999")
    saturday = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
    with pytest.raises(ScenarioSeedError, match="open nowhere"):
        await seed_scenario_business(db, business, worker_url=WORKER, worker_capacity=2, now=saturday)
