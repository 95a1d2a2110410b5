"""JSON API for businesses: /admin/api/businesses."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import JSONResponse

from functions.admin.auth import ApiIdentity, api_identity
from functions.admin.business_input import BusinessChanges, NewBusiness, current_greeting, save_greeting, start_agent
from functions.edge_app import DatabaseDep
from shared.database import Database
from shared.repositories.businesses import Business, create_business, get_business, list_businesses, update_business

router = APIRouter(prefix="/admin/api", dependencies=[Depends(api_identity)])


async def _as_json(db: Database, business: Business) -> dict[str, Any]:
    return {**asdict(business), "greeting": await current_greeting(db, business) or None}


@router.get("/businesses")
async def list_all(db: DatabaseDep) -> dict[str, Any]:
    return {"businesses": [await _as_json(db, business) for business in await list_businesses(db)]}


@router.post("/businesses", status_code=201)
async def create(body: NewBusiness, identity: ApiIdentity, db: DatabaseDep) -> JSONResponse:
    business = await create_business(db, **body.business_fields())
    await start_agent(db, business, body.template, created_by=identity.operator.email)
    if body.greeting:
        await save_greeting(db, business, body.greeting, created_by=identity.operator.email)
    return JSONResponse(await _as_json(db, business), status_code=201)


@router.get("/businesses/{business_id}")
async def get_one(business_id: str, db: DatabaseDep) -> dict[str, Any]:
    business = await get_business(db, business_id)
    if business is None:
        raise HTTPException(404, detail="no such business")
    return await _as_json(db, business)


@router.patch("/businesses/{business_id}")
async def change(business_id: str, body: BusinessChanges, identity: ApiIdentity, db: DatabaseDep) -> dict[str, Any]:
    if await get_business(db, business_id) is None:
        raise HTTPException(404, detail="no such business")
    business = await update_business(db, business_id, **body.business_fields())
    assert business is not None
    if body.greeting:
        await save_greeting(db, business, body.greeting, created_by=identity.operator.email)
    return await _as_json(db, business)
