"""Console pages for a business's knowledge documents (upload, list, replace, delete, threshold) and
the citations log (each question asked on calls, what was retrieved, what was said)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from functions.admin.auth import PageIdentity, page_identity
from functions.admin.document_actions import add_document, read_upload_form, replace_document
from functions.admin.rendering import render, see_other
from functions.edge_app import DatabaseDep, SettingsDep
from shared.knowledge.documents import DocumentRejected
from shared.repositories.businesses import list_businesses
from shared.repositories.documents import (
    DEFAULT_MIN_SCORE,
    MAX_MIN_SCORE,
    delete_document,
    list_documents,
    min_score_for,
    set_min_score,
)
from shared.repositories.knowledge_answers import list_answers

router = APIRouter(prefix="/admin/documents", dependencies=[Depends(page_identity)])


async def _page(request: Request, identity: PageIdentity, db: DatabaseDep, **extra: Any) -> Response:
    business_id = request.query_params.get("business_id") or extra.pop("business_id", "") or ""
    businesses = await list_businesses(db)
    return render(
        request,
        "documents.html",
        identity=identity,
        documents=await list_documents(db, business_id=business_id or None),
        businesses=businesses,
        business_names={business.id: business.name for business in businesses},
        business_id=business_id,
        min_score=await min_score_for(db, business_id) if business_id else DEFAULT_MIN_SCORE,
        max_min_score=MAX_MIN_SCORE,
        **extra,
    )


def _back(business_id: str, notice: str) -> Response:
    return see_other(f"/admin/documents?business_id={business_id}" if business_id else "/admin/documents", notice)


@router.get("")
async def documents_page(request: Request, identity: PageIdentity, db: DatabaseDep) -> Response:
    return await _page(request, identity, db)


@router.post("")
async def upload(request: Request, identity: PageIdentity, db: DatabaseDep, settings: SettingsDep) -> Response:
    form = None
    try:
        form = await read_upload_form(request)
        document = await add_document(db, settings, form)
    except DocumentRejected as error:
        values = form.values() if form else {}
        return await _page(
            request,
            identity,
            db,
            errors=[str(error)],
            form=values,
            status_code=422,
            business_id=values.get("business_id", ""),
        )
    return _back(document.business_id, "created")


@router.post("/{document_id}/replace")
async def replace(
    request: Request, identity: PageIdentity, db: DatabaseDep, settings: SettingsDep, document_id: str
) -> Response:
    try:
        document = await replace_document(db, settings, document_id, await read_upload_form(request))
    except DocumentRejected as error:
        return await _page(request, identity, db, errors=[str(error)], status_code=422)
    return _back(document.business_id, "saved")


@router.post("/{document_id}/delete")
async def remove(request: Request, identity: PageIdentity, db: DatabaseDep, document_id: str) -> Response:
    form = await request.form()
    await delete_document(db, document_id)
    return _back(str(form.get("return_business_id", "")), "deleted")


@router.post("/threshold")
async def threshold(request: Request, identity: PageIdentity, db: DatabaseDep) -> Response:
    form = await request.form()
    business_id = str(form.get("business_id", ""))
    try:
        await set_min_score(db, business_id, float(str(form.get("min_score", ""))))
    except ValueError as error:
        message = str(error) if "threshold" in str(error) else "the threshold must be a number such as 0.9"
        return await _page(request, identity, db, errors=[message], status_code=422, business_id=business_id)
    return _back(business_id, "saved")


@router.get("/citations")
async def citations(request: Request, identity: PageIdentity, db: DatabaseDep) -> Response:
    business_id = request.query_params.get("business_id", "")
    unanswered = request.query_params.get("unanswered") == "1"
    businesses = await list_businesses(db)
    return render(
        request,
        "document_citations.html",
        identity=identity,
        answers=await list_answers(db, business_id=business_id or None, unanswered_only=unanswered),
        businesses=businesses,
        business_names={business.id: business.name for business in businesses},
        business_id=business_id,
        unanswered=unanswered,
    )
