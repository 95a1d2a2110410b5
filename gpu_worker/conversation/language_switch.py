"""Which language the call is in: the business's first language until the caller shows otherwise.

Whisper's language id is reliable on a sentence and noisy on a word, so the call switches on the first
caller turn only when the detector is sure and the turn has real words in it, and later only when two
turns running are clearly in the other language; a lone "okay" (the same in every language) never
moves it. A keypad choice ("para español, oprima dos") settles the language for the rest of the call.
Every change is kept in the language log.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

FIRST_TURN_PROBABILITY = 0.8  # the first turn decides the call's language when the detector is this sure
LATER_TURN_PROBABILITY = 0.9  # after that, a change needs this on two turns running
LATER_TURN_WORDS = 4  # ... each with at least this many words
SHORT_TURN_PROBABILITY = 0.95  # a one-word first turn ("hola") switches only when the detector is this sure
# Words callers of every language say: a turn made only of these never switches the language.
SHARED_WORDS = frozenset({"ok", "okay", "no", "hello", "hi", "mm", "mhm", "hmm", "uh", "um", "eh", "ah", "oh", "bye"})
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")

Reason = Literal["detected", "keypad"]


@dataclass(frozen=True)
class Heard:
    """One caller turn's words and the language the speech-to-text heard them in."""

    text: str
    language: str
    probability: float
    confidence: float | None = None  # the words' own (Transcription.confidence)


@dataclass(frozen=True)
class LanguageChange:
    """One entry of the call's language log."""

    turn: int  # the caller turn (0-based) that changed it; -1 for a keypad choice before any turn
    from_language: str
    to_language: str
    reason: Reason
    probability: float  # the detector's confidence (1.0 for a keypad choice)


class LanguageSwitch:
    """The call's language and its log. `judge` is pure for a given committed-turn count, so a
    speculative turn judged again at its end decides the same way."""

    def __init__(self, *, enabled: tuple[str, ...], keypad: dict[str, str] | None = None) -> None:
        if not enabled:
            raise ValueError("a call needs at least one language")
        self.enabled = enabled
        self.language = enabled[0]
        self.log: list[LanguageChange] = []
        self._keypad = keypad if keypad is not None else keypad_menu(enabled)
        self._chosen = False  # the caller chose on the keypad: detection no longer moves it
        self._turns = 0  # caller turns committed so far
        self._last_other: str | None = None  # the last committed turn was clearly in this other language

    @property
    def detects(self) -> bool:
        """Does speech-to-text need to detect the language (more than one is served, none chosen)?"""
        return len(self.enabled) > 1 and not self._chosen

    def judge(self, heard: Heard) -> LanguageChange | None:
        """The change this turn makes, if any (nothing is changed until `apply`)."""
        if not self.detects or heard.language == self.language or heard.language not in self.enabled:
            return None
        words = [word.lower() for word in _WORD.findall(heard.text)]
        if not words or all(word in SHARED_WORDS for word in words):
            return None
        if self._turns == 0:
            needed = SHORT_TURN_PROBABILITY if len(words) < 2 else FIRST_TURN_PROBABILITY
            sure = heard.probability >= needed
        else:
            sure = (
                heard.probability >= LATER_TURN_PROBABILITY
                and len(words) >= LATER_TURN_WORDS
                and self._last_other == heard.language
            )
        if not sure:
            return None
        return LanguageChange(self._turns, self.language, heard.language, "detected", round(heard.probability, 3))

    def apply(self, change: LanguageChange) -> None:
        self.language = change.to_language
        self._last_other = None
        self.log.append(change)

    def committed(self, heard: Heard | None) -> None:
        """A caller turn was confirmed over: later turns need two clear ones in a row to switch."""
        self._turns += 1
        clear = (
            heard is not None
            and heard.language != self.language
            and heard.probability >= LATER_TURN_PROBABILITY
            and len(_WORD.findall(heard.text)) >= LATER_TURN_WORDS
        )
        self._last_other = heard.language if clear and heard is not None else None

    def keypad(self, digit: str) -> LanguageChange | None:
        """The caller pressed a language's digit: that language from now on (None: not a language key)."""
        language = self._keypad.get(digit)
        if language is None or len(self.enabled) < 2:
            return None
        self._chosen = True
        if language == self.language:
            return None
        turn = self._turns - 1 if self._turns else -1
        return LanguageChange(turn, self.language, language, "keypad", 1.0)


def keypad_menu(enabled: tuple[str, ...]) -> dict[str, str]:
    """Digit → language: the second language is "2", the third "3" (digit "1" picks the first; "0" stays
    the transfer key)."""
    return {str(index + 1): language for index, language in enumerate(enabled[:9])}
