"""What the knowledge answerer says, per language: data, not code paths per language."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class KnowledgeLines:
    source: str  # said after an answer; {source} is the document's title as spoken
    not_found: str  # the documents don't hold it: say so, then the business's fallback
    instructions: str  # the phrasing prompt
    decline: str  # what the model must write when the notes don't answer


LINES: Mapping[str, KnowledgeLines] = {
    "en": KnowledgeLines(
        source="That's from our {source}.",
        not_found="I don't have that information here, so I'll take a message and have someone get back to you.",
        instructions=(
            "You answer a caller's question on the phone for a business, using only the notes below. "
            "Reply in one or two short, plain spoken sentences. Never add prices, numbers, times or promises "
            "that are not in the notes. Do not mention the notes. If the notes do not answer the question, "
            "reply only: {decline}"
        ),
        decline="NOT IN NOTES",
    ),
    "es": KnowledgeLines(
        source="Eso viene de: {source}.",
        not_found="No tengo esa información aquí, así que tomaré un mensaje y alguien le devolverá la llamada.",
        instructions=(
            "Respondes por teléfono a la pregunta de un cliente de una empresa, usando solo las notas de abajo. "
            "Responde en una o dos frases cortas y habladas, en español. Nunca añadas precios, números, horarios "
            "ni promesas que no estén en las notas. No menciones las notas. Si las notas no responden a la "
            "pregunta, responde solo: {decline}"
        ),
        decline="NO ESTÁ EN LAS NOTAS",
    ),
}
DEFAULT_LANGUAGE = "en"


def lines_for(language: str) -> KnowledgeLines:
    return LINES.get(language, LINES[DEFAULT_LANGUAGE])


def spoken_title(title: str, language: str) -> str:
    """'Service list' → 'service list' inside a sentence ('FAQ' stays as it is). Spanish keeps its
    capital: it follows a colon."""
    if language != "en" or len(title) < 2 or not title[1].islower():
        return title
    return title[0].lower() + title[1:]
