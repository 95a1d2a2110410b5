"""Values as the agent reads them back, in the call's language."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from shared.agents.fields.clock_text import RANGE_SIGN, WRITTEN_TIME
from shared.agents.fields.lexicons import Lexicon


def spoken_phone(number: str) -> str:
    """ "+15550100123" → "5 5 5, 0 1 0, 0 1 2 3": digit by digit in groups, as people say them."""
    digits = re.sub(r"\D", "", number)
    if len(digits) == 11 and number.startswith("+1"):
        digits = digits[1:]
    groups: list[str] = []
    while len(digits) > 4:
        groups.append(digits[:3])
        digits = digits[3:]
    groups.append(digits)
    return ", ".join(" ".join(group) for group in groups if group)


def spoken_date(day: date, lex: Lexicon) -> str:
    return lex.date_format.format(
        weekday=lex.weekday_names[day.weekday()], month=lex.month_names[day.month - 1], day=day.day
    )


def spoken_time(hour: int, minute: int, lex: Lexicon) -> str:
    period = lex.periods[0] if hour < 12 else lex.periods[1] if hour < 19 else lex.periods[2]
    twelve = hour % 12 or 12
    minutes = f":{minute:02d}" if minute else ""
    return lex.time_format.format(hour=twelve, minutes=minutes, period=period)


def spoken_clock_text(text: str, lex: Lexicon) -> str:
    """Free text with its written times ("5 AM–11 PM", clock_text.py) as the agent says them in the call's
    language: "5 AM to 11 PM"; "las 5 de la mañana a las 11 de la noche"."""

    def spoken(match: re.Match[str]) -> str:
        hour = int(match.group(1)) % 12 + (12 if match.group(3) == "P" else 0)
        return spoken_time(hour, int(match.group(2) or 0), lex)

    return WRITTEN_TIME.sub(spoken, text).replace(RANGE_SIGN, f" {lex.range_words[0]} ")


def spoken_money(amount: Decimal, currency: str, lex: Lexicon) -> str:
    whole = amount.quantize(Decimal("0.01"))
    text = f"{int(whole)}" if whole == whole.to_integral_value() else f"{whole}"
    return f"{text} {lex.currency_names.get(currency, currency)}"
