"""What the agent must never say on its own: numbers, prices, times, appointments, refusals, its prompt.

A 0.5B model invents all of these ("The best number is 555-123-4567", "It will cost $100"). Each LLM
clause is checked before it is synthesized; an offending clause is dropped, and a reply left with
nothing is replaced by the policy's scripted question. An agent definition may allow its own facts
(`AllowedFacts`: the prices and opening times it lists): exactly those pass, anything else is still dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time
from decimal import Decimal, InvalidOperation

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


@dataclass(frozen=True)
class AllowedFacts:
    """What a definition lets the agent state: its listed amounts and opening/closing times."""

    amounts: frozenset[Decimal] = frozenset()
    times: frozenset[time] = frozenset()
    appointments: bool = False  # a booking tool exists, so "appointment" is not an invention


def unsafe_claim(clause: str, allowed: AllowedFacts | None = None) -> bool:
    """True when the clause promises or invents something only the business can say."""
    if allowed is not None:
        clause = _without_allowed(clause, allowed)
    return any(pattern.search(clause) for pattern in _UNSAFE)


_AMOUNT = re.compile(
    r"[$£€]\s?(\d+(?:\.\d{1,2})?)|\b(\d+(?:\.\d{1,2})?)\s?(?:dollars?|bucks|usd|euros?|pounds?)\b", _FLAGS
)
_PRICE_WORDS = re.compile(r"\bcosts?\b|\bprice\b|\bfee\b", _FLAGS)
_CLOCK = re.compile(r"\b(\d{1,2})(?::(\d{2}))?\s?(am|pm|a\.m\.|p\.m\.)(?=\W|$)", _FLAGS)
_BOOKING = re.compile(r"\b(?:appointment|scheduled|booked|book you)\b", _FLAGS)


def _without_allowed(clause: str, allowed: AllowedFacts) -> str:
    """The clause with the allowed facts blanked out (what is left must still pass the guard)."""
    found_amount = False

    def amount(match: re.Match[str]) -> str:
        nonlocal found_amount
        try:
            value = Decimal(match.group(1) or match.group(2))
        except InvalidOperation:
            return match.group(0)
        if value in allowed.amounts:
            found_amount = True
            return " "
        return match.group(0)

    def clock(match: re.Match[str]) -> str:
        hour, minutes = int(match.group(1)), int(match.group(2) or 0)
        afternoon = match.group(3).lower().startswith("p")
        if hour > 12 or minutes > 59:
            return match.group(0)
        moment = time((hour % 12) + (12 if afternoon else 0), minutes)
        return " " if moment in allowed.times else match.group(0)

    clause = _CLOCK.sub(clock, _AMOUNT.sub(amount, clause))
    if found_amount:
        clause = _PRICE_WORDS.sub(" ", clause)
    return _BOOKING.sub(" ", clause) if allowed.appointments else clause
