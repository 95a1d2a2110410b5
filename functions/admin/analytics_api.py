"""JSON API for analytics: /admin/api/analytics."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from functions.admin.analytics import compute
from functions.admin.auth import api_identity
from functions.edge_app import DatabaseDep

router = APIRouter(dependencies=[Depends(api_identity)])


@router.get("/admin/api/analytics")
async def analytics(
    db: DatabaseDep,
    days: Annotated[int, Query(ge=1, le=366)] = 30,
    business_id: Annotated[str | None, Query(max_length=64)] = None,
) -> dict[str, Any]:
    return asdict(await compute(db, days=days, business_id=business_id or None))
