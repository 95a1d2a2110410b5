"""Field understanding by kind, shared by every agent definition: names, addresses, phone numbers, dates,
times, money, yes/no, options and free text, in each language a lexicon exists for."""

from shared.agents.fields.extraction import extract_field
from shared.agents.fields.lexicons import lexicon_for
from shared.agents.fields.phones import normalize_phone
from shared.agents.fields.spoken import spoken_phone
from shared.agents.fields.values import FieldContext, FieldValue
from shared.agents.fields.yes_no import extract_yes_no, is_dont_know, is_refusal

__all__ = [
    "FieldContext",
    "FieldValue",
    "extract_field",
    "extract_yes_no",
    "is_dont_know",
    "is_refusal",
    "lexicon_for",
    "normalize_phone",
    "spoken_phone",
]
