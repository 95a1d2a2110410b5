"""Call analytics over a period: volume per day and week, duration, urgency, problem types, latency."""

from __future__ import annotations

import json
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from shared.database import Database

# Simple keyword categories of what callers report; the first that matches wins.
PROBLEM_CATEGORIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("gas", ("gas",)),
    ("burst pipe", ("burst", "frozen pipe", "pipe broke", "broken pipe")),
    ("water heater", ("water heater", "hot water", "boiler", "tankless")),
    ("clog", ("clog", "blocked", "block", "backed up", "backup", "slow drain")),
    ("leak", ("leak", "drip", "dripping", "puddle")),
    ("toilet", ("toilet",)),
    ("sewer", ("sewer", "septic")),
)


URGENCY_LEVELS = ("emergency", "soon", "routine", "unknown")
Series = list[tuple[str, float]]


@dataclass(frozen=True)
class Analytics:
    days: int
    total_calls: int
    average_duration_s: float | None
    per_day: list[tuple[str, float]]
    per_week: list[tuple[str, float]]
    urgency: list[tuple[str, float]]
    problems: list[tuple[str, float]]
    latency_p50: list[tuple[str, float]]
    latency_p95: list[tuple[str, float]]


def categorize(problem: str) -> str:
    lowered = problem.lower()
    for category, words in PROBLEM_CATEGORIES:
        if any(re.search(r"\b" + re.escape(word), lowered) for word in words):
            return category
    return "other"


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (p50, p95) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def _filter(business_id: str | None, since: str) -> tuple[str, list[Any]]:
    if business_id:
        return "c.started_at >= ? AND c.business_id = ?", [since, business_id]
    return "c.started_at >= ?", [since]


def _week(day: str) -> str:
    year, week, _ = date.fromisoformat(day).isocalendar()
    return f"{year}-W{week:02d}"


async def compute(
    db: Database, *, days: int = 30, business_id: str | None = None, today: date | None = None
) -> Analytics:
    start = (today or datetime.now(UTC).date()) - timedelta(days=days - 1)
    where, args = _filter(business_id, start.isoformat())
    rows = await db.fetch_all(
        f"SELECT substr(c.started_at, 1, 10) AS day, c.duration_s, c.urgency, c.extraction FROM calls c WHERE {where}",  # noqa: S608
        args,
    )
    per_day: Counter[str] = Counter()
    urgency: Counter[str] = Counter()
    problems: Counter[str] = Counter()
    durations = [float(row["duration_s"]) for row in rows if row["duration_s"] is not None]
    for row in rows:
        per_day[row["day"]] += 1
        extraction = json.loads(row["extraction"]) if row["extraction"] else {}
        extraction = extraction if isinstance(extraction, dict) else {}
        urgency[row["urgency"] or extraction.get("urgency") or "unknown"] += 1
        if extraction.get("problem"):
            problems[categorize(str(extraction["problem"]))] += 1
    per_week: Counter[str] = Counter()
    for day, count in per_day.items():
        per_week[_week(day)] += count
    all_days = [(start + timedelta(days=offset)).isoformat() for offset in range(days)]
    p50, p95 = await _latency(db, where, args)
    return Analytics(
        days=days,
        total_calls=len(rows),
        average_duration_s=sum(durations) / len(durations) if durations else None,
        per_day=[(day[5:], float(per_day[day])) for day in all_days],
        per_week=sorted((week, float(count)) for week, count in per_week.items()),
        urgency=[
            (level, float(urgency[level])) for level in ("emergency", "soon", "routine", "unknown") if urgency[level]
        ],
        problems=[(name, float(count)) for name, count in problems.most_common()],
        latency_p50=p50,
        latency_p95=p95,
    )


async def _latency(
    db: Database, where: str, args: list[Any]
) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
    rows = await db.fetch_all(
        "SELECT substr(c.started_at, 1, 10) AS day, json_extract(turn.value, '$.voice_to_voice_ms') AS ms"  # noqa: S608
        f" FROM calls c, json_each(c.latency) AS turn WHERE {where}",
        args,
    )
    by_day: defaultdict[str, list[float]] = defaultdict(list)
    for row in rows:
        if isinstance(row["ms"], int | float):
            by_day[row["day"]].append(float(row["ms"]))
    days = sorted(by_day)
    return (
        [(day[5:], percentile(by_day[day], 0.5)) for day in days],
        [(day[5:], percentile(by_day[day], 0.95)) for day in days],
    )
