"""The keypad menu before the agent, as logic without I/O: which language it speaks, what a caller's key or
words choose, and switching it on or off in a definition (the default menu is data:
keypad_menu_default.yaml). The TwiML and the routes are functions/keypad_menu.py.
"""

from __future__ import annotations

import re
from importlib import resources
from typing import Any

import yaml

from shared.agents.definition import AgentDefinition, KeypadChoice, KeypadMenu, MenuAction

DEFAULT_MENU_FILE = "keypad_menu_default.yaml"


class KeypadMenuUnavailable(ValueError):
    """The menu cannot be switched on for this definition; the message says why and what to do."""


def active_menu(definition: AgentDefinition) -> KeypadMenu | None:
    """The menu callers hear before the agent, or None (no menu, switched off, or an outbound definition)."""
    menu = definition.keypad_menu
    return menu if menu is not None and menu.enabled and definition.direction == "inbound" else None


def menu_language(definition: AgentDefinition, business_language: str) -> str:
    """The business's own language when its agent speaks it, else the agent's first language."""
    return business_language if business_language in definition.languages else definition.default_language


def choice_for(
    menu: KeypadMenu, *, digits: str, speech: str, language: str, languages: list[str]
) -> KeypadChoice | None:
    """What the caller chose: the key pressed, else the first choice whose words they said (the menu's
    language first, then the agent's other languages). None: nothing listed, which goes to the agent."""
    if digits:
        return next((choice for choice in menu.choices if choice.digit == digits[:1]), None)
    said = " " + " ".join(word.lower() for word in re.findall(r"[a-záéíóúñü]+", speech, re.IGNORECASE)) + " "
    if not said.strip():
        return None
    for each in [language, *(other for other in languages if other != language)]:
        for choice in menu.choices:
            if any(f" {word.lower().strip()} " in said for word in choice.words.get(each, [])):
                return choice
    return None


def action_for(choice: KeypadChoice | None) -> MenuAction:
    return choice.action if choice is not None else "agent"


def default_menu_data() -> dict[str, Any]:
    text = resources.files("shared.agents").joinpath(DEFAULT_MENU_FILE).read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def with_menu(definition: AgentDefinition, *, enabled: bool) -> AgentDefinition:
    """`definition` with its keypad menu switched on or off; switching on a definition without a menu adds the
    default one (its texts in the definition's languages). Raises KeypadMenuUnavailable, saying why."""
    if definition.direction != "inbound":
        raise KeypadMenuUnavailable("an outbound definition has no keypad menu: callers never dial it")
    data = definition.model_dump(mode="json")
    if definition.keypad_menu is not None:
        data["keypad_menu"] = {**data["keypad_menu"], "enabled": enabled}
        return AgentDefinition.model_validate(data)
    if not enabled:
        return definition
    menu = default_menu_data()
    missing = [language for language in definition.languages if language not in menu["prompt"]]
    if missing:
        raise KeypadMenuUnavailable(
            f"the default keypad menu has no text in {', '.join(missing)}: add a keypad_menu to the YAML yourself"
        )
    if definition.facts.hours is None:
        raise KeypadMenuUnavailable(
            "the default keypad menu reads the opening hours (key 1), but this agent has none: add facts.hours,"
            " or write a keypad_menu without an hours key in the YAML"
        )
    for key in ("prompt", "connecting", "closed", "voicemail"):
        menu[key] = {language: menu[key][language] for language in definition.languages}
    data["keypad_menu"] = menu
    return AgentDefinition.model_validate(data)
