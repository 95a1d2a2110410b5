"""Questions about the business answered from its definition's facts, word for word (never by the LLM).

Hours come from the opening-hours table in the business's time zone (open now? when next?), prices as
listed, the service area and policies as written. `facts_text` is what the LLM's prompt may use for
other off-script questions; `allowed_amounts`/`allowed_times` let the reply guard pass exactly these.
"""

from __future__ import annotations

import re
from datetime import datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from shared.agents.definition import AgentDefinition, OpeningHours, text_for
from shared.agents.fields import lexicon_for
from shared.agents.spoken_hours import day_sentence, now_sentence, weekly_sentence

_I = re.IGNORECASE
HOURS_QUESTION = re.compile(
    r"\b(hours|opening times?|open(ing)?|clos(e|es|ed|ing)|what time do you|when do you (open|close|start|finish)"
    r"|horarios?|abren|abiertos?|cierran|cerrados?|a qu[eé] hora)\b",
    _I,
)
NOW_QUESTION = re.compile(
    r"\b(now|right now|today|tonight|still open|at the moment|currently|ahora|hoy|esta noche|todav[ií]a)\b", _I
)
PRICE_QUESTION = re.compile(
    r"\b(how much|price|prices|pricing|cost|costs|charge|charges|fee|fees|rates?"
    r"|cu[aá]nto|precios?|costos?|cobran?|tarifas?|cargos?)\b",
    _I,
)
AREA_QUESTION = re.compile(
    r"\b(do you (cover|service|serve|come (out )?to|go to|work in)|service area|areas? do you|how far|"
    r"where (are|is) (you|your (office|shop|store|clinic))|located|your address"
    r"|(dan|tienen) servicio|vienen a|trabajan en|[aá]rea de servicio|d[oó]nde (est[aá]n|quedan)"
    r"|direcci[oó]n de ustedes)\b",
    _I,
)
PRICE_WORDS: dict[str, str] = {"en": "The {item} is {amount}{unit}.", "es": "El {item} es de {amount}{unit}."}


def spoken_amount(amount: Decimal, currency: str) -> str:
    symbol = {"USD": "$", "EUR": "€", "GBP": "£"}.get(currency, f"{currency} ")
    text = f"{amount:.2f}".removesuffix(".00")
    return f"{symbol}{text}"


class FactsAnswer:
    """One per definition (immutable): answers and the guard's allow-list."""

    def __init__(self, definition: AgentDefinition) -> None:
        self._definition = definition
        self._facts = definition.facts

    def answer(self, question: str, *, language: str, now: datetime) -> str:
        """The facts that answer `question`, as sentences, or "" when it is not about a known fact."""
        parts: list[str] = []
        hours = self._facts.hours
        if hours is not None and HOURS_QUESTION.search(question):
            weekday = _weekday_in(question, language)
            if weekday is None and re.search(r"\btomorrow\b", question, _I):
                weekday = (now.astimezone(ZoneInfo(hours.timezone)).weekday() + 1) % 7
            if weekday is not None:
                parts.append(self.day_answer(hours, language, now, weekday))
            else:
                parts.append(self.hours_answer(hours, language, now, about_now=bool(NOW_QUESTION.search(question))))
        if self._facts.prices and PRICE_QUESTION.search(question):
            parts += [self._price(index, language) for index in self._prices_asked(question, language)]
        if self._facts.service_area and AREA_QUESTION.search(question):
            parts.append(self._text(self._facts.service_area, language))
        for fact in self._facts.policies:
            patterns = fact.patterns.get(language) or []
            if any(re.search(pattern, question, _I) for pattern in patterns):
                parts.append(self._text(fact.text, language))
        return " ".join(part for part in parts if part)

    def hours_answer(self, hours: OpeningHours, language: str, now: datetime, *, about_now: bool) -> str:
        note = self._text(hours.note, language) if hours.note else ""
        said = now_sentence(hours, language, now) if about_now else weekly_sentence(hours, language)
        return f"{said} {note}".strip()

    def day_answer(self, hours: OpeningHours, language: str, now: datetime, weekday: int) -> str:
        """ "Are you open on Saturday?": that day's openings (holidays included) or closed."""
        return day_sentence(hours, language, now, weekday)

    def _prices_asked(self, question: str, language: str) -> list[int]:
        prices = self._facts.prices
        named = [
            index
            for index, price in enumerate(prices)
            if any(
                word in question.lower() for word in self._text(price.item, language).lower().split() if len(word) > 3
            )
        ]
        return named or list(range(len(prices)))

    def _price(self, index: int, language: str) -> str:
        price = self._facts.prices[index]
        unit = self._text(price.unit, language) if price.unit else ""
        amount = spoken_amount(price.amount, price.currency)
        item = self._text(price.item, language)
        words = PRICE_WORDS.get(language) or PRICE_WORDS["en"]
        return words.format(item=item, amount=amount, unit=f" {unit}" if unit else "")

    def facts_text(self, language: str, now: datetime) -> str:
        """Every fact, one per line, for the LLM's prompt."""
        lines: list[str] = []
        if self._facts.hours is not None:
            lines.append(weekly_sentence(self._facts.hours, language))
            if self._facts.hours.note:
                lines.append(self._text(self._facts.hours.note, language))
        lines += [self._price(index, language) for index in range(len(self._facts.prices))]
        if self._facts.service_area:
            lines.append(self._text(self._facts.service_area, language))
        lines += [self._text(fact.text, language) for fact in self._facts.policies]
        return "\n".join(f"- {line}" for line in lines if line)

    def allowed_amounts(self) -> set[Decimal]:
        return {price.amount for price in self._facts.prices}

    def allowed_times(self) -> set[time]:
        hours = self._facts.hours
        if hours is None:
            return set()
        ranges = [one for day in hours.weekly.values() for one in day]
        ranges += [one for holiday in hours.holidays for one in holiday.hours]
        return {moment for one in ranges for moment in (one.opens, one.closes)}

    def _text(self, localized: dict[str, str], language: str) -> str:
        return text_for(localized, language, self._definition.default_language)


def _weekday_in(question: str, language: str) -> int | None:
    weekdays = lexicon_for(language).weekdays
    for word in re.findall(r"[a-záéíóúñ]+", question.lower()):
        if word in weekdays and len(word) > 3:
            return weekdays[word]
    return None
