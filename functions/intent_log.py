"""The call's intent log: each tool the agent used (name, arguments, outcome, what it said, duration),
stored from the call report (table call_tool_calls) and read by the console's call page."""

from __future__ import annotations

import json
from dataclasses import dataclass

from shared.call_report import CallReport
from shared.database import Database, Statement


@dataclass(frozen=True)
class IntentEntry:
    seq: int
    name: str
    arguments: dict[str, str]
    outcome: str
    result: str
    detail: dict[str, str]
    duration_ms: int


def intent_log_statements(report: CallReport, *, only_if: Statement) -> list[Statement]:
    """One INSERT per tool call, each only when `only_if` holds (the report is stored now, not a repeat)."""
    condition, condition_args = only_if
    sql = (
        "INSERT INTO call_tool_calls (call_sid, seq, name, arguments, outcome, result, detail, duration_ms)"
        f" SELECT ?, ?, ?, ?, ?, ?, ?, ? WHERE {condition} ON CONFLICT (call_sid, seq) DO NOTHING"
    )
    return [
        (
            sql,
            (
                report.call_sid,
                seq,
                entry.name,
                json.dumps(entry.arguments),
                entry.outcome,
                entry.result,
                json.dumps(entry.detail),
                entry.duration_ms,
                *condition_args,
            ),
        )
        for seq, entry in enumerate(report.tools)
    ]


async def intent_log(db: Database, call_sid: str) -> list[IntentEntry]:
    rows = await db.fetch_all("SELECT * FROM call_tool_calls WHERE call_sid = ? ORDER BY seq", (call_sid,))
    return [
        IntentEntry(
            seq=row["seq"],
            name=row["name"],
            arguments=json.loads(row["arguments"]),
            outcome=row["outcome"],
            result=row["result"],
            detail=json.loads(row["detail"]),
            duration_ms=row["duration_ms"],
        )
        for row in rows
    ]
