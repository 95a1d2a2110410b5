"""Yes or no, in the caller's language; "I don't know" is neither."""

from __future__ import annotations

from typing import Literal

from shared.agents.fields.lexicons import Lexicon


def extract_yes_no(text: str, lex: Lexicon) -> Literal["yes", "no"] | None:
    """Whichever the caller said first ("no, that's right" is a no); None for "not sure" or neither."""
    if lex.dont_know.search(text):
        return None
    cleaned = lex.not_no.sub(" ", text)
    no, yes = lex.no.search(cleaned), lex.yes.search(cleaned)
    if no and (not yes or no.start() <= yes.start()):
        return "no"
    return "yes" if yes else None


def is_dont_know(text: str, lex: Lexicon) -> bool:
    return bool(lex.dont_know.search(text))


def is_refusal(text: str, lex: Lexicon) -> bool:
    return bool(lex.refuse.search(text))
