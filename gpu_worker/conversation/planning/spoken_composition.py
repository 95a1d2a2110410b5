"""The definition's lines made speakable for one call: placeholders filled, the read-back and the goodbye.

Placeholders: {business}, {name}, {first_name}, {callback}, {last_four} and {<field name>} (its spoken
form). A placeholder with no value yet is left out with the comma or space before it ("Thanks, {name}."
→ "Thanks."), so a line never says an empty slot aloud.
"""

from __future__ import annotations

import re

from gpu_worker.conversation.planning.call_fields import CallFields
from gpu_worker.conversation.spoken_lines import speakable_phone
from shared.agents.definition import AgentDefinition, FieldKind, text_for

# Lines a definition may leave out, by language (a definition's own `lines` win).
DEFAULT_LINES: dict[str, dict[str, str]] = {
    "en": {
        "acknowledgement": "Got it.",
        "sympathy": "I'm sorry to hear that.",
        "can_help": "Okay, I can help with that.",
        "thanks_name": "Thanks, {first_name}.",
        "still_there": "Are you still there?",
        "callback_promise": "We'll call you back to arrange the time and the price.",
        "number_again": "Sorry, I didn't catch the whole number. Could you say it again, slowly?",
        "confirm_caller_id": "Is the number you're calling from, ending in {last_four}, the best one to reach you?",
        "readback_intro": "Let me read that back:",
        "readback_question": "Is that right?",
        "correction": "Sorry about that. What should I correct?",
        "transfer_unavailable": "Of course. I can't put you through right now, but I'll have someone call you back "
        "as soon as possible.",
        "early_goodbye": "No problem. Thanks for calling {business}. Goodbye.",
        "silence_goodbye": "I can't hear you, so I'll let you go. Please call {business} back any time. Goodbye.",
        "not_understood": "Sorry, I didn't catch that. Could you say it again?",
        "follow_up": "Could you tell me a bit more about that?",
        "refused": "No problem, I'll skip that one.",
        "callback_at": "and we'll call you at {callback}",
        "at_place": "at",  # "Bob Smith at 12 Oak Street" in the read-back
        "photo_link": "I've also texted you a link where you can send us photos of it.",
        "recording_notice": "This call is recorded.",  # said first when the definition has record_calls
    },
    "es": {
        "acknowledgement": "Entendido.",
        "sympathy": "Lamento oír eso.",
        "can_help": "Muy bien, le puedo ayudar con eso.",
        "thanks_name": "Gracias, {first_name}.",
        "still_there": "¿Sigue ahí?",
        "callback_promise": "Le llamaremos para acordar la hora y el precio.",
        "number_again": "Perdone, no entendí el número completo. ¿Me lo puede repetir despacio?",
        "confirm_caller_id": "¿El número desde el que llama, que termina en {last_four}, es el mejor para comunicarnos"
        " con usted?",
        "readback_intro": "Le leo lo que tengo:",
        "readback_question": "¿Es correcto?",
        "correction": "Disculpe. ¿Qué debo corregir?",
        "transfer_unavailable": "Por supuesto. Ahora no puedo pasarle la llamada, pero alguien le llamará lo antes"
        " posible.",
        "early_goodbye": "No hay problema. Gracias por llamar a {business}. Adiós.",
        "silence_goodbye": "No le escucho, así que voy a colgar. Llame a {business} cuando quiera. Adiós.",
        "not_understood": "Perdone, no le entendí. ¿Me lo puede repetir?",
        "follow_up": "¿Me puede contar un poco más?",
        "refused": "No hay problema, lo dejamos.",
        "callback_at": "y le llamaremos al {callback}",
        "at_place": "en",
        "photo_link": "También le he enviado un mensaje con un enlace para mandarnos fotos.",
        "recording_notice": "Esta llamada se graba.",
    },
}
_PLACEHOLDER = re.compile(r"(,?\s*)\{([a-z_][a-z0-9_]*)\}")


class CallLines:
    """The call's lines in its language, filled from the call's fields."""

    def __init__(self, definition: AgentDefinition, *, business: str, caller_id: str) -> None:
        self._definition = definition
        self._business = business
        self._caller_id = caller_id

    def raw(self, purpose: str, language: str) -> str:
        own = self._definition.lines.get(purpose)
        if own:
            return text_for(own, language, self._definition.default_language)
        table = DEFAULT_LINES.get(language) or DEFAULT_LINES["en"]
        return table[purpose]

    def line(self, purpose: str, language: str, fields: CallFields) -> str:
        return self.fill(self.raw(purpose, language), fields)

    def fill(self, text: str, fields: CallFields) -> str:
        values = self._values(fields)

        def replace(match: re.Match[str]) -> str:
            value = values.get(match.group(2), "")
            return f"{match.group(1)}{value}" if value else ""

        return " ".join(_PLACEHOLDER.sub(replace, text).split()).replace(" .", ".")

    def _values(self, fields: CallFields) -> dict[str, str]:
        values = {name: slot.spoken for name, slot in fields.slots.items() if slot.spoken}
        name = next((fields.value(s.name) for s in self._definition.fields if s.kind == FieldKind.PERSON_NAME), "")
        phone = next((fields.value(s.name) for s in self._definition.fields if s.kind == FieldKind.PHONE), "")
        number = phone or self._caller_id
        values |= {"business": self._business, "name": name, "first_name": name.split()[0] if name else ""}
        values |= {"callback": speakable_phone(number) if number else "", "last_four": self._last_four()}
        return values

    def _last_four(self) -> str:
        return speakable_phone(self._caller_id[-4:]) if self._caller_id else ""

    def read_back(self, language: str, fields: CallFields) -> str:
        """Every read-back field's spoken value, then the read-back question."""
        parts: list[str] = []
        name = address = ""
        for spec in self._definition.fields:
            slot = fields.slots[spec.name]
            if not spec.read_back or not slot.value:
                continue
            if spec.kind == FieldKind.PERSON_NAME and not name:
                name = slot.spoken
            elif spec.kind == FieldKind.ADDRESS and not address:
                address = slot.spoken
            elif spec.kind == FieldKind.PHONE:
                callback = self.fill(self.raw("callback_at", language), fields)
                parts.append(callback)
            elif spec.kind == FieldKind.FREE_TEXT:
                parts.append(_mid_sentence(slot.spoken))
            else:  # "Day pass price: $15", "System: boiler": a bare value needs its name
                label = text_for(spec.label, language, self._definition.default_language)
                parts.append(f"{label}: {slot.spoken}")
        who = f" {self.raw('at_place', language)} ".join(part for part in (name, address) if part)
        spoken = ", ".join(part for part in (who, *parts) if part)
        intro, question = self.raw("readback_intro", language), self.raw("readback_question", language)
        return f"{intro} {spoken}. {question}"

    def goodbye(self, language: str, fields: CallFields) -> str:
        return self.fill(
            text_for(self._definition.closing.goodbye, language, self._definition.default_language), fields
        )


def _mid_sentence(text: str) -> str:
    """ "The radiators are cold" inside a sentence: "the radiators are cold" (not "I", names or acronyms)."""
    first = text.split(" ", 1)[0]
    if len(first) > 1 and first[0].isupper() and first[1:].islower() and first.lower() in _LOWER_STARTS:
        return text[0].lower() + text[1:]
    return text


_LOWER_STARTS = frozenset(
    ["the", "a", "an", "my", "our", "your", "it", "its", "there", "this", "that", "we", "they", "he", "she"]
)
