"""Numbers as people say them and STT writes them: "five five five", "forty-five", "twelve fifty", "doble cinco"."""

from __future__ import annotations

import re

from shared.agents.fields.lexicons import Lexicon

_TOKEN = re.compile(r"[^\W\d_]+|\d+|[^\s\w]", re.UNICODE)


def tokens(text: str) -> list[str]:
    return [token.lower() for token in _TOKEN.findall(text.replace("-", " "))]


def digit_tokens(text: str, lex: Lexicon) -> list[str]:
    """Tokens with single digit words as digits ("double five" → "55", "oh" next to digits → "0")."""
    raw = tokens(text)
    out: list[str] = []
    index = 0
    while index < len(raw):
        token, following = raw[index], raw[index + 1] if index + 1 < len(raw) else ""
        if token in lex.repeats and _single_digit(following, lex):
            out.append(str(lex.numbers[following]) * lex.repeats[token])
            index += 2
            continue
        if pair := _digit_pair(raw, index, lex):
            out.append(pair[0])
            index = pair[1]
            continue
        out.append(str(lex.numbers[token]) if _single_digit(token, lex) else token)
        index += 1
    return [_zero_letter(out, i, lex) for i in range(len(out))]


def _digit_pair(raw: list[str], index: int, lex: Lexicon) -> tuple[str, int] | None:
    """A number said in pairs ("treinta y cuatro", "thirty four", "doce"), as its two digits and the
    index after it: Spanish callers group a phone number's digits that way."""
    value = lex.numbers.get(raw[index], 0)
    if not 10 <= value < 100 or raw[index] in lex.multipliers:
        return None
    after = raw[index + 1 : index + 3]
    if value % 10 == 0 and value >= 20:
        if len(after) == 2 and after[0] == lex.and_word and _single_digit(after[1], lex):
            return str(value + lex.numbers[after[1]]), index + 3
        if after and _single_digit(after[0], lex) and lex.numbers[after[0]]:
            return str(value + lex.numbers[after[0]]), index + 2
    return str(value), index + 1


def _single_digit(token: str, lex: Lexicon) -> bool:
    return token in lex.numbers and lex.numbers[token] < 10 and token not in {"a", "un", "una"}


def _zero_letter(items: list[str], index: int, lex: Lexicon) -> str:
    token = items[index]
    if token not in lex.zero_letters:
        return token
    neighbours = items[max(0, index - 2) : index] + items[index + 1 : index + 3]
    return "0" if any(neighbour.isdigit() for neighbour in neighbours) else token


def cardinals(text: str, lex: Lexicon) -> list[tuple[int, int, int]]:
    """Whole numbers in `text` as (value, first token index, end token index): digits or number words
    ("one hundred and twenty" → 120, "veinticinco" → 25, "45" → 45)."""
    items = tokens(text)
    found: list[tuple[int, int, int]] = []
    index = 0
    while index < len(items):
        value, end = _cardinal_at(items, index, lex)
        if end > index:
            found.append((value, index, end))
            index = end
        else:
            index += 1
    return found


def _cardinal_at(items: list[str], start: int, lex: Lexicon) -> tuple[int, int]:
    if items[start].isdigit():
        return int(items[start]), start + 1
    total, current, index = 0, 0, start
    while index < len(items):
        word = items[index]
        if word == lex.and_word and current and index + 1 < len(items) and items[index + 1] in lex.numbers:
            index += 1
            continue
        if word not in lex.numbers or (word in {"a", "un", "una"} and not _next_multiplier(items, index, lex)):
            break
        value = lex.numbers[word]
        if word in lex.multipliers:
            current = max(current, 1) * value
            if value >= 1000:
                total, current = total + current, 0
        elif not _adds_to(current, value):
            break  # "twelve fifty" is two numbers, not 62
        else:
            current += value
        index += 1
    return total + current, index


def _adds_to(current: int, value: int) -> bool:
    """Whether `value` continues the number said so far ("twenty" + "five", "ciento" + "veinte")."""
    if not current:
        return True
    low = current % 100 if value < 100 else current % 1000
    return low == 0 or (value < 10 and low >= 20 and low % 10 == 0)


def _next_multiplier(items: list[str], index: int, lex: Lexicon) -> bool:
    return index + 1 < len(items) and items[index + 1] in lex.multipliers
