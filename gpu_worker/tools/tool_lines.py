"""The fixed lines every tool shares, by language; a definition's own `lines` of the same purpose win."""

from __future__ import annotations

from shared.agents.definition import AgentDefinition, text_for

TOOL_LINES: dict[str, dict[str, str]] = {
    "en": {
        "one_moment": "One moment, let me check.",
        "tool_failed": "Sorry, I couldn't do that just now. I can take a message and have someone call you back.",
        "message_what": "Of course. What would you like me to tell them?",
    },
    "es": {
        "one_moment": "Un momento, lo compruebo.",
        "tool_failed": "Perdone, ahora no he podido hacerlo. Puedo tomar un mensaje para que le llamen.",
        "message_what": "Por supuesto. ¿Qué mensaje quiere que le deje?",
    },
}


def tool_line(definition: AgentDefinition, name: str, language: str) -> str:
    own = definition.lines.get(name)
    if own:
        return text_for(own, language, definition.default_language)
    return (TOOL_LINES.get(language) or TOOL_LINES["en"])[name]
