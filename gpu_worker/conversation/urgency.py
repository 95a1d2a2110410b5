"""How urgent a caller's problem is, and which hazard needs a safety line, from their words.

Emergency: gas smell, flooding / burst pipe / water everywhere, sewage backup, carbon monoxide, no heat
while freezing, or the caller saying "emergency". Soon: no hot water, a toilet not working, a leak.
Routine: dripping, a quote or estimate, maintenance, installs, "next week". Once emergency, a call's
urgency never goes down.
"""

from __future__ import annotations

import re
from typing import Literal

Urgency = Literal["emergency", "soon", "routine", ""]
Hazard = Literal["gas", "carbon_monoxide", "sewage", "water", "freezing", ""]

_RANK: dict[Urgency, int] = {"": 0, "routine": 1, "soon": 2, "emergency": 3}
_FLAGS = re.IGNORECASE

HAZARDS: tuple[tuple[Hazard, re.Pattern[str]], ...] = (
    ("gas", re.compile(r"\b(smell\w* (of |like )?(natural )?gas|gas (smell|leak|odou?r)\w*|leaking gas)\b", _FLAGS)),
    ("carbon_monoxide", re.compile(r"\bcarbon monoxide\b|\bCO (alarm|detector)\b|\bmonoxide\b", _FLAGS)),
    (
        "sewage",
        re.compile(
            r"\bsew(age|er)\b.{0,30}\b(back\w*|coming up|everywhere|overflow\w*|flood\w*)"
            r"|\b(back(ed|ing)? up|backup)\b.{0,20}\bsew(age|er)\b",
            _FLAGS,
        ),
    ),
    (
        "water",
        re.compile(
            r"\b(flood\w*|burst\w*|water (is )?everywhere|pouring|gushing|spraying|spewing|"
            r"(pipe|water heater|tank) (has )?(exploded|split|blew))\b",
            _FLAGS,
        ),
    ),
)
_NO_HEAT = re.compile(
    r"\b(no heat|heat(ing)? (is |isn't |is not |has )?(out|off|broken|not working|stopped|died|gone)|"
    r"furnace (is |isn't |has )?(out|off|broken|dead|not working|died|stopped)|boiler (is )?(out|broken|dead))\b",
    _FLAGS,
)
_FREEZING = re.compile(r"\b(freez\w*|frozen|below zero|so cold|really cold)\b", _FLAGS)
_NOT_EMERGENCY = re.compile(
    r"\b(not|isn't|is not|no|nothing) (an? |really |too |that |very )?(emergency|urgent|rush|hurry)\b", _FLAGS
)
_EMERGENCY_WORD = re.compile(r"\bemergency\b", _FLAGS)
_SOON = re.compile(
    r"\bno hot water\b|\bhot water\b.{0,25}\b(out|not working|gone|stopped)\b"
    r"|\btoilet\b.{0,30}\b(not working|won't flush|doesn't flush|isn't working|broken|clogged|blocked|"
    r"overflow\w*|backed up)|\b(clogged|blocked|broken) toilet\b|\bonly (one )?toilet\b"
    r"|\bleak(s|ing|y|ed)?\b|\burgent(ly)?\b",
    _FLAGS,
)
_ROUTINE = re.compile(
    r"\b(drip\w*|quote|estimate|maintenance|inspection|next week|next month|no rush|no hurry|whenever|can wait|"
    r"install\w*|not urgent)\b",
    _FLAGS,
)
_ANSWER: tuple[tuple[Urgency, re.Pattern[str]], ...] = (
    (
        "routine",
        re.compile(r"\b(no rush|no hurry|whenever|can wait|not urgent|not really|next week|any ?time)\b", _FLAGS),
    ),
    ("emergency", re.compile(r"\b(right (now|away)|immediately|emergency|straight away)\b", _FLAGS)),
    (
        "soon",
        re.compile(r"\b(asap|as soon as (possible|you can)|today|tomorrow|soon|urgent|quick\w*|this week)\b", _FLAGS),
    ),
)


def detect_hazard(text: str) -> Hazard:
    """The danger that needs a safety line now, or ""."""
    for hazard, pattern in HAZARDS:
        if pattern.search(text):
            return hazard
    if _NO_HEAT.search(text) and _FREEZING.search(text):
        return "freezing"
    return ""


def detect_urgency(text: str) -> Urgency:
    """Urgency implied by a description of the problem ("" when nothing in it says)."""
    calm = _NOT_EMERGENCY.search(text) is not None
    unnegated = _NOT_EMERGENCY.sub(" ", text)
    if detect_hazard(unnegated) or _EMERGENCY_WORD.search(unnegated):
        return "emergency"
    if _SOON.search(unnegated):
        return "soon"
    if calm or _ROUTINE.search(unnegated):
        return "routine"
    return ""


def urgency_answer(text: str) -> Urgency:
    """Urgency from a reply to "how urgent is it?" ("as soon as possible", "no rush")."""
    for urgency, pattern in _ANSWER:
        if pattern.search(text):
            return urgency
    return ""


def merge_urgency(current: Urgency, heard: Urgency, *, answered: bool) -> Urgency:
    """Never down from emergency; otherwise up, or to the caller's own answer when it was asked."""
    if current == "emergency" or not heard:
        return current
    if answered or _RANK[heard] > _RANK[current]:
        return heard
    return current
