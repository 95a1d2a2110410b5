"""The keypad menu as data: switching it on from the default, what keys and words choose, and the
definition refusing a menu callers could not use."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from shared.agents.definition import AgentDefinition
from shared.agents.keypad_menu import (
    KeypadMenuUnavailable,
    action_for,
    active_menu,
    choice_for,
    menu_language,
    with_menu,
)
from shared.agents.templates import load_template


def menu_on() -> AgentDefinition:
    return with_menu(load_template("plumbing"), enabled=True)


def with_changes(definition: AgentDefinition, **menu_changes: Any) -> dict[str, Any]:
    data = definition.model_dump(mode="json")
    data["keypad_menu"] = {**data["keypad_menu"], **menu_changes}
    return data


def test_templates_have_no_menu_until_it_is_switched_on() -> None:
    plumbing = load_template("plumbing")
    assert active_menu(plumbing) is None
    switched = with_menu(plumbing, enabled=True)
    menu = active_menu(switched)
    assert menu is not None
    assert set(menu.prompt) == {"en", "es"}
    # AND switching it off keeps the texts (an operator's edits survive), and off means no menu
    assert active_menu(with_menu(switched, enabled=False)) is None
    assert with_menu(switched, enabled=False).keypad_menu == menu.model_copy(update={"enabled": False})


@pytest.mark.parametrize(
    ("digits", "speech", "expected"),
    [
        ("1", "", "hours"),
        ("2", "", "voicemail"),
        ("0", "", "person"),
        ("9", "", "agent"),
        ("7", "", "agent"),
        ("", "What are your hours?", "hours"),
        ("", "I'd like to leave a voice mail", "voicemail"),
        ("", "Can I talk to a person?", "person"),
        ("", "My basement is flooding", "agent"),
        ("", "", "agent"),
        ("", "Quiero hablar con una persona", "person"),  # Spanish words at an English menu
    ],
)
def test_what_a_key_or_the_callers_words_choose(digits: str, speech: str, expected: str) -> None:
    definition = menu_on()
    assert definition.keypad_menu is not None
    choice = choice_for(definition.keypad_menu, digits=digits, speech=speech, language="en", languages=["en", "es"])
    assert action_for(choice) == expected


def test_the_menu_speaks_the_business_language_when_the_agent_does() -> None:
    definition = menu_on()
    assert menu_language(definition, "es") == "es"
    assert menu_language(definition, "fr") == "en"


def test_the_default_menu_needs_opening_hours_to_read() -> None:
    data = load_template("plumbing").model_dump(mode="json")
    data["facts"]["hours"] = None
    with pytest.raises(KeypadMenuUnavailable, match=r"add facts\.hours"):
        with_menu(AgentDefinition.model_validate(data), enabled=True)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"choices": [{"digit": "1", "action": "hours"}, {"digit": "1", "action": "voicemail"}]}, "repeated: 1"),
        ({"choices": [{"digit": "5", "action": "voicemail"}]}, "never names key(s) 5"),
        ({"choices": [{"digit": "10", "action": "voicemail"}]}, "digit"),
        ({"timeout_s": 0}, "timeout_s"),
        ({"voicemail": {"en": "Leave a message."}}, "keypad_menu.voicemail: es"),
    ],
)
def test_a_menu_callers_could_not_use_is_refused(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message.replace("(", r"\(").replace(")", r"\)")):
        AgentDefinition.model_validate(with_changes(menu_on(), **changes))


def test_an_outbound_definition_cannot_have_a_menu() -> None:
    with pytest.raises(KeypadMenuUnavailable, match="outbound"):
        with_menu(load_template("gym_information"), enabled=True)
