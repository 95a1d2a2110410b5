"""A definition's message form: the fields whose `message_part` says they gather a take_message message
(who it is for, the caller's name, the callback number, the message itself).

A front desk asks for these one by one and reads them back, so the message is sent once, when the call
ends, with everything the caller gave — not in the turn that first named the person, when the name,
the callback and often the message itself were still to come."""

from __future__ import annotations

from collections.abc import Mapping

from shared.agents.definition import AgentDefinition

# The take_message arguments' own limits (MessageArguments): a longer field value is cut, not refused.
_LIMITS = {"for_whom": 120, "from_name": 120, "callback": 40, "message": 2000}


def form_fields(definition: AgentDefinition) -> dict[str, str]:
    """part → the field that gathers it; empty when the definition takes messages in one turn."""
    return {spec.message_part: spec.name for spec in definition.fields if spec.message_part}


def message_arguments(definition: AgentDefinition, values: Mapping[str, str]) -> dict[str, str] | None:
    """The take_message arguments the form's field `values` make; None when no message was given."""
    arguments = {
        part: " ".join(values.get(name, "").split())[: _LIMITS[part]] for part, name in form_fields(definition).items()
    }
    if not arguments.get("message"):
        return None
    return {part: value for part, value in arguments.items() if value}
