"""The words each language uses for numbers, days, yes and no, names and addresses: one file a language.

Extractors are written once and read these tables; adding a language is adding a file here and naming it
in LEXICONS.
"""

from __future__ import annotations

from shared.agents.fields.lexicons.english import ENGLISH
from shared.agents.fields.lexicons.lexicon import Lexicon
from shared.agents.fields.lexicons.spanish import SPANISH

LEXICONS: dict[str, Lexicon] = {"en": ENGLISH, "es": SPANISH}


def lexicon_for(language: str) -> Lexicon:
    """The language's lexicon; an unknown language reads as English rather than failing mid-call."""
    return LEXICONS.get(language, ENGLISH)


__all__ = ["LEXICONS", "Lexicon", "lexicon_for"]
