"""Reading a caller's turn into the definition's fields: the guided planner's understanding half.

The field asked is read from the whole turn; other fields only from its statements ("can you come
today?" says nothing about urgency); free text is what is left once names and addresses are taken out;
a refusal or an honest "I don't know" settles the field asked. The caller ID check, more said than was
asked, and corrections to the read-back are read here too. `fields` is the planner's (or its fork's).
"""

from __future__ import annotations

import re

from gpu_worker.conversation.planning import caller_signals as signals
from gpu_worker.conversation.planning.call_fields import CallFields
from gpu_worker.conversation.planning.field_reading import (
    FieldContext,
    dont_know,
    is_no,
    is_yes,
    means_this_number,
    read_field,
    refuses,
    residue,
    statements_only,
)
from gpu_worker.conversation.planning.planner import FieldStatus
from gpu_worker.conversation.spoken_lines import speakable_phone
from shared.agents.definition import FieldKind, FieldSpec

CALLER_ID = "caller_id"  # the target "caller_id:<field>": is the number they call from the one to use?
VOLUNTEERED_WORDS = 6
_NO_LEAD = re.compile(r"^(?:(?:no|nope|not quite|not really|actually|wait|sorry)\b[\s,.!]*)+", re.IGNORECASE)


def read_turn(fields: CallFields, text: str, context: FieldContext) -> set[str]:
    """Fill fields from the caller's words; the names whose value changed."""
    definition, asked, language = fields.definition, fields.last_asked, context.language
    changed: set[str] = set()
    if asked and asked.startswith(CALLER_ID):
        changed |= _answer_caller_id(fields, asked.split(":", 1)[1], text, context)
    taken: list[str] = []  # values read this turn: free text is what is left around them
    statements = statements_only(text)  # "can you come today?" says nothing about urgency
    for spec in sorted(definition.fields, key=lambda spec: spec.kind == FieldKind.FREE_TEXT):
        slot = fields.slots[spec.name]
        is_asked = spec.name == asked
        if is_asked and refuses(text, language) and not slot.value:
            slot.status = "refused"
            changed.add(spec.name)
            continue
        if is_asked and spec.kind == FieldKind.FREE_TEXT and dont_know(text, language) and not slot.value:
            slot.status = "unknown"  # "I'm not sure, check the website" is no answer to keep
            changed.add(spec.name)
            continue
        source = text if is_asked else statements
        if spec.kind == FieldKind.FREE_TEXT:
            # "Can I speak to Sarah?" asks for someone: as an answer it names them
            asking = signals.signals_for(language)
            asking_for = is_asked and asking.message_for.search(text) and not asking.wh_question.match(text)
            source = residue(text.replace("?", ".").replace("¿", "") if asking_for else text, taken)
        found = read_field(spec, source, context, asked=is_asked)
        if found is None:
            if is_asked and dont_know(text, language) and not slot.value:
                slot.status = "unknown"
                changed.add(spec.name)
            continue
        if spec.kind in (FieldKind.PERSON_NAME, FieldKind.ADDRESS):
            taken.append(found.value)  # the words it came from are not free text
        if slot.value and not is_asked and not _upgrade(spec, slot.value, found.value):
            continue
        status: FieldStatus = "given" if is_asked else "extracted"
        if is_asked and fields.follow_ups.get(spec.name) and spec.kind == FieldKind.FREE_TEXT and slot.value:
            found = type(found)(f"{slot.value}; {found.value}", f"{slot.spoken}; {found.spoken}")
        if spec.kind == FieldKind.PHONE:
            status = "confirmed"
        if fields.set(spec.name, found.value, found.spoken, status):
            changed.add(spec.name)
    return changed | _volunteered(fields, text, taken, context, asked)


def read_last_answer(fields: CallFields, text: str, context: FieldContext) -> None:
    """A goodbye that also answers ("yes, but I have to go"): the answer to the field asked still counts."""
    asked = fields.last_asked
    if asked not in fields.slots or fields.slots[asked].value:
        return
    spec = fields.definition.field(asked)
    # only short, checkable answers ("yes, but I have to go"); "never mind, bye" is nobody's name
    checkable = spec.kind not in (FieldKind.FREE_TEXT, FieldKind.PERSON_NAME, FieldKind.ADDRESS)
    found = read_field(spec, text, context, asked=True) if checkable else None
    if found is not None:
        fields.set(spec.name, found.value, found.spoken, "given")


def read_corrections(fields: CallFields, text: str, context: FieldContext, *, overwrite_text: bool) -> set[str]:
    """Values the caller corrected in answer to the read-back (free text only after a no, and only when
    the rest of what they said is substantial)."""
    changed: set[str] = set()
    taken: list[str] = []
    read_back = [spec for spec in fields.definition.fields if spec.read_back]
    for spec in sorted(read_back, key=lambda spec: spec.kind == FieldKind.FREE_TEXT):
        source = text
        if spec.kind == FieldKind.FREE_TEXT:
            source = _NO_LEAD.sub("", residue(text, taken))
            if not overwrite_text or len(source.split()) < 3:
                continue
        asked = spec.kind == FieldKind.FREE_TEXT
        found = read_field(spec, source, context, asked=asked)
        if found is None:
            continue
        taken.append(found.value)
        if found.value != fields.value(spec.name):
            fields.set(spec.name, found.value, found.spoken, "given")
            changed.add(spec.name)
    return changed


def _volunteered(fields: CallFields, text: str, taken: list[str], context: FieldContext, asked: str | None) -> set[str]:
    """More said than the question asked ("I'm Peter, and please tell her…"): a statement of six words or
    more left over fills the first free-text field still open."""
    definition = fields.definition
    if asked is None or asked not in fields.slots or not taken:
        return set()
    if definition.field(asked).kind == FieldKind.FREE_TEXT:
        return set()
    spec = next(
        (s for s in definition.fields if s.kind == FieldKind.FREE_TEXT and not fields.slots[s.name].settled), None
    )
    rest = residue(text, taken)
    if spec is None or len(rest.split()) < VOLUNTEERED_WORDS:
        return set()
    found = read_field(spec, rest, context, asked=True)
    if found is None:
        return set()
    fields.set(spec.name, found.value, found.spoken, "extracted")
    return {spec.name}


def _answer_caller_id(fields: CallFields, name: str, text: str, context: FieldContext) -> set[str]:
    if read_field(fields.definition.field(name), text, context, asked=True) is not None:
        return set()  # they gave another number: the loop reads it
    hedged = is_no(text, context.language) or bool(re.search(r"\bbut\b", text, re.IGNORECASE))
    if (is_yes(text, context.language) and not hedged) or means_this_number(text, context.language):
        fields.set(name, context.caller_id, speakable_phone(context.caller_id), "confirmed")
        return {name}
    return set()


def _upgrade(spec: FieldSpec, current: str, found: str) -> bool:
    """An enum heard again unasked moves only up its option list (options are listed most pressing first)."""
    if spec.kind != FieldKind.ENUM:
        return False
    values = [option.value for option in spec.options]
    return current in values and found in values and values.index(found) < values.index(current)
