"""Scenario files: the shipped ones load, and broken ones are refused with a message that says where."""

from __future__ import annotations

from pathlib import Path

import pytest

from buddyhelps.simulator.scenario import CallerLine, ScenarioError, available_scenarios, load_scenario


def test_every_shipped_scenario_loads() -> None:
    # GIVEN the scenarios shipped with the simulator
    names = available_scenarios()
    # THEN the six the project promises are there and each loads
    assert {
        "plumbing-emergency",
        "routine-booking",
        "caller-interrupts",
        "silent-caller",
        "caller-hangs-up",
        "dtmf-zero",
    } <= set(names)
    for name in names:
        assert load_scenario(name).name == name


def test_shipped_scenarios_script_what_they_promise() -> None:
    emergency = load_scenario("plumbing-emergency")
    assert any("burst" in text for text in emergency.spoken_texts)
    assert any("555" in text for text in emergency.spoken_texts)
    assert load_scenario("caller-interrupts").lines[1].barge_in_after_s is not None
    assert load_scenario("caller-hangs-up").lines[-1].hangup_after_s is not None
    assert load_scenario("dtmf-zero").lines[0].dtmf == "0"
    assert load_scenario("silent-caller").lines == ()


def test_a_path_loads_and_defaults_apply(tmp_path: Path) -> None:
    # GIVEN a scenario file with one bare line
    path = tmp_path / "mine.toml"
    path.write_text('[[lines]]\ntext = "  Hello?  "\n')
    # WHEN loaded by path
    scenario = load_scenario(str(path))
    # THEN its name is the file's and the line waits for the agent with no pause
    assert scenario.name == "mine"
    assert scenario.lines == (CallerLine(text="Hello?"),)
    assert scenario.max_duration_s == 120.0


def test_underscored_names_find_the_shipped_file() -> None:
    assert load_scenario("routine_booking").name == "routine-booking"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("lines = 3", "'lines' must be an array"),
        ('colour = "blue"', "unknown field(s) colour"),
        ('[[lines]]\ntext = "hi"\nshout = true', "line 1: unknown field(s) shout"),
        ("[[lines]]\npause_before_s = 1", "line 1: a line needs text, dtmf or hangup_after_s"),
        ('[[lines]]\ndtmf = "1x"', "line 1: dtmf may only hold"),
        ('[[lines]]\ntext = "hi"\npause_before_s = -1', "line 1: pause_before_s must not be negative"),
        ('[[lines]]\ntext = "hi"\npause_before_s = "soon"', "pause_before_s must be a number"),
        ('[[lines]]\ntext = "hi"\nwait_for_agent = "yes"', "wait_for_agent must be true or false"),
        ('[[lines]]\ndtmf = "0"\nbarge_in_after_s = 1', "barge_in_after_s needs text"),
        ('[[lines]]\ntext = "a"\nhangup_after_s = 1\n[[lines]]\ntext = "b"', "only allowed on the last line"),
        ("max_duration_s = 0", "max_duration_s must be in"),
        ("not = toml = at all", "not valid TOML"),
    ],
)
def test_broken_scenarios_are_refused_with_the_reason(tmp_path: Path, content: str, message: str) -> None:
    # GIVEN a scenario file with one mistake
    path = tmp_path / "broken.toml"
    path.write_text(content)
    # WHEN loaded THEN ScenarioError names the file and the mistake
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert message in str(caught.value)
    assert "broken.toml" in str(caught.value)


def test_an_unknown_name_lists_the_shipped_scenarios() -> None:
    with pytest.raises(ScenarioError, match="plumbing-emergency"):
        load_scenario("no-such-scenario")
