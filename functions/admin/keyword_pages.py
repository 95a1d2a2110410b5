"""Console page for keyword corrections: list (per business or global), add, edit, delete, preview."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError

from functions.admin.auth import PageIdentity, page_identity
from functions.admin.form_errors import error_messages
from functions.admin.keyword_actions import (
    CorrectionBody,
    KeywordError,
    NewCorrection,
    PreviewRequest,
    change,
    create,
    preview,
)
from functions.admin.rendering import render, see_other
from functions.edge_app import DatabaseDep
from shared.repositories.businesses import list_businesses
from shared.repositories.keyword_corrections import corrections_for, delete_correction, list_corrections

router = APIRouter(prefix="/admin/keywords", dependencies=[Depends(page_identity)])


async def _page(request: Request, identity: PageIdentity, db: DatabaseDep, **extra: Any) -> Response:
    business_id = request.query_params.get("business_id") or extra.pop("business_id", "") or ""
    sample = request.query_params.get("sample", "")
    corrections = await corrections_for(db, business_id) if business_id else await list_corrections(db)
    before_after = None
    if sample:
        before_after = await preview(db, PreviewRequest(text=sample[:2000], business_id=business_id or None))
    businesses = await list_businesses(db)
    return render(
        request,
        "keywords.html",
        identity=identity,
        corrections=corrections,
        businesses=businesses,
        business_names={business.id: business.name for business in businesses},
        business_id=business_id,
        sample=sample,
        before_after=before_after,
        **extra,
    )


def _back(business_id: str, notice: str) -> Response:
    return see_other(f"/admin/keywords?business_id={business_id}" if business_id else "/admin/keywords", notice)


@router.get("")
async def keywords_page(request: Request, identity: PageIdentity, db: DatabaseDep) -> Response:
    return await _page(request, identity, db)


@router.post("")
async def add(request: Request, identity: PageIdentity, db: DatabaseDep) -> Response:
    form = await request.form()
    values = {name: str(form.get(name, "")) for name in ("business_id", "heard", "corrected")}
    try:
        await create(db, NewCorrection.model_validate(values))
    except ValidationError as error:
        return await _page(request, identity, db, errors=error_messages(error), form=values, status_code=422)
    except KeywordError as error:
        return await _page(request, identity, db, errors=[str(error)], form=values, status_code=error.status)
    return _back(str(form.get("return_business_id", "")), "created")


@router.post("/{correction_id}")
async def edit(request: Request, identity: PageIdentity, db: DatabaseDep, correction_id: int) -> Response:
    form = await request.form()
    values = {name: str(form.get(name, "")) for name in ("heard", "corrected")}
    try:
        await change(db, correction_id, CorrectionBody.model_validate(values))
    except ValidationError as error:
        return await _page(request, identity, db, errors=error_messages(error), status_code=422)
    except KeywordError as error:
        return await _page(request, identity, db, errors=[str(error)], status_code=error.status)
    return _back(str(form.get("return_business_id", "")), "saved")


@router.post("/{correction_id}/delete")
async def remove(request: Request, identity: PageIdentity, db: DatabaseDep, correction_id: int) -> Response:
    form = await request.form()
    await delete_correction(db, correction_id)
    return _back(str(form.get("return_business_id", "")), "deleted")
