"""A street address from what the caller said ("12 Oak Street, Apt 4, Springfield"; "Calle Mayor 12")."""

from __future__ import annotations

import re
from functools import cache

from shared.agents.fields.lexicons import Lexicon

_STREET_WORDS = frozenset({"old", "new", "street", "avenue", "road", "lane", "calle", "avenida"})


@cache
def _patterns(suffix: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    number_first = re.compile(
        rf"\b(\d{{1,6}}[A-Za-z]?)\s+((?:[\w'.\-]+\s+){{1,4}}?)({suffix})\b\.?"
        r"((?:,?\s*(?i:apt|apartment|unit|suite|#)\.?\s*[A-Za-z0-9\-]+)?"
        r"(?:(?:,\s*|\s+in\s+)[A-Z][a-z]+(?:\s[A-Z][a-z]+)?)?)"
    )
    street_first = re.compile(rf"\b({suffix})\s+((?:[\w'.\-]+\s+){{0,3}}?[\w'.\-]+),?\s+(?:n[úu]mero\s+)?(\d{{1,6}})\b")
    return number_first, street_first


def extract_address(text: str, lex: Lexicon, *, answering: bool) -> str:
    """A street address; when `answering` (it was just asked), any reply that holds a number."""
    number_first, street_first = _patterns(lex.street_suffix)
    for match in number_first.finditer(text):
        between = match.group(2).split()
        if not any(word.lower() in lex.common_words - _STREET_WORDS for word in between):
            return _tidy(match.group(0))
    for match in street_first.finditer(text):
        return _tidy(match.group(0))
    if answering:
        answer = re.split(r"(?<=[^\W\d_])[.!?](?:\s|$)", lex.address_lead.sub("", text), maxsplit=1)[0]
        if re.search(r"\d", answer):
            return _tidy(answer)[:100]
    return ""


def _tidy(text: str) -> str:
    return text.strip(" ,.;:!?")
