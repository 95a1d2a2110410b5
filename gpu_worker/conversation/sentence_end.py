"""Does a transcript sound finished? The words at a pause, read alongside the turn model's score.

Smart Turn scores about half the mid-sentence pauses on 8 kHz phone audio as finished ("Hi there."
then a breath, "my name is …"). The speculative transcript of the pause is already on its way, so the
turn is held open when it ends on a word a sentence cannot end on (a trailing "and", "in", "my"), a
comma or dash, or a phone number still being said, or when it is only a hello. The hard silence
limit still ends it; words that trail off (not a lone hello) stretch that limit for the pause, since a
caller reading a number in groups or searching for a word is silent for longer than between turns.
Word lists are per language: a language without one is judged by the turn model alone.
"""

from __future__ import annotations

import re


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


_CONTINUING_WORDS: dict[str, frozenset[str]] = {
    "en": _wordset(
        "and or but so because if then than that which who whose where when while with without to of in on at "
        "for from by about into onto over under near between is are was were am be been the a an my your our "
        "their his her its this these those it's i'm i i'd i'll we we're you you're they um uh er also plus"
    ),
    "es": _wordset(
        "y o pero porque si que cual quien donde cuando con sin a de del en por para sobre entre es son era "
        "el la los las un una mi mis tu su nuestro esta estos estas soy estoy eh este llamo"
    ),
}
# A turn of only these ("Hi there.", "Hello, um") is the caller clearing their throat before the reason.
_OPENING_WORDS: dict[str, frozenset[str]] = {
    "en": _wordset("hi hello hey there good morning afternoon evening um uh er well so"),
    "es": _wordset("hola buenos buenas días tardes noches eh este bueno pues"),
}
_OPEN_PUNCTUATION = re.compile(r"(?:,|;|:|-|–|—|\.\.\.|…)\s*$")
_DIGIT_RUN = re.compile(r"(?:\d[\s.,-]*)+$")  # commas too: Whisper writes "555-300-1, 4477."
_PHONE_DIGITS = 10  # a number read out with fewer digits than this is still being said


def sounds_unfinished(text: str, *, language: str = "en") -> bool:
    """The words at a pause are not a whole turn: they trail off, or they are only a hello."""
    return trails_off(text, language=language) or _only_opening(text, language)


def trails_off(text: str, *, language: str = "en") -> bool:
    """The words stop mid-sentence — on a comma or dash, a word a sentence cannot end on, or a phone
    number still being read — so the caller is still going even after a longer silence."""
    stripped = text.strip()
    if not stripped:
        return False
    if _OPEN_PUNCTUATION.search(stripped):
        return True
    digits = _DIGIT_RUN.search(stripped)
    if digits is not None:
        count = sum(char.isdigit() for char in digits.group(0))
        if 3 <= count < _PHONE_DIGITS:
            return True
    words = _statement_words(stripped)
    return bool(words) and words[-1] in _CONTINUING_WORDS.get(language, frozenset())


def _only_opening(text: str, language: str) -> bool:
    words = _statement_words(text.strip())
    return bool(words) and all(word in _OPENING_WORDS.get(language, frozenset()) for word in words)


def _statement_words(stripped: str) -> list[str]:
    """The lower-cased words, or none when the text is a question or exclamation (those are finished)."""
    if not stripped or stripped[-1] in "?!":
        return []
    return re.findall(r"[\w']+", stripped.lower())
