"""Faults the soak injects into the real processes, each checked from what the caller heard and what the
database holds afterwards."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import time
from collections.abc import Awaitable, Callable
from typing import Any

from buddyhelps.simulator.call_result import CallResult
from buddyhelps.soak_stack import REPORT_TIMEOUT_S, Soak, SoakFailed, until
from shared.database import utc_now
from shared.repositories import calls, notifications

CONVERSING_TIMEOUT_S = 120.0


async def _conversing_call(soak: Soak, since: str) -> str | None:
    """The call placed after `since` once the worker has saved the caller's first words."""
    row = await soak.db.fetch_one(
        "SELECT call_sid, transcript FROM calls WHERE started_at > ? ORDER BY started_at DESC LIMIT 1", (since,)
    )
    said = json.loads(row["transcript"] or "[]") if row else []
    return str(row["call_sid"]) if row and any(entry.get("speaker") == "caller" for entry in said) else None


async def _call_until_conversing(soak: Soak, scenario: str) -> tuple[asyncio.Task[CallResult], str]:
    since = utc_now()
    task = asyncio.create_task(soak.call(scenario), name=f"soak-call-{scenario}")
    try:
        call_sid = await until(lambda: _conversing_call(soak, since), CONVERSING_TIMEOUT_S, "the caller's first words")
    except BaseException:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        raise
    return task, call_sid


async def _kill_worker(soak: Soak) -> None:
    status = await soak.stack.worker_status()
    if status is not None:
        os.kill(int(status["pid"]), signal.SIGKILL)
    soak.stack.worker.stop(signal.SIGKILL)


async def _restart_worker(soak: Soak) -> float:
    started = time.monotonic()
    soak.stack.worker.start()
    await until(soak.stack.worker_status, soak.stack.ready_timeout_s, "the restarted worker")
    return round(time.monotonic() - started, 1)


async def worker_killed_mid_call(soak: Soak, *, restart: bool = True) -> dict[str, Any]:
    """SIGKILL the worker mid-conversation: the caller reaches voicemail, the call keeps what was said."""
    task, call_sid = await _call_until_conversing(soak, "plumbing-emergency")
    await _kill_worker(soak)
    result = await task
    call = await calls.get_call_by_sid(soak.db, call_sid)
    assert call is not None
    restart_s = await _restart_worker(soak) if restart else None
    kept = len(call.transcript)
    return {
        "passed": result.outcome == "voicemail" and call.voicemail and kept >= 2,
        "caller_outcome": result.outcome,
        "legs": list(result.legs),
        "caller_heard": result.detail,
        "call_voicemail": call.voicemail,
        "transcript_entries_kept": kept,
        "end_reason": call.end_reason,
        "worker_restart_s": restart_s,
    }


async def functions_down_while_reports_due(soak: Soak, *, restart_worker: bool) -> dict[str, Any]:
    """Stop the functions mid-call: the report waits in the worker's outbox (through a worker restart
    if asked) and lands exactly once when the functions are back."""
    task, call_sid = await _call_until_conversing(soak, "routine-booking")
    soak.stack.functions.stop()
    result = await task  # the action URL and /call-status fail too: Twilio would say so to nobody

    async def waiting_report() -> dict[str, Any] | None:
        outbox = ((await soak.stack.worker_status()) or {}).get("report_outbox") or {}
        return outbox if outbox.get("pending", 0) >= 1 and outbox.get("last_error") else None

    waiting = await until(waiting_report, REPORT_TIMEOUT_S, "the report to wait in the outbox")
    restart_s = None
    if restart_worker:
        await _kill_worker(soak)
        restart_s = await _restart_worker(soak)
    soak.stack.functions.start()
    await soak.stack.wait_ready()
    after = await soak.drained()
    call = await calls.get_call_by_sid(soak.db, call_sid)
    assert call is not None
    sent = await notifications.list_for_call(soak.db, call.id)
    once = bool(sent) and all(n.attempts == 1 and n.status in {"sent", "recorded"} for n in sent)
    return {
        "passed": call.reported_at is not None and once and len({n.purpose for n in sent}) == len(sent),
        "caller_outcome": result.outcome,
        "outbox_while_down": {key: waiting.get(key) for key in ("pending", "attempts", "last_error")},
        "reported": call.reported_at is not None,
        "notifications": {n.purpose: {"status": n.status, "attempts": n.attempts} for n in sent},
        "outbox_after": (after.get("report_outbox") or {}),
        "worker_restart_s": restart_s,
    }


FAULTS: dict[str, Callable[[Soak], Awaitable[dict[str, Any]]]] = {
    "functions_down_reports_due": lambda soak: functions_down_while_reports_due(soak, restart_worker=False),
    "worker_restarted_with_reports": lambda soak: functions_down_while_reports_due(soak, restart_worker=True),
    # Last: the one fault that needs no worker after it (a restart costs minutes on a busy CPU).
    "worker_killed_mid_call": lambda soak: worker_killed_mid_call(soak, restart=False),
}
COVERED_BY_TESTS = {
    "database_down_at_incoming_call": {
        "passed": None,
        "covered_by": "tests/functions/test_incoming_call.py::"
        "test_an_unreachable_database_still_gives_the_caller_a_voicemail",
    },
}


async def run_faults(
    soak: Soak, names: list[str], record: Callable[[dict[str, dict[str, Any]]], None]
) -> dict[str, dict[str, Any]]:
    """Run the named faults in FAULTS order; each result is recorded as soon as it is known."""
    results: dict[str, dict[str, Any]] = dict(COVERED_BY_TESTS)
    for name, fault in FAULTS.items():
        if name not in names:
            continue
        try:
            results[name] = await fault(soak)
        except SoakFailed as failure:  # the stack is in an unknown state: stop here, say why
            results[name] = {"passed": False, "error": str(failure)}
            record(results)
            break
        record(results)
    return results
