"""The shipped templates: every one loads, together they use every field kind, and each is plain data."""

from __future__ import annotations

import re

import pytest

from shared.agents.definition import FieldKind
from shared.agents.fields.lexicons import lexicon_for
from shared.agents.fields.options import extract_option
from shared.agents.templates import TemplateError, load_template, template_names

SHIPPED = ("electrician", "front_desk", "gym_information", "hvac", "plumbing", "preop_reminder")


def test_every_shipped_template_is_listed_and_loads() -> None:
    # GIVEN the templates folder WHEN each template is loaded THEN all six validate
    assert set(SHIPPED) <= set(template_names())
    for name in template_names():
        definition = load_template(name)
        assert definition.template == name


def test_together_the_templates_use_every_field_kind() -> None:
    used = {spec.kind for name in template_names() for spec in load_template(name).fields}
    assert used == set(FieldKind)


def test_outbound_templates_disclose_an_automated_call_on_behalf_of_the_business() -> None:
    for name in ("gym_information", "preop_reminder"):
        definition = load_template(name)
        assert definition.direction == "outbound"
        assert definition.outbound is not None
        disclosure = definition.outbound.disclosure["en"]
        assert "automated call on behalf of {business}" in disclosure
        assert definition.outbound.voicemail["en"]
        assert definition.closing.complete_when == "goal"


@pytest.mark.parametrize(
    ("template", "caller", "rule"),
    [
        ("electrician", "the outlet in the kitchen is sparking", "sparking"),
        ("electrician", "there's a burning smell coming from the panel", "burning"),
        ("electrician", "my son got a shock from the light switch", "shock"),
        ("electrician", "we lost power in the whole house", "power_out"),
        ("hvac", "the CO alarm is going off", "carbon_monoxide"),
        ("hvac", "I think I smell gas near the furnace", "gas"),
        ("hvac", "we have no heat and it's freezing outside", "no_heat_freezing"),
        ("plumbing", "there's water everywhere, a pipe burst", "water"),
    ],
)
def test_safety_rules_match_what_callers_say(template: str, caller: str, rule: str) -> None:
    # GIVEN a template's safety rules WHEN a caller describes a hazard THEN that rule's patterns match it
    definition = load_template(template)
    matched = [r.name for r in definition.safety if any(re.search(p, caller, re.IGNORECASE) for p in r.patterns["en"])]
    assert rule in matched


def test_hvac_asks_the_system_type_as_an_option_field() -> None:
    system = load_template("hvac").field("system_type")
    assert system.kind == FieldKind.ENUM
    assert {"furnace", "boiler", "heat_pump", "central_air"} <= {option.value for option in system.options}


def test_preop_reads_the_instructions_it_states_as_a_fact() -> None:
    # GIVEN the pre-op reminder WHEN its questions field is asked THEN it reads the same instructions as its fact
    definition = load_template("preop_reminder")
    instructions = next(f for f in definition.facts.policies if f.topic == "preop_instructions").text["en"]
    assert instructions in definition.field("questions").question["en"]
    assert [definition.field(n).kind for n in ("appointment_date", "appointment_time")] == ["date", "time"]
    assert definition.field("appointment_date").read_back
    assert definition.field("appointment_time").read_back


def test_an_unknown_template_names_the_ones_there_are() -> None:
    with pytest.raises(TemplateError, match="no template 'dentist'; templates: electrician"):
        load_template("dentist")


@pytest.mark.parametrize(
    ("template", "caller", "urgency"),
    [
        ("electrician", "Today if possible.", "soon"),
        ("electrician", "Whenever you can, it's not urgent.", "routine"),
        ("electrician", "No hurry.", "routine"),
        ("hvac", "What time do you close today?", None),  # a question about the day, not a deadline
        ("hvac", "Can someone come out tomorrow?", "soon"),
        ("hvac", "It's still running, no rush.", "routine"),
        ("hvac", "We have no heat and the pipes might freeze", "emergency"),
    ],
)
def test_urgency_options_read_what_callers_say(template: str, caller: str, urgency: str | None) -> None:
    spec = load_template(template).field("urgency")
    assert extract_option(spec, caller, lexicon_for("en"), answering=False) == urgency
