"""Phone numbers as callers say them, as STT writes them, to E.164.

"555 123 4567", "(555) 123-4567", "5551234567", "+44 20 7946 0958", and digit words ("five five five,
one two three, four five six seven", "double five", "oh" for zero). Seven digits borrow the area code of
the caller id (+1 numbers only). Pure and fast: runs on every caller turn.
"""

from __future__ import annotations

import re

from shared.phone_format import InvalidPhoneNumber, normalize_e164

DIGIT_WORDS = {
    "zero": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
}
ZERO_LETTERS = frozenset({"oh", "o"})
REPEATS = {"double": 2, "triple": 3}
JOINERS = frozenset({"-", ".", "(", ")", ",", "+"})
_TOKEN = re.compile(r"[A-Za-z]+|\d+|[^\sA-Za-z\d]")


def normalize_phone(value: str) -> str:
    """`value` as E.164, or "" when it is not a usable number (e.g. a withheld caller id)."""
    try:
        return normalize_e164(value)
    except InvalidPhoneNumber:
        return ""


def find_phone_number(text: str, *, caller_id: str = "") -> str:
    """The first phone number spoken in `text`, as E.164, or ""."""
    for run in _digit_runs(_tokens(text)):
        if number := _to_e164(run, caller_id=caller_id):
            return number
    return ""


def _tokens(text: str) -> list[str]:
    """Tokens with digit words turned into digits ("double five" → "55", "oh" next to digits → "0")."""
    raw = [token.lower() for token in _TOKEN.findall(text)]
    out: list[str] = []
    index = 0
    while index < len(raw):
        token = raw[index]
        following = raw[index + 1] if index + 1 < len(raw) else ""
        if token in REPEATS and following in DIGIT_WORDS:
            out.append(DIGIT_WORDS[following] * REPEATS[token])
            index += 2
            continue
        out.append(DIGIT_WORDS.get(token, token))
        index += 1
    return [_zero_letter(out, index) for index in range(len(out))]


def _zero_letter(tokens: list[str], index: int) -> str:
    token = tokens[index]
    if token not in ZERO_LETTERS:
        return token
    neighbours = tokens[max(0, index - 2) : index] + tokens[index + 1 : index + 3]
    return "0" if any(neighbour.isdigit() for neighbour in neighbours) else token


def _digit_runs(tokens: list[str]) -> list[str]:
    """Maximal runs of digits with the separators people put in phone numbers ("+" kept)."""
    runs: list[str] = []
    current = ""
    for part in [*tokens, "end"]:
        if part.isdigit():
            current += part
        elif part in JOINERS and (current or part in "+("):
            current += "+" if part == "+" and not current else ""
        else:
            if any(ch.isdigit() for ch in current):
                runs.append(current)
            current = ""
    return runs


def _to_e164(run: str, *, caller_id: str) -> str:
    digits = run.lstrip("+")
    if run.startswith("+") and 8 <= len(digits) <= 15:
        return normalize_phone("+" + digits)
    if len(digits) == 7 and caller_id.startswith("+1") and len(caller_id) == 12:
        return normalize_phone(caller_id[:5] + digits)
    if len(digits) > 11 and not run.startswith("+"):
        digits = digits[-10:]  # "unit 4, 555 123 4567" ran together
    if len(digits) == 10 and digits[0] in "01":
        return ""
    return normalize_phone(digits) if len(digits) in (10, 11) else ""
