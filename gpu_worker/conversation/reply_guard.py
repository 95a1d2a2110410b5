"""What the agent must never say on its own: numbers, prices, times, appointments, refusals, its prompt.

A 0.5B model invents all of these ("The best number is 555-123-4567", "It will cost $100"). Each LLM
clause is checked before it is synthesized; an offending clause is dropped, and a reply left with
nothing is replaced by the policy's scripted question.
"""

from __future__ import annotations

import re

_FLAGS = re.IGNORECASE
_UNSAFE = (
    re.compile(r"\d{3}[\s.-]?\d{3}[\s.-]?\d{4}|\d{7,}", _FLAGS),  # a phone number
    re.compile(r"[$£€]\s?\d|\b\d+(?:\.\d+)?\s?(?:dollars?|bucks|usd)\b|\bcosts?\b|\bprice\b|\bfee\b", _FLAGS),
    re.compile(r"\b\d{1,2}(?::\d{2})?\s?(?:am|pm|a\.m\.|p\.m\.|o'clock)\b", _FLAGS),  # a clock time
    re.compile(r"\b(?:within|in) (?:\d+|an?|one|two|three) (?:minutes?|hours?)\b", _FLAGS),  # an arrival time
    re.compile(r"\b(?:appointment|scheduled|booked|book you)\b", _FLAGS),
    re.compile(r"\b(?:can't|cannot|unable to) (?:assist|help) with\b|\bas an ai\b|\blanguage model\b", _FLAGS),
    # The model reading its own instructions aloud ("Do not give prices…", "[Known: …]").
    re.compile(r"\bdo not (?:give|say|invent)\b|\breply in (?:one|at most)\b|\bask exactly\b|\[|\]|\bmissing:", _FLAGS),
)


def unsafe_claim(clause: str) -> bool:
    """True when the clause promises or invents something only the business can say."""
    return any(pattern.search(clause) for pattern in _UNSAFE)
