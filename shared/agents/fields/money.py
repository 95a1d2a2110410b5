"""Amounts of money as said: "$45", "$12.50", "forty-five dollars", "twelve fifty", "a hundred bucks",
"veinticinco pesos". Returns (amount, ISO currency)."""

from __future__ import annotations

import re
from decimal import Decimal

from shared.agents.fields.lexicons import Lexicon
from shared.agents.fields.number_words import cardinals, tokens

_SYMBOL = re.compile(r"([$€£])\s?(\d{1,7}(?:,\d{3})*(?:\.\d{1,2})?)")
_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP"}
_NUMBER = re.compile(r"\b(\d{1,7}(?:\.\d{1,2})?)\b")


def extract_money(text: str, lex: Lexicon, *, answering: bool, default_currency: str) -> tuple[Decimal, str] | None:
    if match := _SYMBOL.search(text):
        return Decimal(match.group(2).replace(",", "")), _SYMBOLS[match.group(1)]
    items = tokens(text)
    currency_at = [i for i, word in enumerate(items) if word in lex.currency_words]
    numbers = cardinals(text, lex)
    if currency_at:
        before = [n for n in numbers if n[2] <= currency_at[0]]
        if before:
            amount = _with_cents(before[-1], numbers, items, lex)
            return amount, lex.currency_words[items[currency_at[0]]]
    if not answering or not numbers:
        return None
    if match := _NUMBER.search(text):  # "it's 12.50"
        return Decimal(match.group(1)), default_currency
    return _dollars_cents(numbers), default_currency


def _with_cents(
    whole: tuple[int, int, int], numbers: list[tuple[int, int, int]], items: list[str], lex: Lexicon
) -> Decimal:
    following = [n for n in numbers if n[1] > whole[2]]
    if following and any(word in lex.cents_words for word in items[following[0][2] : following[0][2] + 1]):
        return Decimal(whole[0]) + Decimal(following[0][0]) / 100
    return Decimal(whole[0])


def _dollars_cents(numbers: list[tuple[int, int, int]]) -> Decimal:
    """ "twelve fifty" → 12.50: two numbers said together, the second under 100."""
    if len(numbers) >= 2 and numbers[1][1] == numbers[0][2] and numbers[1][0] < 100 and numbers[0][0] < 1000:
        return Decimal(numbers[0][0]) + Decimal(numbers[1][0]) / 100
    return Decimal(numbers[0][0])
