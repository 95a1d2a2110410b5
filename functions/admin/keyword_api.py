"""JSON API for keyword corrections: /admin/api/keywords."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import JSONResponse

from functions.admin.auth import api_identity
from functions.admin.keyword_actions import (
    CorrectionBody,
    KeywordError,
    NewCorrection,
    PreviewRequest,
    change,
    create,
    preview,
)
from functions.edge_app import DatabaseDep
from shared.repositories.keyword_corrections import corrections_for, delete_correction, list_corrections

router = APIRouter(prefix="/admin/api/keywords", dependencies=[Depends(api_identity)])


@router.get("")
async def list_all(db: DatabaseDep, business_id: Annotated[str | None, Query()] = None) -> dict[str, Any]:
    found = await corrections_for(db, business_id) if business_id else await list_corrections(db)
    return {"corrections": [asdict(correction) for correction in found]}


@router.post("", status_code=201)
async def add(body: NewCorrection, db: DatabaseDep) -> JSONResponse:
    try:
        correction = await create(db, body)
    except KeywordError as error:
        raise HTTPException(error.status, detail=str(error)) from error
    return JSONResponse(asdict(correction), status_code=201)


@router.put("/{correction_id}")
async def edit(correction_id: int, body: CorrectionBody, db: DatabaseDep) -> dict[str, Any]:
    try:
        await change(db, correction_id, body)
    except KeywordError as error:
        raise HTTPException(error.status, detail=str(error)) from error
    return {"id": correction_id, "heard": body.heard.strip(), "corrected": body.corrected.strip()}


@router.delete("/{correction_id}")
async def remove(correction_id: int, db: DatabaseDep) -> dict[str, Any]:
    if not await delete_correction(db, correction_id):
        raise HTTPException(404, detail="no such correction")
    return {"deleted": correction_id}


@router.post("/preview")
async def show_preview(body: PreviewRequest, db: DatabaseDep) -> dict[str, str]:
    before, after = await preview(db, body)
    return {"before": before, "after": after}
