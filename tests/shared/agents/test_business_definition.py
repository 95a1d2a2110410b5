"""The definition a business starts with: a template in its time zone, or its old prompt as the plumbing agent."""

from __future__ import annotations

from shared.agents.business_definition import PERSONA_LIMIT, from_prompt, from_template
from shared.agents.templates import load_template


def test_a_template_moves_its_opening_hours_to_the_business_time_zone() -> None:
    # GIVEN the front desk template (New York hours) WHEN a business in Phoenix starts from it
    definition = from_template("front_desk", timezone="America/Phoenix")
    # THEN the same hours hold in Phoenix time, and nothing else changed
    template = load_template("front_desk")
    assert definition.facts.hours is not None
    assert template.facts.hours is not None
    assert definition.facts.hours.timezone == "America/Phoenix"
    assert definition.facts.hours.weekly == template.facts.hours.weekly
    assert definition.model_copy(update={"facts": template.facts}) == template


def test_a_prompt_too_long_for_a_persona_keeps_the_template_persona_and_says_so() -> None:
    # GIVEN a system prompt longer than a persona may be
    long_prompt = "Be kind. " * (PERSONA_LIMIT // 9 + 1)
    # WHEN it is carried into a definition
    definition, note = from_prompt(system_prompt=long_prompt, greeting="Hello there!")
    # THEN the template's persona stays, the greeting is the business's, and the note explains why
    assert definition.persona == load_template("plumbing").persona
    assert definition.greeting["en"] == "Hello there!"
    assert f"longer than {PERSONA_LIMIT} characters" in note
