"""Console analytics page: charts (server-rendered SVG) with the figures beside them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from functions.admin.analytics import compute
from functions.admin.auth import PageIdentity, page_identity
from functions.admin.rendering import render
from functions.admin.svg_charts import bar_chart, horizontal_bars, line_chart
from functions.edge_app import DatabaseDep
from shared.repositories.businesses import list_businesses

router = APIRouter(dependencies=[Depends(page_identity)])
PERIODS = (7, 30, 90)


@router.get("/admin/analytics")
async def analytics_page(
    request: Request,
    identity: PageIdentity,
    db: DatabaseDep,
    days: Annotated[int, Query()] = 30,
    business_id: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    days = days if days in PERIODS else 30
    figures = await compute(db, days=days, business_id=business_id or None)
    charts = {
        "per_day": bar_chart(figures.per_day, title=f"Calls per day, last {days} days"),
        "per_week": bar_chart(figures.per_week, title="Calls per week"),
        "urgency": horizontal_bars(figures.urgency, title="Urgency"),
        "problems": horizontal_bars(figures.problems, title="Problem types"),
        "latency": line_chart(
            {"p50": figures.latency_p50, "p95": figures.latency_p95},
            title="Voice-to-voice latency per day",
            unit=" ms",
        ),
    }
    return render(
        request,
        "analytics.html",
        identity=identity,
        figures=figures,
        charts=charts,
        periods=PERIODS,
        business_id=business_id,
        businesses=await list_businesses(db),
    )
