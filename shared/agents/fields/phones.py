"""Phone numbers as callers say them and STT writes them, to E.164 (validated by `phonenumbers`).

"555 123 4567", "(555) 123-4567", "+44 20 7946 0958", digit words in any lexicon ("five five five…",
"cinco cinco cinco…", "double five", "oh" for zero). Seven digits borrow the caller ID's area code.
"""

from __future__ import annotations

import phonenumbers

from shared.agents.fields.lexicons import Lexicon
from shared.agents.fields.number_words import digit_tokens

JOINERS = frozenset({"-", ".", "(", ")", ",", "+"})


def find_phone(text: str, lex: Lexicon, *, caller_id: str, region: str) -> str:
    """The first phone number spoken in `text`, as E.164, or ""."""
    region = _caller_region(caller_id) or region
    for run in _digit_runs(digit_tokens(text, lex)):
        if number := _to_e164(run, caller_id=caller_id, region=region):
            return number
    return ""


def normalize_phone(value: str, *, region: str = "US") -> str:
    """`value` as E.164, or "" when it is not a possible number (a withheld caller ID, a typo)."""
    try:
        parsed = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_possible_number(parsed):
        return ""
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _caller_region(caller_id: str) -> str:
    if not caller_id:
        return ""
    try:
        return phonenumbers.region_code_for_number(phonenumbers.parse(caller_id, None)) or ""
    except phonenumbers.NumberParseException:
        return ""


def _digit_runs(items: list[str]) -> list[str]:
    """Maximal runs of digits with the separators people put in phone numbers ("+" kept at the start)."""
    runs: list[str] = []
    current = ""
    for part in [*items, "end"]:
        if part.isdigit():
            current += part
        elif part in JOINERS and (current or part in "+("):
            current += "+" if part == "+" and not current else ""
        else:
            if any(ch.isdigit() for ch in current):
                runs.append(current)
            current = ""
    return runs


MAX_DIGITS = 15  # E.164's longest number: a longer run is speech-to-text looping on a digit, not a number


def _to_e164(run: str, *, caller_id: str, region: str) -> str:
    digits = run.lstrip("+")
    if len(digits) > MAX_DIGITS:
        return ""  # "5555 55 55 55 55 … 555" for "555 555 0177": asked again, never taken as 555-555-5555
    if run.startswith("+"):
        return normalize_phone("+" + digits) if 8 <= len(digits) <= 15 else ""
    if len(digits) == 7 and caller_id.startswith("+1") and len(caller_id) == 12:
        return normalize_phone(caller_id[:5] + digits)
    if region in ("US", "CA") and len(digits) > 11:
        digits = digits[-10:]  # "unit 4, 555 123 4567" ran together
    if region in ("US", "CA") and (len(digits) not in (10, 11) or (len(digits) == 10 and digits[0] in "01")):
        return ""
    return normalize_phone(digits, region=region) if len(digits) >= 7 else ""
