"""Scoring one conversation: fields against the truth, safety lines when due, facts stated, inventions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time
from decimal import Decimal, InvalidOperation

from buddyhelps.eval.eval_cases import EvalCase, ExpectedStatus
from gpu_worker.conversation.planning.facts_answer import FactsAnswer
from gpu_worker.conversation.planning.planner import FieldEntry
from shared.agents.definition import AgentDefinition, FieldKind
from shared.agents.fields.clock_text import clock_text
from shared.agents.fields.lexicons import Lexicon, lexicon_for

_AMOUNT = re.compile(r"[$£€]\s?(\d+(?:\.\d{1,2})?)|\b(\d+(?:\.\d{1,2})?)\s?(?:dollars?|bucks)\b", re.IGNORECASE)
_CLOCK = re.compile(r"\b(\d{1,2})(?::(\d{2}))?\s?(am|pm|a\.m\.|p\.m\.)(?=\W|$)", re.IGNORECASE)
_BOOKED = re.compile(
    r"\b(booked you|scheduled you|your appointment is|i've booked|i have booked|i've scheduled)\b", re.I
)


@dataclass(frozen=True)
class FieldResult:
    name: str
    expected: str
    got: str
    status: str
    right: bool


def field_results(
    case: EvalCase, definition: AgentDefinition, entries: tuple[FieldEntry, ...], *, language: str = "en"
) -> list[FieldResult]:
    """Each truth against the field's value; `language`: the callers', whose clock words are read."""
    lex = lexicon_for(language)
    by_name = {entry.name: entry for entry in entries}
    results = []
    for name, truth in case.truth.items():
        entry = by_name[name]
        kind = definition.field(name).kind
        right = _matches(kind, truth, entry, lex)
        results.append(FieldResult(name, _shown(truth), entry.value, entry.status, right))
    return results


def _shown(truth: str | list[str] | ExpectedStatus) -> str:
    if isinstance(truth, ExpectedStatus):
        return f"({truth.status})"
    return " + ".join(truth) if isinstance(truth, list) else truth


def _matches(kind: FieldKind, truth: str | list[str] | ExpectedStatus, entry: FieldEntry, lex: Lexicon) -> bool:
    if isinstance(truth, ExpectedStatus):
        return entry.status == truth.status
    value = entry.value.lower()
    if isinstance(truth, list):  # words the value must hold; clock times in either written the one way
        value = clock_text(entry.value, lex).lower()
        return bool(value) and all(clock_text(word, lex).lower() in value for word in truth)
    if kind == FieldKind.MONEY:
        return _amount(entry.value.split(" ")[0]) == _amount(truth)
    if kind == FieldKind.ADDRESS:
        return bool(value) and truth.lower() in value
    return value == truth.lower()


def _amount(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def inventions(reply: str, caller_said: str, facts: FactsAnswer) -> list[str]:
    """Prices, clock times or bookings in the agent's words that neither the facts nor the caller gave."""
    allowed_amounts = facts.allowed_amounts()
    allowed_times = facts.allowed_times()
    allowed_amounts |= {amount for word in caller_said.split() if (amount := _amount(word)) is not None}
    found = [
        match.group(0)
        for match in _AMOUNT.finditer(reply)
        if _amount(match.group(1) or match.group(2)) not in allowed_amounts and match.group(0) not in caller_said
    ]
    for match in _CLOCK.finditer(reply):
        hour, minutes = int(match.group(1)), int(match.group(2) or 0)
        if hour > 12 or minutes > 59:
            found.append(match.group(0))
            continue
        moment = time(hour % 12 + (12 if match.group(3).lower().startswith("p") else 0), minutes)
        if moment not in allowed_times and match.group(1) not in caller_said:
            found.append(match.group(0))
    found += [match.group(0) for match in _BOOKED.finditer(reply)]
    return found
