"""The texts a caller gets (photo link, booking confirmation, booking link), in the language the call was
held in: the words are data per language; a language without a table reads as English."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from shared.agents.fields.lexicons import lexicon_for

CALLER_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "photo": "Thanks for calling {business}. If you can, send us photos of the problem here "
        "(the link works for 1 hour): {url}",
        "booked": "{business}: your visit is booked for {when}. To change it, call us back.",
        "book_here": "Thanks for calling {business}. Pick a time for your visit here: {url}",
        "call_back": "Thanks for calling {business}. We could not book your visit during the call; "
        "we will call you back to set a time.",
        "when": "{weekday}, {month} {day} at {time} {zone}",
        "clock": "%-I:%M %p",
    },
    "es": {
        "photo": "Gracias por llamar a {business}. Si puede, envíenos fotos del problema aquí "
        "(el enlace funciona durante 1 hora): {url}",
        "booked": "{business}: su visita está reservada para el {when}. Para cambiarla, llámenos.",
        "book_here": "Gracias por llamar a {business}. Elija una hora para su visita aquí: {url}",
        "call_back": "Gracias por llamar a {business}. No pudimos reservar su visita durante la llamada; "
        "le llamaremos para acordar la hora.",
        "when": "{weekday} {day} de {month} a las {time} ({zone})",
        "clock": "%H:%M",
    },
}


def caller_words(language: str) -> dict[str, str]:
    return CALLER_WORDS.get(language, CALLER_WORDS["en"])


def visit_time(starts_utc: str, timezone: str, language: str) -> str:
    """'2026-12-05T16:00:00Z' → 'Saturday, December 5 at 10:00 AM CST' / 'sábado 5 de diciembre a las
    10:00 (CST)', on the business's clock, with the language's own day and month names."""
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    moment = datetime.fromisoformat(starts_utc.replace("Z", "+00:00")).astimezone(zone)
    lexicon, words = lexicon_for(language), caller_words(language)
    return words["when"].format(
        weekday=lexicon.weekday_names[moment.weekday()],
        month=lexicon.month_names[moment.month - 1],
        day=moment.day,
        time=moment.strftime(words["clock"]),
        zone=moment.tzname() or "",
    )
