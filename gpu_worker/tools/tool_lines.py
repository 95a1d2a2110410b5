"""The fixed lines every tool shares, by language; a definition's own `lines` (one_moment, tool_failed) win."""

from __future__ import annotations

from shared.agents.definition import AgentDefinition, text_for

TOOL_LINES: dict[str, dict[str, str]] = {
    "en": {
        "one_moment": "One moment, let me check.",
        "tool_failed": "Sorry, I couldn't do that just now. I can take a message and have someone call you back.",
    },
    "es": {
        "one_moment": "Un momento, lo compruebo.",
        "tool_failed": "Perdone, ahora no he podido hacerlo. Puedo tomar un mensaje para que le llamen.",
    },
}


def tool_line(definition: AgentDefinition, name: str, language: str) -> str:
    own = definition.lines.get(name)
    if own:
        return text_for(own, language, definition.default_language)
    return (TOOL_LINES.get(language) or TOOL_LINES["en"])[name]
