"""Post-call extraction: the transcript → who called, what is wrong, how urgent, where, a callback number.

Built for the small-model floor (Qwen 0.5B): a short explicit prompt, output constrained by a JSON
schema, validated with the pydantic model, one repair round that sends the validation error back.
Two guards the model cannot be trusted with:
- urgency: a hazard the caller named (gas smell, flooding, burst pipe, sewage backup, no heat in
  freezing weather) always makes it an emergency;
- callback_phone: a number is kept only if the caller actually said it; otherwise the caller ID;
- notes: dropped when they only repeat the agent's own words.
It never raises: a failure is an outcome with status "failed" and the error, and the report still goes.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import ValidationError

from gpu_worker.conversation.urgency import detect_hazard
from gpu_worker.models.stages import ChatMessage, LanguageModel
from shared.call_report import Extraction, TranscriptEntry
from shared.phone_format import InvalidPhoneNumber, is_e164, normalize_e164

log = logging.getLogger(__name__)
ATTEMPT_TIMEOUT_S = 60.0  # per attempt; a few seconds normally (2 idle CPU cores), far less on a GPU
MAX_TOKENS = 320
TRANSCRIPT_HEAD_CHARS = 1500
TRANSCRIPT_TAIL_CHARS = 2000

EXTRACTION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "customer_name": {"type": "string", "maxLength": 80},
        "problem": {"type": "string", "maxLength": 160},
        "urgency": {"type": "string", "enum": ["emergency", "soon", "routine"]},
        "location": {"type": "string", "maxLength": 200},
        "callback_phone": {"type": "string", "maxLength": 20},
        "notes": {"type": "string", "maxLength": 240},
    },
    "required": ["customer_name", "problem", "urgency", "location", "callback_phone", "notes"],
    "additionalProperties": False,
}

SYSTEM_PROMPT = """You read a phone call to a plumbing business and fill in a form. Reply with JSON only.
customer_name: the caller's name as they said it, else "".
problem: one short line saying what is wrong.
urgency: "emergency" for a gas smell, flooding, a burst pipe, water everywhere, sewage backing up, \
or no heat in freezing weather. "soon" for no hot water, a toilet not working, or a leak. Else "routine".
location: the street address or town the caller gave, else "".
callback_phone: a phone number the caller said, else "".
notes: other useful facts (access, times, pets), else "".
Use only what the caller said. Do not invent anything."""


@dataclass(frozen=True)
class ExtractionOutcome:
    extraction: Extraction | None
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


def _first_line(value: str) -> str:
    return next((line.strip() for line in value.splitlines() if line.strip()), "")


def _tidy(data: Any) -> Any:
    """Harmless fixes before validation: trimmed strings, a one-line problem, lengths within limits."""
    if not isinstance(data, dict):
        return data
    tidy = dict(data)
    for name, field in Extraction.model_fields.items():
        value = tidy.get(name)
        if not isinstance(value, str):
            continue
        value = _first_line(value) if name == "problem" else " ".join(value.split())
        if name == "urgency":
            value = value.lower()
        limit = next((m.max_length for m in field.metadata if hasattr(m, "max_length")), None)
        tidy[name] = value[:limit] if limit else value
    return tidy


def parse_extraction(raw: str) -> Extraction:
    """Raise ValueError (JSON) or ValidationError (fields) for output that does not fit."""
    return Extraction.model_validate(_tidy(json.loads(raw)))


def _said_by_caller(number: str, caller_digits: str) -> bool:
    return len(number) >= 8 and number[-7:] in caller_digits


def _callback_phone(model_value: str, *, caller_text: str, caller_number: str) -> str:
    """The number the caller gave (if they really said it), else their caller ID, else ""."""
    caller_digits = re.sub(r"\D", "", caller_text)
    try:
        given = normalize_e164(model_value) if model_value.strip() else ""
    except InvalidPhoneNumber:
        given = ""
    if given and _said_by_caller(given, caller_digits):
        return given
    return caller_number if is_e164(caller_number) else ""


def _squashed(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def _guarded(extraction: Extraction, *, caller_text: str, agent_text: str, caller_number: str) -> Extraction:
    urgency = "emergency" if detect_hazard(caller_text) else extraction.urgency
    phone = _callback_phone(extraction.callback_phone, caller_text=caller_text, caller_number=caller_number)
    notes = extraction.notes
    if notes and _squashed(notes) in _squashed(agent_text):
        notes = ""  # the small model sometimes copies the agent's own words into notes
    return extraction.model_copy(update={"urgency": urgency, "callback_phone": phone, "notes": notes})


async def _ask(llm: LanguageModel, messages: list[ChatMessage], timeout_s: float) -> str:
    return await asyncio.wait_for(
        llm.complete_json(messages, schema=EXTRACTION_SCHEMA, max_tokens=MAX_TOKENS), timeout=timeout_s
    )


async def extract_call_details(
    llm: LanguageModel,
    *,
    transcript: Sequence[TranscriptEntry],
    caller_number: str,
    timeout_s: float = ATTEMPT_TIMEOUT_S,
) -> ExtractionOutcome:
    started = time.perf_counter()
    caller_text = " ".join(entry.text for entry in transcript if entry.speaker == "caller")
    agent_text = " ".join(entry.text for entry in transcript if entry.speaker == "agent")
    if not caller_text.strip():
        return ExtractionOutcome(None, "failed", "the caller said nothing", 0, 0.0)
    messages = [
        ChatMessage(role="system", content=SYSTEM_PROMPT),
        ChatMessage(role="user", content="Call transcript:\n" + transcript_text(transcript)),
    ]
    error = "no attempt made"
    for attempt in (1, 2):
        raw = ""
        try:
            raw = await _ask(llm, messages, timeout_s)
            extraction = parse_extraction(raw)
        except (ValueError, ValidationError) as problem:
            error = f"model output did not fit the form: {problem}"[:1000]
            messages += [
                ChatMessage(role="assistant", content=raw[:2000]),
                ChatMessage(role="user", content=f"That is not valid: {problem}. Reply with only the JSON object."),
            ]
            continue
        except Exception as problem:  # noqa: BLE001 - a model failure must never cost the call its report
            error = f"model call failed: {type(problem).__name__}: {problem}"[:1000]
            continue
        elapsed = (time.perf_counter() - started) * 1000
        guarded = _guarded(extraction, caller_text=caller_text, agent_text=agent_text, caller_number=caller_number)
        return ExtractionOutcome(guarded, "ok", None, attempt, round(elapsed, 1))
    elapsed = (time.perf_counter() - started) * 1000
    log.warning("extraction failed", extra={"error": error, "elapsed_ms": round(elapsed)})
    return ExtractionOutcome(None, "failed", error, 2, round(elapsed, 1))
