"""What a simulated campaign measured, per callee book: fields right, calls that reached the right end
state, machines detected as machines, and how long a call took."""

from __future__ import annotations

import socket
import statistics
from pathlib import Path
from typing import Any

from buddyhelps.eval.scoring import field_results
from buddyhelps.outbound_campaign_run import RunOptions, SimulatedRun, run_simulated
from buddyhelps.simulator.callee_book import Callee, CalleeBook, load_book
from buddyhelps.simulator.caller_voice import PiperCallerVoice
from gpu_worker.conversation.planning.planner import FieldEntry
from shared.agents.business_definition import from_template
from shared.agents.definition import AgentDefinition
from shared.call_fields import parse_fields
from shared.database import open_database
from shared.outbound.calling_rules import CallingHours
from shared.repositories import agent_definitions, businesses
from shared.settings import Settings

EXPECTED_END = {"person": "completed", "machine": "voicemail", "busy": "gave_up", "no-answer": "gave_up"}


def _expected(callee: Callee) -> str:
    return EXPECTED_END.get(callee.answers, "gave_up")


def campaign_figures(book: CalleeBook, run: SimulatedRun) -> dict[str, Any]:
    definition = from_template(book.template)
    callees = book.by_number()
    rows = [_row(definition, callees.get(job.to_number), job, run) for job in run.jobs]
    right = sum(r["fields_right"] for r in rows)
    total = sum(r["fields_total"] for r in rows)
    seconds = [r["seconds"] for r in rows if r["end_state"] == "completed" and r["seconds"]]
    machines = [r for r in rows if r["answers"] == "machine"]
    return {
        "template": book.template,
        "calls": len(rows),
        "fields_right": right,
        "fields_total": total,
        "end_state_right": sum(r["end_state"] == r["expected_end_state"] for r in rows),
        "machines_detected": sum(r["answered_by"].startswith("machine") for r in machines),
        "machines": len(machines),
        "people_taken_for_machines": sum(
            r["answered_by"].startswith("machine") for r in rows if r["answers"] == "person"
        ),
        "seconds_per_completed_call_p50": round(statistics.median(seconds), 1) if seconds else None,
        "seconds_per_completed_call_max": round(max(seconds), 1) if seconds else None,
        "wall_s": round(run.wall_s, 1),
        "rows": rows,
    }


def _row(definition: AgentDefinition, callee: Callee | None, job: Any, run: SimulatedRun) -> dict[str, Any]:
    seen = run.twilio.get(job.call_sid or "", {})
    call = run.calls_by_sid.get(job.call_sid or "")
    row: dict[str, Any] = {
        "callee": callee.name if callee else job.to_number,
        "answers": callee.answers if callee else "unknown",
        "end_state": job.status,
        "expected_end_state": _expected(callee) if callee else "gave_up",
        "attempts": job.attempts,
        "answered_by": seen.get("answered_by", ""),
        "message_left": seen.get("message_left", ""),
        "seconds": seen.get("seconds"),
        "fields_right": 0,
        "fields_total": 0,
        "fields": [],
    }
    if callee is None or not callee.truth:
        return row
    stored = parse_fields(call.fields if call else [])
    by_name = {f.name: FieldEntry(f.name, f.label, f.value, f.spoken, f.status) for f in stored}
    entries = tuple(
        by_name.get(spec.name) or FieldEntry(spec.name, spec.name, "", "", "missing") for spec in definition.fields
    )
    results = field_results(callee.as_eval_case(), definition, entries)
    row["fields_right"] = sum(r.right for r in results)
    row["fields_total"] = len(results)
    row["fields"] = [{"name": r.name, "expected": r.expected, "got": r.got, "right": r.right} for r in results]
    return row


async def evaluate_books(settings: Settings, names: list[str]) -> dict[str, Any]:
    """Each book through its own simulated campaign (one business per template, calling all day), the
    template given as the campaign's agent (kept as the campaign's own definition)."""
    per_book = {}
    for name in names:
        book = load_book(name)
        business_id = await _business_for(settings, book)
        functions_port, worker_port, twilio_port = (_free_port() for _ in range(3))
        options = RunOptions(
            business_id=business_id,
            from_number="+12125550100",
            agent=from_template(book.template),
            hours=CallingHours(0, 1440),
            retry_base_s=2,
            functions_port=functions_port,
            worker_port=worker_port,
            twilio_port=twilio_port,
            log_path=Path(f"artifacts/outbound-eval-{name}.log"),
        )
        voice = PiperCallerVoice(cache_dir=settings.data_dir / "caller-voice-cache")
        per_book[name] = campaign_figures(book, await run_simulated(settings, book, _numbers(book), options, voice))
    summary = {
        name: {key: value for key, value in figures.items() if key != "rows"} for name, figures in per_book.items()
    }
    return {"summary": summary, "books": per_book}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _numbers(book: CalleeBook) -> list[tuple[str, str]]:
    return [(callee.number, callee.name) for callee in book.callees]


async def _business_for(settings: Settings, book: CalleeBook) -> str:
    business_id = f"biz_eval_{book.template}"
    db = await open_database(settings.database_url, auth_token=settings.turso_auth_token)
    try:
        if await businesses.get_business(db, business_id) is None:
            await businesses.create_business(
                db,
                business_id=business_id,
                name=book.business,
                owner_phone="+12125550100",
                owner_email="eval@buddyhelps.example",
                timezone="America/New_York",
            )
            # Its own line is the template too: the worker prepares one set of lines, not a receptionist's as
            # well (on a loaded 2-core machine those took longer than the stack's 15 min to get ready).
            definition = from_template(book.template)
            await agent_definitions.save_definition(db, business_id, definition, "campaign eval", book.template)
    finally:
        await db.close()
    return business_id
