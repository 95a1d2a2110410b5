"""Reading one field's value from a caller turn, by the field's kind (not by trade).

The planners call `read_field` only. It follows the shared extractor signature
(`extract_field(spec, text, ctx, *, asked) -> FieldValue | None`); until `shared.agents.fields` lands,
the English readers below stand in for it (they are the receptionist's proven ones: names, addresses,
spoken phone numbers, urgency words), so switching is one import.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from gpu_worker.conversation.call_slots import extract_address, extract_name, extract_problem
from gpu_worker.conversation.spoken_lines import as_told_back, speakable_phone
from gpu_worker.conversation.spoken_phone_numbers import find_phone_number, normalize_phone
from shared.agents.definition import FieldKind, FieldSpec, text_for


@dataclass(frozen=True)
class FieldContext:
    language: str
    timezone: str
    now: datetime
    caller_id: str  # E.164 or ""
    region: str = "US"


@dataclass(frozen=True)
class FieldValue:
    value: str  # normalised: E.164, ISO date, HH:MM, decimal string, option value, yes/no, text
    spoken: str  # how the read-back says it


_I = re.IGNORECASE
YES = re.compile(
    r"\b(yes|yeah|yep|yup|yea|sure|correct|right|exactly|absolutely|definitely|ok|okay|of course|"
    r"uh[- ]?huh|mm[- ]?hm+|that works|sounds good|fine|please do|go ahead|that's me|speaking|i do|i will|we do)\b",
    _I,
)
NO = re.compile(
    r"\b(no|nope|nah|wrong|incorrect|not (right|correct|quite|it|really)|isn't right|actually|wait|change|"
    r"hold on|instead|different|another|i don't|we don't|i won't)\b",
    _I,
)
NOT_NO = re.compile(r"\bno (problem|worries)\b|\bnot a problem\b", _I)
DONT_KNOW = re.compile(
    r"\b(i don'?t know|i do not know|don'?t know|not sure|no idea|i'?m not sure|can'?t remember|couldn'?t tell you|"
    r"no clue|i'?d have to check|hard to say)\b",
    _I,
)
REFUSE = re.compile(
    r"\b(i'?d rather not|rather not (say|tell)|not going to tell|none of your business|can'?t give that out|"
    r"can'?t share|not allowed to (say|share|give)|prefer not|we don'?t give|no comment|skip that|"
    r"don'?t want to (say|tell|give))\b",
    _I,
)
THIS_NUMBER = re.compile(
    r"\b(this|same|the same|this phone) (number|phone)\b|\bnumber (i'?m|i am) calling (from|on)\b"
    r"|\bcalling from\b|\bnumber you (have|see|got)\b",
    _I,
)
_MONEY = re.compile(r"[$£€]\s?(\d+(?:\.\d{1,2})?)|\b(\d+(?:\.\d{1,2})?)\s?(?:dollars?|bucks|usd)\b", _I)
_CLOCK = re.compile(r"\b(\d{1,2})(?::(\d{2}))?\s?(a\.?m\.?|p\.?m\.?|o'clock)?", _I)


def is_yes(text: str) -> bool:
    return bool(YES.search(text)) and not is_no(text)


def is_no(text: str) -> bool:
    return bool(NO.search(NOT_NO.sub(" ", text)))


def read_field(spec: FieldSpec, text: str, ctx: FieldContext, *, asked: bool) -> FieldValue | None:
    """`spec`'s value in the caller's words, or None; `asked`: the field was just asked, so a bare answer counts."""
    reader = _READERS[spec.kind]
    return reader(spec, text, ctx, asked)


def _person_name(spec: FieldSpec, text: str, ctx: FieldContext, asked: bool) -> FieldValue | None:
    name = extract_name(text, answering=asked)
    return FieldValue(name, name) if name else None


def _address(spec: FieldSpec, text: str, ctx: FieldContext, asked: bool) -> FieldValue | None:
    address = extract_address(text, answering=asked and not find_phone_number(text, caller_id=ctx.caller_id))
    return FieldValue(address, address) if address else None


def _phone(spec: FieldSpec, text: str, ctx: FieldContext, asked: bool) -> FieldValue | None:
    number = find_phone_number(text, caller_id=ctx.caller_id)
    return FieldValue(number, speakable_phone(number)) if number else None


def _free_text(spec: FieldSpec, text: str, ctx: FieldContext, asked: bool) -> FieldValue | None:
    if not asked:
        found = extract_problem(text, answering=False) if spec.name == "problem" else ""
        return FieldValue(found, as_told_back(found)) if found else None
    if text.rstrip().endswith("?"):  # a question back is not the answer
        found = extract_problem(text, answering=False) if spec.name == "problem" else ""
        return FieldValue(found, as_told_back(found)) if found else None
    answer = extract_problem(text, answering=True) or _substantive(text)
    return FieldValue(answer, as_told_back(answer)) if answer else None


def _enum(spec: FieldSpec, text: str, ctx: FieldContext, asked: bool) -> FieldValue | None:
    for option in spec.options:
        patterns = option.patterns.get(ctx.language) or []
        if any(re.search(pattern, text, _I) for pattern in patterns):
            return FieldValue(option.value, text_for(option.label, ctx.language, ctx.language))
        if asked and re.search(rf"\b{re.escape(text_for(option.label, ctx.language, ctx.language))}\b", text, _I):
            return FieldValue(option.value, text_for(option.label, ctx.language, ctx.language))
    return None


def _yes_no(spec: FieldSpec, text: str, ctx: FieldContext, asked: bool) -> FieldValue | None:
    if not asked:
        return None
    if is_no(text):
        return FieldValue("no", "no")
    return FieldValue("yes", "yes") if YES.search(text) else None


def _money(spec: FieldSpec, text: str, ctx: FieldContext, asked: bool) -> FieldValue | None:
    match = _MONEY.search(text) or (re.search(r"\b(\d+(?:\.\d{1,2})?)\b", text) if asked else None)
    if match is None:
        return None
    amount = next(group for group in match.groups() if group)
    value = f"{float(amount):.2f}"
    return FieldValue(value, f"${value.removesuffix('.00')}")


def _time(spec: FieldSpec, text: str, ctx: FieldContext, asked: bool) -> FieldValue | None:
    for match in _CLOCK.finditer(text):
        hour, minutes, period = int(match.group(1)), int(match.group(2) or 0), (match.group(3) or "").lower()
        if not period and not (asked and match.group(2)):
            continue
        if (hour > 12 and period) or hour > 23 or minutes > 59:
            continue
        if period.startswith("p") and hour < 12:
            hour += 12
        if period.startswith("a") and hour == 12:
            hour = 0
        spoken = f"{hour % 12 or 12}{f':{minutes:02d}' if minutes else ''} {'PM' if hour >= 12 else 'AM'}"
        return FieldValue(f"{hour:02d}:{minutes:02d}", spoken)
    return None


def _date(spec: FieldSpec, text: str, ctx: FieldContext, asked: bool) -> FieldValue | None:
    match = re.search(r"\b(\d{4})-(\d{2})-(\d{2})\b", text)
    if match:
        return FieldValue(match.group(0), match.group(0))
    return None


def _substantive(text: str) -> str:
    cleaned = " ".join(text.split()).strip(" .,!?")
    return cleaned[:200] if len(cleaned.split()) >= 1 and not DONT_KNOW.search(cleaned) else ""


_READERS = {
    FieldKind.PERSON_NAME: _person_name,
    FieldKind.ADDRESS: _address,
    FieldKind.PHONE: _phone,
    FieldKind.DATE: _date,
    FieldKind.TIME: _time,
    FieldKind.MONEY: _money,
    FieldKind.ENUM: _enum,
    FieldKind.YES_NO: _yes_no,
    FieldKind.FREE_TEXT: _free_text,
}

__all__ = ["FieldContext", "FieldValue", "is_no", "is_yes", "normalize_phone", "read_field"]
