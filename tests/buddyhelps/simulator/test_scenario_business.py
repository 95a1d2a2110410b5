"""A scenario's `[business]` (which business it calls, made from a template) and `[expect]` (what the call must
do): the shipped tool scenarios say them, and a scenario that gets them wrong is refused saying where."""

from __future__ import annotations

from pathlib import Path

import pytest

from buddyhelps.simulator.scenario import ScenarioError, load_scenario
from buddyhelps.tool_timings import tool_scenarios

TOOL_SCENARIOS = {
    "electrician-hours-saturday": ("electrician", "hours"),
    "front-desk-message": ("front_desk", "take_message"),
    "front-desk-transfer-answered": ("front_desk", "transfer"),
    "hvac-transfer-unanswered": ("hvac", "transfer"),
    "hvac-booking-caldav": ("hvac", "book_visit"),
    "electrician-booking-link": ("electrician", "book_visit"),
}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mine.toml"
    path.write_text('[[lines]]\ntext = "Hello."\n' + text, encoding="utf-8")
    return path


def test_each_tool_scenario_calls_a_business_from_its_template_and_expects_its_tool() -> None:
    # GIVEN the shipped tool scenarios
    found = {s.name: (s.business.template if s.business else "", s.expect.tool) for s in tool_scenarios()}
    # THEN each tool is exercised on a business made from a template, in a caller voice no agent uses
    assert found == TOOL_SCENARIOS
    for name in TOOL_SCENARIOS:
        assert load_scenario(name).voice.startswith("kokoro:")
        assert load_scenario(name).voice not in {"kokoro:af_heart", "kokoro:ef_dora"}


def test_the_transfer_scenarios_ring_a_person_who_answers_or_not_while_the_business_is_open() -> None:
    answered, unanswered = load_scenario("front-desk-transfer-answered"), load_scenario("hvac-transfer-unanswered")
    assert answered.business is not None
    assert unanswered.business is not None
    assert (answered.business.dial_answer, answered.expect.dial) == ("completed", "completed")
    assert (unanswered.business.dial_answer, unanswered.expect.dial) == ("no-answer", "no-answer")
    assert answered.business.open_now
    assert unanswered.business.open_now
    assert all(person.phone for person in (*answered.business.people, *unanswered.business.people))


def test_the_booking_scenarios_book_into_caldav_or_text_the_link() -> None:
    caldav, link = load_scenario("hvac-booking-caldav"), load_scenario("electrician-booking-link")
    assert caldav.business is not None
    assert caldav.business.calendar == "caldav"
    assert link.business is not None
    assert link.business.calendar == "none"
    assert link.expect.outbox_contains in link.business.booking_link


def test_a_scenario_without_a_business_calls_the_demo_plumber_and_expects_nothing() -> None:
    scenario = load_scenario("plumbing-emergency")
    assert scenario.business is None
    assert scenario.expect.empty


def test_people_and_defaults_are_read(tmp_path: Path) -> None:
    # GIVEN a business with a department and only a template named otherwise
    path = write(
        tmp_path,
        '[business]\ntemplate = "front_desk"\n'
        '[[business.people]]\nname = "Accounts"\nkind = "department"\nemail = "a@x.example"\naliases = ["billing"]\n',
    )
    business = load_scenario(path).business
    # THEN the defaults apply: a number of its own, no calendar, nobody answering a transfer
    assert business is not None
    assert business.number.startswith("+1555020")
    assert len(business.number) == 12
    assert (business.calendar, business.dial_answer, business.open_now) == ("none", "no-answer", False)
    assert business.people[0].kind == "department"
    assert business.people[0].aliases == ("billing",)


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[business]\ntemplate = "dentist"\n', "template: no template 'dentist'"),
        ('[business]\ntemplate = "gym_information"\n', "places outbound calls"),
        ('[business]\ntemplate = "hvac"\ncalendar = "google"\n', "calendar must be one of none, caldav"),
        ('[business]\ntemplate = "hvac"\ndial_answer = "maybe"\n', "dial_answer must be one of"),
        ('[business]\ntemplate = "hvac"\nnumber = "555"\n', "number must be E.164"),
        ('[business]\ntemplate = "hvac"\nbooking_link = "http://x.example"\n', "booking_link must be an https://"),
        ('[business]\ntemplate = "hvac"\ntimezone = "Europe/Paris"\nopen_now = true\n', "not both"),
        ('[business]\ntemplate = "hvac"\nopen_now = "yes"\n', "open_now must be true or false"),
        ('[business]\ntemplate = "hvac"\nowner = "x"\n', "unknown field(s) owner"),
        ('[business]\ntemplate = "hvac"\n[[business.people]]\nphone = "+15550100000"\n', "people[0]: name is required"),
        ('[expect]\ntool = "teleport"\n', "[expect]: tool must be one of hours"),
        ('[expect]\ndial = "ringing"\n', "dial must be one of"),
        ('[expect]\nsaid = "hi"\n', "unknown field(s) said"),
    ],
)
def test_a_wrong_business_or_expectation_is_refused_saying_where(tmp_path: Path, toml: str, message: str) -> None:
    with pytest.raises(ScenarioError, match=r"mine\.toml") as refused:
        load_scenario(write(tmp_path, toml))
    assert message in str(refused.value)


def test_tool_timings_can_run_a_few_tool_scenarios_and_refuse_one_that_is_not() -> None:
    assert [s.name for s in tool_scenarios(["hvac-transfer-unanswered"])] == ["hvac-transfer-unanswered"]
    with pytest.raises(ScenarioError, match="not a tool scenario: plumbing-emergency"):
        tool_scenarios(["plumbing-emergency"])
