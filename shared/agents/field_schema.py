"""JSON schemas generated from a definition's fields: the one source for schema-constrained LLM output
(post-call extraction, the led planner). Values come back as the caller said them; the typed extractors
normalise them afterwards."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from shared.agents.definition import AgentDefinition, FieldKind, FieldSpec, text_for

MAX_CHARS = {FieldKind.FREE_TEXT: 300, FieldKind.ADDRESS: 200, FieldKind.PERSON_NAME: 80}
DEFAULT_MAX_CHARS = 40


def field_schema(spec: FieldSpec) -> dict[str, Any]:
    """The JSON schema of one field's value ("" when unknown)."""
    if spec.kind == FieldKind.ENUM:
        return {"type": "string", "enum": [*(option.value for option in spec.options), ""]}
    if spec.kind == FieldKind.YES_NO:
        return {"type": "string", "enum": ["yes", "no", ""]}
    return {"type": "string", "maxLength": MAX_CHARS.get(spec.kind, DEFAULT_MAX_CHARS)}


def fields_schema(specs: Iterable[FieldSpec], *, extra: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """An object schema with one property per field (all required, no others), plus `extra` properties."""
    properties = {spec.name: field_schema(spec) for spec in specs} | (extra or {})
    return {"type": "object", "properties": properties, "required": list(properties), "additionalProperties": False}


def field_guide(definition: AgentDefinition, specs: Iterable[FieldSpec], language: str) -> str:
    """One line per field for a prompt: `name: label (kind; options)`."""
    fallback = definition.default_language
    lines = []
    for spec in specs:
        label = text_for(spec.label, language, fallback)
        hint = spec.kind.value.replace("_", " ")
        if spec.options:
            hint += "; one of " + ", ".join(option.value for option in spec.options)
        lines.append(f"{spec.name}: {label} ({hint})")
    return "\n".join(lines)
