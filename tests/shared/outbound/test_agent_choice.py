"""The agents a campaign may be given come from the template folder: every outbound template, a new one
included by itself, and no template that answers calls."""

from __future__ import annotations

import pytest

from shared.agents import templates
from shared.agents.definition import AgentDefinition
from shared.outbound import agent_choice
from shared.outbound.agent_choice import AgentChoiceError, outbound_template, outbound_templates


def test_the_shipped_outbound_templates_are_offered_with_their_goals() -> None:
    offers = {offer.name: offer for offer in outbound_templates()}
    assert {"gym_information", "preop_reminder"} <= set(offers)
    assert not {"plumbing", "front_desk", "hvac", "electrician"} & set(offers)
    assert offers["preop_reminder"].title == "Pre-op reminder"
    assert "procedure" in offers["preop_reminder"].goal.lower()


def test_a_new_outbound_template_file_is_offered_without_naming_it_anywhere(monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN one more template in the folder (a dental recall made from the pre-op reminder)
    shipped = templates.template_names()
    recall = AgentDefinition.model_validate(
        {**templates.load_template("preop_reminder").model_dump(), "name": "Dental recall", "template": "dental_recall"}
    )

    def load(name: str) -> AgentDefinition:
        return recall if name == "dental_recall" else templates.load_template(name)

    monkeypatch.setattr(agent_choice, "template_names", lambda: [*shipped, "dental_recall"])
    monkeypatch.setattr(agent_choice, "load_template", load)
    # THEN it is offered and may be chosen
    assert "dental_recall" in [offer.name for offer in outbound_templates()]
    assert outbound_template("dental_recall").name == "Dental recall"


def test_an_inbound_or_unknown_template_is_refused_naming_what_would_do() -> None:
    with pytest.raises(AgentChoiceError, match=r"answers inbound calls.*preop_reminder"):
        outbound_template("plumbing")
    with pytest.raises(AgentChoiceError, match=r"no agent template 'nope'.*gym_information"):
        outbound_template("nope")
