"""E.164 phone numbers: the one format stored and compared everywhere."""

from __future__ import annotations

import re

_E164 = re.compile(r"^\+[1-9]\d{6,14}$")


class InvalidPhoneNumber(ValueError):
    pass


def is_e164(value: str) -> bool:
    return bool(_E164.match(value))


def normalize_e164(value: str, *, default_country_code: str = "1") -> str:
    """'(555) 010-0001' → '+15550100001'; raises InvalidPhoneNumber with the reason."""
    raw = value.strip()
    if not raw:
        raise InvalidPhoneNumber("phone number is empty")
    if re.search(r"[^\d+\-\s().]", raw):
        raise InvalidPhoneNumber(f"phone number has characters other than digits: {raw[:20]!r}")
    if "+" in raw[1:]:
        raise InvalidPhoneNumber(f"not a valid E.164 phone number: {raw[:20]!r}")
    digits = re.sub(r"\D", "", raw)
    if raw.startswith("+"):
        candidate = "+" + digits
    elif len(digits) == 10:
        candidate = "+" + default_country_code + digits
    elif len(digits) == 11 and digits.startswith(default_country_code):
        candidate = "+" + digits
    else:
        # Without "+", '555-0100' or '442079460958' would be a guess at some country's number.
        raise InvalidPhoneNumber(f"add the country code with a leading +: {raw[:20]!r}")
    if not is_e164(candidate):
        raise InvalidPhoneNumber(f"not a valid E.164 phone number: {raw[:20]!r}")
    return candidate
