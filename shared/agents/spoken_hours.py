"""Opening hours as sentences a caller hears, in English or Spanish: the week ("We're open Monday to Friday,
7 AM to 6 PM."), right now ("We're open now, until 6 PM." / "We're closed right now. We open again
tomorrow at 7 AM."), and one day. Pure: the agent's facts answers (gpu_worker) and the keypad menu at the
edge (functions) say the same words from the same definition.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from shared.agents.definition import OpeningHours, TimeRange
from shared.agents.opening_hours import WEEKDAYS, hours_now, next_opening, open_on

HOURS_WORDS: dict[str, dict[str, str]] = {
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
        "and": "y",
        "to": "a",
        "open_on": "El {day} abrimos {spans}.",
        "closed_on": "El {day} estamos cerrados.",
    },
}


def hours_words(language: str) -> dict[str, str]:
    return HOURS_WORDS.get(language) or HOURS_WORDS["en"]


def spoken_time(moment: time) -> str:
    hour = moment.hour % 12 or 12
    minutes = f":{moment.minute:02d}" if moment.minute else ""
    return f"{hour}{minutes} {'PM' if moment.hour >= 12 else 'AM'}"


def weekly_sentence(hours: OpeningHours, language: str) -> str:
    """The week, consecutive days with the same hours grouped ("" when never open)."""
    words = hours_words(language)
    names = words["days"].split()
    groups: list[tuple[list[int], tuple[TimeRange, ...]]] = []
    for index, day in enumerate(WEEKDAYS):
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


def now_sentence(hours: OpeningHours, language: str, now: datetime) -> str:
    """Open now and until when; closed for a holiday; or closed and when it opens next ("" when never)."""
    words = hours_words(language)
    status = hours_now(hours, now)
    if status.open_now and status.closes is not None:
        return words["open_now"].format(closes=spoken_time(status.closes.time()))
    if status.holiday is not None:
        return words["closed_holiday"].format(holiday=status.holiday.name)
    opening = next_opening(hours, now)
    if opening is None:
        return ""
    local = now.astimezone(ZoneInfo(hours.timezone)).date()
    ahead = (opening.opens.date() - local).days
    names = words["days"].split()
    when = words["today"] if ahead == 0 else words["tomorrow"] if ahead == 1 else names[opening.opens.weekday()]
    return words["closed_now"].format(day=when, opens=spoken_time(opening.opens.time()))


def day_sentence(hours: OpeningHours, language: str, now: datetime, weekday: int) -> str:
    """ "Are you open on Saturday?": the next such day's openings (holidays included), or closed."""
    words = hours_words(language)
    local = now.astimezone(ZoneInfo(hours.timezone)).date()
    day = local + timedelta(days=(weekday - local.weekday()) % 7)
    name = words["days"].split()[weekday]
    openings = open_on(hours, day)
    if not openings:
        return words["closed_on"].format(day=name)
    spans = [f"{spoken_time(o.opens.time())} {words['to']} {spoken_time(o.closes.time())}" for o in openings]
    return words["open_on"].format(day=name, spans=f" {words['and']} ".join(spans))
