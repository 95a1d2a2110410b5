"""Listening noises ("mm-hm", "okay okay", "got it."): a caller saying these over the agent is not
interrupting it. Word lists per language; a language without one reads as English."""

from __future__ import annotations

import re


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


_WORDS: dict[str, frozenset[str]] = {
    "en": _wordset(
        "ok okay k yeah yes yep yup ya mhm mmhm mmhmm mm mmm hmm hm uh um huh ah oh aha ha"
        " right sure alright gotcha cool"
    ),
    "es": _wordset("sí si vale ajá aja claro bueno ok okay mm mmm mhm eh ah oh ya exacto"),
}
_PAIRS: dict[str, frozenset[tuple[str, str]]] = {
    "en": frozenset({("got", "it"), ("i", "see"), ("all", "right"), ("uh", "huh"), ("mm", "hm")}),
    "es": frozenset({("ya", "veo"), ("está", "bien"), ("de", "acuerdo")}),
}


# Words that stop the agent even alone ("No.", "Wait!", "Stop"): a caller objecting over it.
_STOPS: dict[str, frozenset[str]] = {
    "en": _wordset("no nope stop wait hold sorry excuse hang pardon"),
    "es": _wordset("no espere espera alto perdón perdone disculpe oiga momento"),
}


def _words(text: str) -> list[str]:
    return re.sub(r"[^\w' ]+", " ", text.lower().replace("-", " ")).split()


def has_stop_word(text: str, language: str = "en") -> bool:
    """A word that interrupts on its own ("no", "wait"); a language without a list reads as English."""
    stops = _STOPS.get(language, _STOPS["en"])
    return any(word in stops for word in _words(text))


def is_backchannel(text: str, language: str = "en") -> bool:
    words = _words(text)
    singles, pairs = _WORDS.get(language, _WORDS["en"]), _PAIRS.get(language, _PAIRS["en"])
    index = 0
    while index < len(words):
        if tuple(words[index : index + 2]) in pairs:
            index += 2
        elif words[index] in singles:
            index += 1
        else:
            return False
    return bool(words)
