"""The receptionist's scripted lines built from the slots: readback, goodbye, phone numbers read aloud.

Phone numbers are written digit by digit in groups ("5 5 5, 0 1 0, 0 1 2 3") so TTS reads each digit
with a pause between groups, the way people say them; the clause splitter never cuts inside them.
"""

from __future__ import annotations

import re

from gpu_worker.conversation.call_slots import CallSlots

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


def readback_line(slots: CallSlots, *, caller_id: str) -> str:
    """Name, address, problem (told back to the caller) and the callback number, then "Is that right?"."""
    who = " at ".join(part for part in (slots.name, slots.address) if part)
    parts = [part for part in (who, as_told_back(slots.problem)) if part]
    number = slots.callback or caller_id
    if number:
        parts.append(f"and we'll call you at {speakable_phone(number)}")
    return f"Let me read that back: {', '.join(parts)}. Is that right?"


def goodbye_line(slots: CallSlots, business: str, *, caller_id: str) -> str:
    """The goodbye once the details are confirmed (an emergency gets a call back right away)."""
    first_name = slots.name.split()[0] if slots.name else ""
    thanks = f"Thanks, {first_name}." if first_name else "Thanks for calling."
    when = "right away" if slots.urgency == "emergency" else "shortly"
    back = "call you back" if slots.callback or caller_id else "be in touch"
    return f"{thanks} {business} will {back} {when}. Goodbye."
