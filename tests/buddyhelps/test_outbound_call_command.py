"""`buddyhelps call place --agent AGENT --to NUMBER [--business ID]` against a temp data dir: one outbound
call queued as a campaign of one, run by the agent given (never the business's receptionist), and a bad
number or an inbound agent refused with a clear line."""

from __future__ import annotations

from pathlib import Path

import pytest

from buddyhelps.cli import main as cli
from shared.agents.templates import load_template
from shared.agents.yaml_io import definition_to_yaml
from tests.buddyhelps.test_data_commands import data_dir, query

__all__ = ["data_dir"]


def _business(capsys: pytest.CaptureFixture[str], name: str, template: str) -> str:
    args = ["business", "add", "--name", name, "--owner-phone", "+12125550100", "--template", template]
    assert cli(args) == 0
    return capsys.readouterr().out.split("created business ", 1)[1].split()[0]


def test_a_plumber_places_one_gym_survey_call(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # GIVEN a plumbing business, the only one
    plumber = _business(capsys, "Bob's Plumbing", "plumbing")
    # WHEN it places one call by the gym survey agent, the number written as people write it
    assert cli(["call", "place", "--agent", "gym_information", "--to", "(212) 555-0101"]) == 0
    out = capsys.readouterr().out
    # THEN one call is queued, to the number in E.164, for that business
    assert "queued a call to +12125550101 by 'Gym information survey'" in out
    [job] = query(
        "SELECT j.to_number, j.status, c.business_id, c.agent_purpose, c.agent_version FROM outbound_call_jobs j"
        " JOIN outbound_campaigns c ON c.id = j.campaign_id"
    )
    assert (job["to_number"], job["status"], job["business_id"]) == ("+12125550101", "queued", plumber)
    # AND its campaign runs the gym survey kept as its own definition; the business's line is untouched
    [agent] = query(
        "SELECT json_extract(definition, '$.name') AS name FROM agent_definitions WHERE business_id = ?"
        " AND purpose = ? AND version = ?",
        (plumber, job["agent_purpose"], job["agent_version"]),
    )
    assert agent["name"] == "Gym information survey"
    [own] = query(
        "SELECT json_extract(d.definition, '$.direction') AS direction FROM agent_definitions d JOIN"
        " agent_definition_active a USING (business_id, purpose, version) WHERE d.business_id = ? AND d.purpose = ?",
        (plumber, "inbound"),
    )
    assert own["direction"] == "inbound"


@pytest.mark.parametrize("number", ["+1212555", "not a number", "+99 123"])
def test_a_bad_number_is_refused_with_why_and_nothing_is_queued(
    data_dir: Path, capsys: pytest.CaptureFixture[str], number: str
) -> None:
    _business(capsys, "Bob's Plumbing", "plumbing")
    assert cli(["call", "place", "--agent", "gym_information", "--to", number]) == 2
    err = capsys.readouterr().err
    assert err.startswith("call place: ")
    assert repr(number) in err
    assert query("SELECT COUNT(*) AS n FROM outbound_call_jobs") == [{"n": 0}]


def test_an_inbound_agent_or_an_unnamed_business_is_refused(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plumber = _business(capsys, "Bob's Plumbing", "plumbing")
    # an inbound agent has no goal to pursue on a call we place
    assert cli(["call", "place", "--agent", "plumbing", "--to", "+12125550101"]) == 2
    assert "answers inbound calls" in capsys.readouterr().err
    # with two businesses, which one calls must be said
    _business(capsys, "Riverside Surgery", "front_desk")
    assert cli(["call", "place", "--agent", "preop_reminder", "--to", "+13125550101"]) == 2
    assert "name the business with --business" in capsys.readouterr().err
    assert cli(["call", "place", "--agent", "preop_reminder", "--to", "+13125550101", "--business", plumber]) == 0
    assert query("SELECT COUNT(*) AS n FROM outbound_call_jobs") == [{"n": 1}]


def test_a_definition_file_can_be_the_agent(data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plumber = _business(capsys, "Bob's Plumbing", "plumbing")
    survey = tmp_path / "survey.yaml"
    yaml_text = definition_to_yaml(load_template("gym_information"))
    survey.write_text(yaml_text.replace("Gym information survey", "Climbing gym survey"), "utf-8")
    assert cli(["call", "place", "--agent", str(survey), "--to", "+12125550101", "--business", plumber]) == 0
    assert "by 'Climbing gym survey'" in capsys.readouterr().out
