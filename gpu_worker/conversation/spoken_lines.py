"""Words turned for speaking: phone numbers read aloud, the caller's words told back to them.

Phone numbers are written digit by digit in groups ("5 5 5, 0 1 0, 0 1 2 3") so TTS reads each digit
with a pause between groups, the way people say them; the clause splitter never cuts inside them.
"""

from __future__ import annotations

import re

_SWAP = {
    "i": "you",
    "i'm": "you're",
    "i've": "you've",
    "i'd": "you'd",
    "i'll": "you'll",
    "me": "you",
    "my": "your",
    "mine": "yours",
    "myself": "yourself",
    "we": "you",
    "we're": "you're",
    "we've": "you've",
    "us": "you",
    "our": "your",
    "am": "are",
}
_PRONOUN = re.compile(r"\b(" + "|".join(re.escape(word) for word in _SWAP) + r")\b", re.IGNORECASE)


def speakable_phone(number: str) -> str:
    """ "+15550100123" → "5 5 5, 0 1 0, 0 1 2 3"; other lengths in groups of three, the last of up to four."""
    digits = re.sub(r"\D", "", number)
    if len(digits) == 11 and number.startswith("+1"):
        digits = digits[1:]
    groups: list[str] = []
    while len(digits) > 4:
        groups.append(digits[:3])
        digits = digits[3:]
    groups.append(digits)
    return ", ".join(" ".join(group) for group in groups if group)


def as_told_back(problem: str) -> str:
    """The caller's words turned toward them: "my pipe burst" → "your pipe burst"."""
    return _PRONOUN.sub(lambda match: _SWAP[match.group(0).lower()], problem)
