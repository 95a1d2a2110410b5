"""Finding calls: filters (business, urgency, status, date range) and full-text search over transcripts."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from markupsafe import Markup, escape
from pydantic import BaseModel, ConfigDict, Field

from shared.database import Database

PAGE_SIZE = 50
_COLUMNS = (
    "c.id, c.call_sid, c.business_id, c.from_number, c.status, c.urgency, c.started_at, c.duration_s, c.extraction"
)
_HIT_START, _HIT_END = "\ue000", "\ue001"  # private-use characters: cannot come from a transcript's words
_WORD = re.compile(r"\w+", re.UNICODE)


class CallFilters(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    business_id: str | None = Field(None, max_length=64)
    urgency: Literal["emergency", "soon", "routine"] | None = None
    status: str | None = Field(None, max_length=20, pattern=r"^[a-z-]+$")
    date_from: date | None = None
    date_to: date | None = None
    q: str | None = Field(None, max_length=200)
    page: int = Field(1, ge=1, le=1000)

    @classmethod
    def from_query(cls, params: dict[str, str]) -> CallFilters:
        return cls.model_validate({key: value for key, value in params.items() if value != ""})


@dataclass(frozen=True)
class CallSummary:
    id: str
    call_sid: str
    business_id: str | None
    from_number: str
    status: str
    urgency: str | None
    started_at: str
    duration_s: int | None
    customer_name: str | None
    problem: str | None
    snippet: Markup | None


def fts_query(text: str) -> str | None:
    """Operator words → an FTS5 query of quoted prefix terms (all must match); no FTS syntax gets through."""
    words = _WORD.findall(text)[:12]
    return " ".join(f'"{word}"*' for word in words) or None


def _where(filters: CallFilters) -> tuple[list[str], list[Any]]:
    clauses: list[str] = []
    args: list[Any] = []
    for column, value in (("c.business_id", filters.business_id), ("c.urgency", filters.urgency)):
        if value:
            clauses.append(f"{column} = ?")
            args.append(value)
    if filters.status:
        clauses.append("c.status = ?")
        args.append(filters.status)
    if filters.date_from:
        clauses.append("c.started_at >= ?")
        args.append(filters.date_from.isoformat())
    if filters.date_to:
        clauses.append("c.started_at < date(?, '+1 day')")
        args.append(filters.date_to.isoformat())
    return clauses, args


def _snippet(raw: str | None) -> Markup | None:
    if not raw:
        return None
    return Markup(str(escape(raw)).replace(_HIT_START, "<mark>").replace(_HIT_END, "</mark>"))  # noqa: S704


def _summary(row: dict[str, Any]) -> CallSummary:
    extraction = json.loads(row["extraction"]) if row["extraction"] else {}
    extraction = extraction if isinstance(extraction, dict) else {}
    return CallSummary(
        id=row["id"],
        call_sid=row["call_sid"],
        business_id=row["business_id"],
        from_number=row["from_number"],
        status=row["status"],
        urgency=row["urgency"] or extraction.get("urgency"),
        started_at=row["started_at"],
        duration_s=row["duration_s"],
        customer_name=extraction.get("customer_name"),
        problem=extraction.get("problem"),
        snippet=_snippet(row.get("snippet")),
    )


async def search_calls(db: Database, filters: CallFilters) -> list[CallSummary]:
    clauses, args = _where(filters)
    match = fts_query(filters.q or "")
    if match:
        sql = (
            f"SELECT {_COLUMNS}, snippet(calls_fts, -1, '{_HIT_START}', '{_HIT_END}', '…', 12) AS snippet"  # noqa: S608
            " FROM calls_fts JOIN calls c ON c.rowid = calls_fts.rowid WHERE calls_fts MATCH ?"
        )
        args.insert(0, match)
    else:
        sql = f"SELECT {_COLUMNS} FROM calls c WHERE 1 = 1"  # noqa: S608 - constant columns; values are bound
    sql += "".join(f" AND {clause}" for clause in clauses)
    sql += " ORDER BY c.started_at DESC LIMIT ? OFFSET ?"
    args += [PAGE_SIZE + 1, (filters.page - 1) * PAGE_SIZE]
    rows = await db.fetch_all(sql, args)
    return [_summary(row) for row in rows]
