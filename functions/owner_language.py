"""The owner's messages and call page in the business's language: the fixed words, and the fields'
labels taken from the agent definition in that language. The caller's words stay as they were said."""

from __future__ import annotations

from collections.abc import Sequence

from shared.agents.definition import AgentDefinition, FieldKind, text_for
from shared.call_report import ReportField

BUSINESS_LANGUAGES = ("en", "es")  # the languages a business's owner messages can be written in

OWNER_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "new_call": "New call for {business}",
        "call_result": "Call result for {business}",
        "caller": "Caller",
        "problem": "Problem",
        "where": "Where",
        "call_back": "Call back",
        "notes": "Notes",
        "when": "When",
        "call_page": "Call page (photos appear here)",
        "open_call_page": "Open the call page",
        "transcript": "Transcript",
        "no_transcript": "(no transcript)",
        "call_language": "Call language",
        "unknown_caller": "Unknown caller",
        "no_summary": "No summary: see the transcript",
        "emergency": "EMERGENCY",
        "soon": "Soon",
        "routine": "Routine",
        "unknown_urgency": "Unknown urgency",
        "speaker_caller": "Caller",
        "speaker_agent": "Agent",
        "speaker_dtmf": "Keypad",
        "speaker_system": "Note",
        "language_en": "English",
        "language_es": "Spanish",
        "caller_id": "Caller ID",
        "ended": "Ended",
        "on_its_way": "The call summary is still on its way.",
        "photos": "Photos",
        "recording": "Recording",
        "no_photos": "No photos yet. The caller was sent a link to add some.",
        "cut_off": "(cut off)",
        "no_summary_yet": "No summary yet: see the transcript below.",
    },
    "es": {
        "new_call": "Nueva llamada para {business}",
        "call_result": "Resultado de la llamada para {business}",
        "caller": "Cliente",
        "problem": "Problema",
        "where": "Dónde",
        "call_back": "Devolver la llamada",
        "notes": "Notas",
        "when": "Cuándo",
        "call_page": "Página de la llamada (aquí aparecen las fotos)",
        "open_call_page": "Abrir la página de la llamada",
        "transcript": "Transcripción",
        "no_transcript": "(sin transcripción)",
        "call_language": "Idioma de la llamada",
        "unknown_caller": "Cliente desconocido",
        "no_summary": "Sin resumen: vea la transcripción",
        "emergency": "EMERGENCIA",
        "soon": "Pronto",
        "routine": "Rutina",
        "unknown_urgency": "Urgencia desconocida",
        "speaker_caller": "Cliente",
        "speaker_agent": "Agente",
        "speaker_dtmf": "Teclado",
        "speaker_system": "Nota",
        "language_en": "inglés",
        "language_es": "español",
        "caller_id": "Identificador de llamada",
        "ended": "Terminó",
        "on_its_way": "El resumen de la llamada todavía está en camino.",
        "photos": "Fotos",
        "recording": "Grabación",
        "no_photos": "Todavía no hay fotos. Al cliente se le envió un enlace para agregarlas.",
        "cut_off": "(interrumpido)",
        "no_summary_yet": "Todavía no hay resumen: vea la transcripción abajo.",
    },
}


def owner_words(language: str) -> dict[str, str]:
    return OWNER_WORDS.get(language) or OWNER_WORDS["en"]


def language_name(code: str, *, in_language: str) -> str:
    return owner_words(in_language).get(f"language_{code}", code)


def relabel(fields: Sequence[ReportField], definition: AgentDefinition | None, language: str) -> list[ReportField]:
    """The report's fields with the labels (and enum values' labels) in `language`, from the definition;
    a field the definition no longer has keeps the label the call gave it. Values said stay as said."""
    if definition is None:
        return list(fields)
    specs = {spec.name: spec for spec in definition.fields}
    out: list[ReportField] = []
    for field in fields:
        spec = specs.get(field.name)
        if spec is None:
            out.append(field)
            continue
        update = {"label": text_for(spec.label, language, definition.default_language)[:200]}
        option = next((o for o in spec.options if o.value == field.value), None)
        if spec.kind == FieldKind.ENUM and option is not None:
            update["spoken"] = text_for(option.label, language, definition.default_language)[:2000]
        out.append(field.model_copy(update=update))
    return out
