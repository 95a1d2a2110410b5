"""Whether a call did what its scenario's `[expect]` says: the tool used, the words heard, the text or email
sent, how a transfer's dial ended, the call's outcome. Generic checks over the call's record and what the
simulated caller heard; each unmet one is a sentence saying what was expected and what happened."""

from __future__ import annotations

import asyncio
import re
import time

from buddyhelps.simulator.call_result import CallResult
from buddyhelps.simulator.scenario_business import ScenarioExpect
from functions.intent_log import intent_log
from shared.database import Database
from shared.repositories import calls, notifications

_NOT_WORD = re.compile(r"[^a-z0-9áéíóúñü ]+")
# The tools used are stored with the call report, which waits for the after-call extraction (its model call may
# take its whole 120 s limit on a busy CPU, as it did in a real-model run): wait longer than that.
REPORT_WAIT_S = 180.0


async def wait_for_expectations(
    db: Database, expect: ScenarioExpect, result: CallResult, *, timeout_s: float = REPORT_WAIT_S
) -> list[str]:
    """The expectations still unmet once they all hold or `timeout_s` has passed (the worker reports the
    call to the functions in another process, and the outbox is written then)."""
    deadline = time.monotonic() + timeout_s
    while True:
        unmet = await unmet_expectations(db, expect, result)
        if not unmet or time.monotonic() >= deadline:
            return unmet
        await asyncio.sleep(0.5)  # another process writes the report: nothing to await but time


async def unmet_expectations(db: Database, expect: ScenarioExpect, result: CallResult) -> list[str]:
    unmet = _unmet_on_the_line(expect, result)
    if expect.tool:
        used = [(entry.name, entry.outcome) for entry in await intent_log(db, result.call_sid)]
        if (expect.tool, "ok") not in used:
            unmet.append(f"expected the {expect.tool} tool to answer; tools used: {_listed(used)}")
    if expect.outbox_contains:
        call = await calls.get_call_by_sid(db, result.call_sid)
        sent = await notifications.list_for_call(db, call.id) if call is not None else []
        to = [note for note in sent if not expect.outbox_to or note.recipient == expect.outbox_to]
        bodies = [f"{note.subject or ''} {note.body}" for note in to]
        if not any(_words(expect.outbox_contains) in _words(body) for body in bodies):
            said = "; ".join(f"{note.purpose} to {note.recipient}" for note in sent) or "nothing"
            whom = f" to {expect.outbox_to}" if expect.outbox_to else ""
            unmet.append(f"expected a text or email{whom} saying {expect.outbox_contains!r}; the outbox has: {said}")
    return unmet


def _unmet_on_the_line(expect: ScenarioExpect, result: CallResult) -> list[str]:
    unmet = []
    if expect.outcome and result.outcome != expect.outcome:
        unmet.append(f"expected the call to end {expect.outcome}; it ended {result.outcome}")
    dials = [event.detail.rsplit(" ", 1)[-1] for event in result.edge if event.verb == "dial"]
    if expect.dial and expect.dial not in dials:
        unmet.append(f"expected a transfer's dial to end {expect.dial}; dials: {', '.join(dials) or 'none'}")
    if expect.heard_contains:
        heard = " ".join(turn.text for leg in result.all_legs for turn in leg.turns if turn.speaker == "agent")
        if _words(expect.heard_contains) not in _words(heard):
            unmet.append(f"expected to hear {expect.heard_contains!r}; the agent said: {heard.strip() or '(nothing)'}")
    return unmet


def _words(text: str) -> str:
    return " ".join(_NOT_WORD.sub(" ", text.lower()).split())


def _listed(used: list[tuple[str, str]]) -> str:
    return ", ".join(f"{name} ({outcome})" for name, outcome in used) or "none"
