"""Questions about the business answered from its definition's facts, word for word (never by the LLM).

Hours come from the opening-hours table in the business's time zone (open now? when next?), prices as
listed, the service area and policies as written. `facts_text` is what the LLM's prompt may use for
other off-script questions; `allowed_amounts`/`allowed_times` let the reply guard pass exactly these.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from shared.agents.definition import AgentDefinition, OpeningHours, TimeRange, text_for
from shared.agents.fields import lexicon_for
from shared.agents.opening_hours import hours_now, next_opening, open_on

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
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WORDS: dict[str, dict[str, str]] = {
    "en": {
        "days": "Monday Tuesday Wednesday Thursday Friday Saturday Sunday",
        "hours": "We're open {ranges}.",
        "range": "{days}, {spans}",
        "span": "{first} to {last}",
        "open_now": "We're open now, until {closes}.",
        "closed_now": "We're closed right now. We open again {day} at {opens}.",
        "closed_holiday": "We're closed today for {holiday}.",
        "today": "today",
        "tomorrow": "tomorrow",
        "price": "The {item} is {amount}{unit}.",
        "and": "and",
        "to": "to",
        "open_on": "On {day} we're open {spans}.",
        "closed_on": "We're closed on {day}.",
    },
    "es": {
        "days": "lunes martes miércoles jueves viernes sábado domingo",
        "hours": "Abrimos {ranges}.",
        "range": "{days}, {spans}",
        "span": "de {first} a {last}",
        "open_now": "Ahora estamos abiertos, hasta las {closes}.",
        "closed_now": "Ahora mismo estamos cerrados. Abrimos de nuevo {day}, a las {opens}.",
        "closed_holiday": "Hoy estamos cerrados por {holiday}.",
        "today": "hoy",
        "tomorrow": "mañana",
        "price": "El {item} es de {amount}{unit}.",
        "and": "y",
        "to": "a",
        "open_on": "El {day} abrimos {spans}.",
        "closed_on": "El {day} estamos cerrados.",
    },
}


def _words(language: str) -> dict[str, str]:
    return WORDS.get(language) or WORDS["en"]


def spoken_time(moment: time) -> str:
    hour = moment.hour % 12 or 12
    minutes = f":{moment.minute:02d}" if moment.minute else ""
    return f"{hour}{minutes} {'PM' if moment.hour >= 12 else 'AM'}"


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
        words = _words(language)
        note = self._text(hours.note, language) if hours.note else ""
        if about_now:
            status = hours_now(hours, now)
            if status.open_now and status.closes is not None:
                said = words["open_now"].format(closes=spoken_time(status.closes.time()))
            elif status.holiday is not None:
                said = words["closed_holiday"].format(holiday=status.holiday.name)
            else:
                said = self._next_opening(hours, now, words)
            return f"{said} {note}".strip()
        return f"{self._weekly(hours, words)} {note}".strip()

    def day_answer(self, hours: OpeningHours, language: str, now: datetime, weekday: int) -> str:
        """ "Are you open on Saturday?": that day's openings (holidays included) or closed."""
        words = _words(language)
        local = now.astimezone(ZoneInfo(hours.timezone)).date()
        day = local + timedelta(days=(weekday - local.weekday()) % 7)
        name = words["days"].split()[weekday]
        openings = open_on(hours, day)
        if not openings:
            return words["closed_on"].format(day=name)
        spans = [f"{spoken_time(o.opens.time())} {words['to']} {spoken_time(o.closes.time())}" for o in openings]
        return words["open_on"].format(day=name, spans=f" {words['and']} ".join(spans))

    def _weekly(self, hours: OpeningHours, words: dict[str, str]) -> str:
        names = words["days"].split()
        groups: list[tuple[list[int], tuple[TimeRange, ...]]] = []
        for index, day in enumerate(_DAYS):
            ranges = tuple(hours.weekly.get(day, []))  # type: ignore[call-overload]
            if not ranges:
                continue
            if groups and groups[-1][1] == ranges and groups[-1][0][-1] == index - 1:
                groups[-1][0].append(index)
            else:
                groups.append(([index], ranges))
        said: list[str] = []
        for days, ranges in groups:
            first, last = names[days[0]], names[days[-1]]
            day_text = first if len(days) == 1 else words["span"].format(first=first, last=last)
            spans = [f"{spoken_time(one.opens)} {words['to']} {spoken_time(one.closes)}" for one in ranges]
            said.append(words["range"].format(days=day_text, spans=f" {words['and']} ".join(spans)))
        return words["hours"].format(ranges=f" {words['and']} ".join(said)) if said else ""

    def _next_opening(self, hours: OpeningHours, now: datetime, words: dict[str, str]) -> str:
        opening = next_opening(hours, now)
        if opening is None:
            return ""
        local = now.astimezone(ZoneInfo(hours.timezone)).date()
        ahead = (opening.opens.date() - local).days
        names = words["days"].split()
        when = words["today"] if ahead == 0 else words["tomorrow"] if ahead == 1 else names[opening.opens.weekday()]
        return words["closed_now"].format(day=when, opens=spoken_time(opening.opens.time()))

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
        return _words(language)["price"].format(item=item, amount=amount, unit=f" {unit}" if unit else "")

    def facts_text(self, language: str, now: datetime) -> str:
        """Every fact, one per line, for the LLM's prompt."""
        lines: list[str] = []
        if self._facts.hours is not None:
            lines.append(self._weekly(self._facts.hours, _words(language)))
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
