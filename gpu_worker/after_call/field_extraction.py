"""After the call: the definition's fields the conversation left open, filled from the transcript.

What the caller confirmed in the read-back (or gave, or refused) is never touched: the LLM only fills the
fields still missing, with output constrained by a schema generated from the definition
(shared/agents/field_schema.py), and each value it writes goes through the same typed extractor as a live
answer. Guards the small model cannot be trusted with:
- a safety rule the caller's words match sets its field values (a gas smell is an emergency);
- a phone number is kept only if the caller said its digits; else the caller ID for a callback field;
- text that only repeats the agent's own words is dropped.
It never raises: a failure keeps the fields as the call left them and says why.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from gpu_worker.models.stages import ChatMessage, LanguageModel
from shared.agents.definition import AgentDefinition, FieldKind, FieldSpec, text_for
from shared.agents.field_schema import field_guide, fields_schema
from shared.agents.fields import FieldContext, extract_field, lexicon_for, normalize_phone, spoken_phone
from shared.agents.fields.phones import find_phone
from shared.call_fields import first_of
from shared.call_report import Extraction, ReportField, TranscriptEntry

log = logging.getLogger(__name__)
ATTEMPT_TIMEOUT_S = 60.0  # per attempt; a few seconds normally on 2 idle CPU cores, far less on a GPU
MAX_TOKENS = 320
TRANSCRIPT_HEAD_CHARS = 1500
TRANSCRIPT_TAIL_CHARS = 2000
KEPT = frozenset({"confirmed", "given", "refused"})
NOTES = {"notes": {"type": "string", "maxLength": 240}}
PROMPT = """You read a phone call {who} and fill in a form. Reply with JSON only.
Fields:
{guide}
notes: other useful facts the {person} mentioned (access, times, pets), else "".
Use only what the {person} said. Write "" for anything they did not say. Do not invent anything."""


@dataclass(frozen=True)
class FieldsOutcome:
    fields: tuple[ReportField, ...]
    notes: str
    status: Literal["ok", "failed"]
    error: str | None = None
    attempts: int = 0
    elapsed_ms: float = 0.0


def transcript_text(transcript: Sequence[TranscriptEntry]) -> str:
    lines = [f"{entry.speaker.capitalize()}: {entry.text.strip()}" for entry in transcript if entry.text.strip()]
    text = "\n".join(lines)
    if len(text) > TRANSCRIPT_HEAD_CHARS + TRANSCRIPT_TAIL_CHARS:
        text = text[:TRANSCRIPT_HEAD_CHARS] + "\n[...]\n" + text[-TRANSCRIPT_TAIL_CHARS:]
    return text


async def complete_fields(
    llm: LanguageModel,
    *,
    definition: AgentDefinition,
    known: Sequence[ReportField],
    transcript: Sequence[TranscriptEntry],
    caller_number: str,
    language: str,
    timeout_s: float = ATTEMPT_TIMEOUT_S,
) -> FieldsOutcome:
    started = time.perf_counter()
    fields = _starting_fields(definition, known, language)
    said = " ".join(entry.text for entry in transcript if entry.speaker == "caller")
    agent = " ".join(entry.text for entry in transcript if entry.speaker == "agent")
    fields = _apply_safety(definition, fields, said, language)
    if not said.strip():
        return FieldsOutcome(tuple(fields), "", "failed", "the caller said nothing")
    open_specs = [spec for spec, entry in zip(definition.fields, fields, strict=True) if entry.status not in KEPT]
    messages = _messages(definition, open_specs, transcript, language)
    context = FieldContext(language=language, now=_now(definition), caller_id=caller_number)
    error = "no attempt made"
    for attempt in (1, 2):
        raw = ""
        try:
            raw = await asyncio.wait_for(
                llm.complete_json(messages, schema=fields_schema(open_specs, extra=NOTES), max_tokens=MAX_TOKENS),
                timeout=timeout_s,
            )
            answers = _parse(raw)
        except ValueError as problem:
            error = f"model output did not fit the form: {problem}"[:1000]
            messages = [*messages, ChatMessage("assistant", raw[:2000]), ChatMessage("user", f"Not valid: {problem}.")]
            continue
        except Exception as problem:  # noqa: BLE001 - a model failure must never cost the call its report
            error = f"model call failed: {type(problem).__name__}: {problem}"[:1000]
            continue
        filled = [
            _fill(spec, entry, answers, context, said=said, agent=agent)
            for spec, entry in zip(definition.fields, fields, strict=True)
        ]
        notes = _grounded(_not_parroted(_one_line(answers.get("notes", "")), agent), said)
        return FieldsOutcome(tuple(filled), notes, "ok", None, attempt, _ms(started))
    log.warning("field extraction failed", extra={"error": error, "elapsed_ms": _ms(started)})
    return FieldsOutcome(
        tuple(_callback_from_caller_id(definition, fields, caller_number)), "", "failed", error, 2, _ms(started)
    )


def _starting_fields(definition: AgentDefinition, known: Sequence[ReportField], language: str) -> list[ReportField]:
    by_name = {entry.name: entry for entry in known}
    fallback = definition.default_language
    return [
        by_name.get(spec.name)
        or ReportField(name=spec.name, label=text_for(spec.label, language, fallback), kind=spec.kind.value)
        for spec in definition.fields
    ]


def _apply_safety(
    definition: AgentDefinition, fields: list[ReportField], said: str, language: str
) -> list[ReportField]:
    """Values a safety rule implies (e.g. urgency: emergency) win over anything but the caller's own read-back."""
    implied: dict[str, str] = {}
    for rule in definition.safety:
        patterns = rule.patterns.get(language) or rule.patterns.get(definition.default_language, [])
        if any(re.search(pattern, said, re.IGNORECASE) for pattern in patterns):
            implied = rule.sets | implied
    updated = []
    for spec, entry in zip(definition.fields, fields, strict=True):
        value = implied.get(spec.name)
        if value is None or entry.status == "confirmed":
            updated.append(entry)
            continue
        label = next((o.label.get(language) or value for o in spec.options if o.value == value), value)
        updated.append(entry.model_copy(update={"value": value, "spoken": label, "status": "extracted"}))
    return updated


def _messages(
    definition: AgentDefinition, specs: Sequence[FieldSpec], transcript: Sequence[TranscriptEntry], language: str
) -> list[ChatMessage]:
    outbound = definition.direction == "outbound"
    who = "we made on behalf of a business" if outbound else f"to a business ({definition.name})"
    person = "person we called" if outbound else "caller"
    system = PROMPT.format(who=who, guide=field_guide(definition, specs, language), person=person)
    return [ChatMessage("system", system), ChatMessage("user", "Call transcript:\n" + transcript_text(transcript))]


def _parse(raw: str) -> dict[str, str]:
    data: Any = json.loads(raw)  # ValueError on broken JSON
    if not isinstance(data, dict):
        raise ValueError("expected a JSON object")
    return {str(key): value for key, value in data.items() if isinstance(value, str)}


def _fill(
    spec: FieldSpec, entry: ReportField, answers: dict[str, str], ctx: FieldContext, *, said: str, agent: str
) -> ReportField:
    if entry.status in KEPT or (entry.status == "extracted" and entry.value):
        return entry
    raw = _one_line(answers.get(spec.name, ""))
    found = extract_field(spec, raw, ctx, asked=True) if raw else None
    if spec.kind == FieldKind.PHONE:
        return _phone(spec, entry, found.value if found else "", ctx, said=said)
    if found is None or not _not_parroted(found.value, agent):
        return entry
    return entry.model_copy(update={"value": found.value, "spoken": found.spoken, "status": "extracted"})


def _phone(spec: FieldSpec, entry: ReportField, number: str, ctx: FieldContext, *, said: str) -> ReportField:
    """A number the caller really said (its last seven digits are in their words), else the caller ID."""
    digits = re.sub(r"\D", "", said)
    spoken_digits = re.sub(r"\D", "", _digits_in_words(said, ctx))
    if number and (number[-7:] in digits or number[-7:] in spoken_digits):
        return entry.model_copy(update={"value": number, "spoken": spoken_phone(number), "status": "extracted"})
    return _caller_id_entry(spec, entry, ctx.caller_id)


def _digits_in_words(said: str, ctx: FieldContext) -> str:
    """The number the caller spelled out in words ("five five five…"), as digits."""
    return find_phone(said, lexicon_for(ctx.language), caller_id=ctx.caller_id, region=ctx.region)


def _caller_id_entry(spec: FieldSpec, entry: ReportField, caller_id: str) -> ReportField:
    number = normalize_phone(caller_id)
    if not spec.confirm_caller_id or not number or entry.value:
        return entry
    return entry.model_copy(update={"value": number, "spoken": spoken_phone(number), "status": "extracted"})


def _callback_from_caller_id(
    definition: AgentDefinition, fields: list[ReportField], caller_id: str
) -> list[ReportField]:
    return [_caller_id_entry(spec, entry, caller_id) for spec, entry in zip(definition.fields, fields, strict=True)]


def _one_line(value: str) -> str:
    return " ".join(value.split())[:2000]


def _squashed(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def _not_parroted(value: str, agent_text: str) -> str:
    """`value`, or "" when it only repeats the agent's own words (the small model copies them)."""
    squashed = _squashed(value)
    return "" if squashed and len(squashed) > 12 and squashed in _squashed(agent_text) else value


_CONTENT_WORD = re.compile(r"[^\W\d_]{5,}")


def _grounded(notes: str, said: str) -> str:
    """`notes`, or "" when none of a third of its longer words were said by the caller: the small model
    sometimes writes a refusal there ("No puedo ayudar con esa llamada"), which the owner must not read
    as something the caller said. Words are compared on their first five letters (llame/llamó, mornings)."""
    stems = {word[:5] for word in _CONTENT_WORD.findall(notes.casefold())}
    if not stems:
        return notes
    heard = {word[:5] for word in _CONTENT_WORD.findall(said.casefold())}
    return notes if 3 * len(stems & heard) >= len(stems) else ""


def _now(definition: AgentDefinition) -> datetime:
    zone = ZoneInfo(definition.facts.hours.timezone) if definition.facts.hours else ZoneInfo("UTC")
    return datetime.now(zone)


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def legacy_extraction(fields: Sequence[ReportField], notes: str) -> Extraction:
    """The fixed summary older readers expect, derived from the fields by kind (never by trade): the first
    name, the first free text, the first address, the first phone, and an urgency option if one exists."""

    def first(kind: str) -> str:
        return first_of(fields, kind)

    urgency = next((e.value for e in fields if e.value in ("emergency", "soon", "routine")), "routine")
    return Extraction(
        customer_name=first("person_name")[:200],
        problem=first("free_text")[:500],
        urgency=urgency,  # type: ignore[arg-type]
        location=first("address")[:500],
        callback_phone=first("phone")[:20],
        notes=notes[:2000],
    )
