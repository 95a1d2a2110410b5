"""The definition a business starts with: a template as it stands, or, for a business from before agent
definitions, its prompt carried into the plumbing template (the receptionist it had, as data)."""

from __future__ import annotations

from typing import Any

from shared.agents.definition import AgentDefinition
from shared.agents.templates import load_template

LEGACY_TEMPLATE = "plumbing"  # what every business answered with before definitions
PERSONA_LIMIT = 2000  # a Localized text's limit (definition.py)


def from_template(name: str, *, timezone: str | None = None) -> AgentDefinition:
    """Template `name`; its opening hours moved to the business's time zone when one is given."""
    definition = load_template(name)
    if timezone is None or definition.facts.hours is None:
        return definition
    data = definition.model_dump(mode="json")
    data["facts"]["hours"]["timezone"] = timezone
    return AgentDefinition.model_validate(data)


def from_prompt(*, system_prompt: str, greeting: str) -> tuple[AgentDefinition, str]:
    """(definition, note) for a business that had only a prompt: persona ← its system prompt, greeting ←
    its greeting, everything else from the plumbing template except the facts. The template's hours,
    prices and service area are examples the business never gave, so they are left out rather than
    stated on its calls (its prompt still says whatever it said about them)."""
    data: dict[str, Any] = load_template(LEGACY_TEMPLATE).model_dump(mode="json")
    language = data["languages"][0]
    notes = ["from the business's prompt and the plumbing template; facts left empty (add them here)"]
    if system_prompt.strip() and len(system_prompt.strip()) <= PERSONA_LIMIT:
        data["persona"] = {**data["persona"], language: system_prompt.strip()}
    elif system_prompt.strip():
        notes.append(f"the prompt is longer than {PERSONA_LIMIT} characters: the template's persona is kept")
    if greeting.strip():
        data["greeting"] = {**data["greeting"], language: greeting.strip()[:PERSONA_LIMIT]}
    data["facts"] = {}
    return AgentDefinition.model_validate(data), "; ".join(notes)
