"""Analytics: figures over seeded calls, the charts drawn from them, and problem categories."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from functions.admin.analytics import categorize, percentile
from shared.database import Database
from shared.repositories.businesses import create_business
from tests.functions.admin.call_seed import seed_call


@pytest.mark.parametrize(
    ("problem", "category"),
    [
        ("Kitchen sink clogged", "clog"),
        ("Pipe burst in the basement", "burst pipe"),
        ("No hot water", "water heater"),
        ("Smell of gas near the stove", "gas"),
        ("Dripping faucet", "leak"),
        ("Wants a quote for a remodel", "other"),
    ],
)
def test_problem_categories(problem: str, category: str):
    assert categorize(problem) == category


def test_percentile_is_nearest_rank():
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.5) == 50
    assert percentile(values, 0.95) == 95
    assert percentile([700.0], 0.95) == 700


async def test_analytics_figures_and_charts(
    api: httpx.AsyncClient, console: tuple[httpx.AsyncClient, str], db: Database
):
    # GIVEN one business with three calls today and one two days ago
    business = await create_business(db, name="Stats Plumbing", owner_phone="+15125554000")
    now = datetime.now(UTC)
    two_days_ago = (now - timedelta(days=2)).isoformat().replace("+00:00", "Z")
    calls = [
        ("leak under sink", "soon", 60, [700, 900], None),
        ("clogged toilet", "routine", 120, [800], None),
        ("burst pipe", "emergency", 180, [1500], None),
        ("dripping tap", "soon", None, [], two_days_ago),
    ]
    for index, (problem, urgency, duration, latency, started) in enumerate(calls):
        await seed_call(
            db,
            call_sid=f"CAstats{index}",
            business_id=business.id,
            said=[("caller", problem)],
            extraction={"problem": problem, "urgency": urgency},
            duration_s=duration,
            latency_ms=latency,
            started_at=started,
        )
    # WHEN the analytics are read for the last 7 days
    figures = (await api.get("/admin/api/analytics", params={"days": 7, "business_id": business.id})).json()
    # THEN the counts, average duration, distributions and latency percentiles add up
    assert figures["total_calls"] == 4
    assert figures["average_duration_s"] == 120
    assert len(figures["per_day"]) == 7
    assert figures["per_day"][-1] == [now.date().isoformat()[5:], 3.0]
    assert sum(count for _, count in figures["per_week"]) == 4
    assert dict(figures["urgency"]) == {"emergency": 1.0, "soon": 2.0, "routine": 1.0}
    assert dict(figures["problems"]) == {"leak": 2.0, "clog": 1.0, "burst pipe": 1.0}
    assert figures["latency_p50"] == [[now.date().isoformat()[5:], 800.0]]
    assert figures["latency_p95"] == [[now.date().isoformat()[5:], 1500.0]]
    assert (await api.get("/admin/api/analytics", params={"days": 0})).status_code == 422
    # AND the page draws them as SVG charts
    client, _ = console
    page = await client.get("/admin/analytics", params={"days": 7, "business_id": business.id})
    assert page.text.count("<svg") == 5
    assert 'aria-label="Problem types"' in page.text
    assert '<b id="total-calls">4</b>' in page.text
    assert "120 s" in page.text
