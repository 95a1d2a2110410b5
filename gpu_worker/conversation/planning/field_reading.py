"""Reading a caller turn into the definition's fields, by kind, through the shared extractors.

`shared.agents.fields.extract_field` reads one field; this module adds what only a conversation knows:
free text is read from what is left once the other fields' words are taken out ("this is Jane, my toilet
is clogged, I'm at 45 Elm Avenue" → the problem is "my toilet is clogged"), and a free-text answer is told
back to the caller ("my pipe burst" → "your pipe burst") in the read-back.
"""

from __future__ import annotations

import re

from gpu_worker.conversation.spoken_lines import as_told_back
from shared.agents.definition import FieldKind, FieldSpec
from shared.agents.fields import (
    FieldContext,
    FieldValue,
    extract_field,
    extract_yes_no,
    is_dont_know,
    is_refusal,
    lexicon_for,
    normalize_phone,
)
from shared.agents.fields.spoken import spoken_clock_text

# "I'd like to leave a message for Sarah" → "Sarah": the request is not the value.
# "Can I speak to David Cohen" as the answer to "who is it for?": the person, without the asking.
_REQUEST_LEAD = {
    "en": re.compile(
        r"^(?:(?:hi|hello|yes|yeah|um|uh|oh|so|well)\b[\s,]*)*(?:(?:i'?d like|i would like|i want|i need|i'?m trying|"
        r"i was hoping|can i|could i|may i)\s+(?:to\s+)?)?(?:leave (?:a )?message for|speak (?:to|with)|"
        r"talk (?:to|with)|reach|get (?:hold of|a message to)|pass (?:on )?a message to)\s+",
        re.IGNORECASE,
    ),
    "es": re.compile(
        r"^(?:(?:hola|buenas(?: tardes| noches)?|buenos d[ií]as|s[ií]|bueno|pues|eh|mire)\b[\s,]*)*"
        r"(?:(?:quisiera|quiero|necesito|querr[ií]a|me gustar[ií]a|puedo|podr[ií]a)\s+)?(?:dejar (?:un )?"
        r"(?:mensaje|recado) (?:para|a)|hablar con|comunicarme con|pasarle un mensaje a|ponerme en contacto con)\s+",
        re.IGNORECASE,
    ),
}
_CLOCK_AM = re.compile(r"(\b\d{1,2}(?::\d{2})?\s?(?:am|a\.m\.)(?!\w))", re.IGNORECASE)
_FORGOT = re.compile(r"\b(i )?(don'?t|do not) remember\b|\bi forget\b|\bi forgot\b", re.IGNORECASE)
_HONORIFIC = re.compile(r"\b(Mr|Mrs|Ms|Dr|St)\.")
_NOT_ABBREVIATION = r"(?<!\bMr\.)(?<!\bMs\.)(?<!\bDr\.)(?<!\bSt\.)(?<!\bMrs\.)"
_CLAUSE = re.compile(
    _NOT_ABBREVIATION + r"(?<=[.,;!?])\s+|\s+(?:and|but)\s+(?=(?:i'?m|i am|we'?re|it'?s|my|the|our)\b)", re.IGNORECASE
)
# What is left of a clause once a value is taken out of it ("this is", "I'm at"): not part of free text.
_DANGLING = re.compile(
    r"(?:[\s,]*\b(?:at|in|on|from|to|is|it's|this is|i'm|i am|my name is|my name's|name's|call me|hi|hello|hey)"
    r"\s*[.,!?]*)+$",
    re.IGNORECASE,
)
_DIGITS = re.compile(r"\d[\d\s().-]{5,}\d")


def read_field(spec: FieldSpec, text: str, ctx: FieldContext, *, asked: bool) -> FieldValue | None:
    """`spec`'s value in the caller's words, or None; `asked`: the field was just asked, so a bare answer counts."""
    if spec.kind == FieldKind.FREE_TEXT:
        text = _list_items_joined(_HONORIFIC.sub(r"\1", text))  # "Mr. Patel" is not the end of a sentence
    found = extract_field(spec, text, ctx, asked=asked)
    if found is None or spec.kind != FieldKind.FREE_TEXT:
        return found
    lex = lexicon_for(ctx.language)
    request_lead = _REQUEST_LEAD.get(ctx.language, _REQUEST_LEAD["en"])
    value = request_lead.sub("", found.value).strip(" .!?,;")
    if not value or (len(value.split()) <= 4 and extract_yes_no(value, lex) is not None):
        return None  # "yes, all correct" answers no free-text question
    spoken = spoken_clock_text(value, lex)  # "5 AM–11 PM" said "5 AM to 11 PM"
    return FieldValue(value, _told_back(spoken) if ctx.language == "en" else spoken)


def residue(text: str, taken: list[str]) -> str:
    """`text` without its questions, the `taken` values and phone numbers; clauses left with under two words
    are dropped."""
    kept: list[str] = []
    for clause in _CLAUSE.split(_list_items_joined(statements_only(text))):
        if not clause or _DIGITS.search(clause):
            continue  # a clause that carried a phone number was about the number
        rest = clause
        for value in taken:
            if value and value.lower() in rest.lower():
                rest = _DANGLING.sub("", " ".join(re.sub(re.escape(value), " ", rest, flags=re.IGNORECASE).split()))
        if len(re.findall(r"\w+", rest)) >= 2:  # "Soy ." once the name is taken out is one word, not two
            kept.append(rest.strip(" ,"))
    return ", ".join(kept)


def _list_items_joined(text: str) -> str:
    """ "HIIT, pilates, Zumba, and spin" keeps its one-word items (clauses of one word are dropped as fillers)."""
    merged: list[str] = []
    carry = ""
    for piece in text.split(", "):
        if len(piece.split()) == 1 and piece[-1:].isalnum():
            carry += f"{piece} "
            continue
        merged.append(f"{carry}{piece}")
        carry = ""
    if carry:
        merged.append(carry.strip())
    return ", ".join(merged)


def _told_back(text: str) -> str:
    """ "my pipe burst" → "your pipe burst", leaving clock times alone ("6 AM" is not "6 are")."""
    parts = _CLOCK_AM.split(text)
    return "".join(part if index % 2 else as_told_back(part) for index, part in enumerate(parts))


def statements_only(text: str) -> str:
    """`text` without its questions (sentences ending in "?")."""
    sentences = re.split(_NOT_ABBREVIATION + r"(?<=[.!?])\s+", text)
    return " ".join(part for part in sentences if not part.rstrip().endswith("?"))


def is_yes(text: str, language: str = "en") -> bool:
    return extract_yes_no(text, lexicon_for(language)) == "yes"


def is_no(text: str, language: str = "en") -> bool:
    return extract_yes_no(text, lexicon_for(language)) == "no"


def dont_know(text: str, language: str = "en") -> bool:
    return is_dont_know(text, lexicon_for(language)) or bool(language == "en" and _FORGOT.search(text))


def refuses(text: str, language: str = "en") -> bool:
    return is_refusal(text, lexicon_for(language))


def means_this_number(text: str, language: str = "en") -> bool:
    return bool(lexicon_for(language).this_number.search(text))


__all__ = [
    "FieldContext",
    "FieldValue",
    "dont_know",
    "is_no",
    "is_yes",
    "means_this_number",
    "normalize_phone",
    "read_field",
    "refuses",
    "residue",
    "statements_only",
]
