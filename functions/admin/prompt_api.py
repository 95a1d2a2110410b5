"""JSON API for prompts: /admin/api/businesses/{id}/prompts (versions, new version, diff, try it)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import JSONResponse

from functions.admin.auth import ApiIdentity, api_identity
from functions.admin.prompt_input import (
    NewPromptVersion,
    PromptNotFound,
    TryPrompt,
    diff_versions,
    render_diff,
    try_prompt,
    versions,
)
from functions.admin.worker_client import WorkerUnavailable
from functions.edge_app import DatabaseDep, SettingsDep
from shared.repositories.businesses import get_business
from shared.repositories.prompts import EmptyPrompt, add_prompt_version

router = APIRouter(prefix="/admin/api/businesses/{business_id}/prompts", dependencies=[Depends(api_identity)])
ModeQuery = Annotated[Literal["demo", "live"], Query()]


async def _require_business(db: DatabaseDep, business_id: str) -> str:
    if await get_business(db, business_id) is None:
        raise HTTPException(404, detail="no such business")
    return business_id


BusinessId = Annotated[str, Depends(_require_business)]


@router.get("")
async def list_versions(business_id: BusinessId, db: DatabaseDep, mode: ModeQuery = "live") -> dict[str, Any]:
    return {"prompts": [asdict(prompt) for prompt in await versions(db, business_id, mode)]}


@router.post("", status_code=201)
async def new_version(
    business_id: BusinessId, body: NewPromptVersion, identity: ApiIdentity, db: DatabaseDep
) -> JSONResponse:
    try:
        prompt = await add_prompt_version(
            db,
            business_id=business_id,
            mode=body.mode,
            system_prompt=body.system_prompt,
            greeting=body.greeting,
            created_by=identity.operator.email,
        )
    except EmptyPrompt as error:
        raise HTTPException(422, detail=str(error)) from error
    return JSONResponse(asdict(prompt), status_code=201)


@router.get("/diff")
async def diff(
    business_id: BusinessId,
    db: DatabaseDep,
    old: Annotated[int, Query(alias="from", ge=1)],
    new: Annotated[int, Query(alias="to", ge=1)],
    mode: ModeQuery = "live",
) -> dict[str, Any]:
    try:
        before, after = await diff_versions(db, business_id=business_id, mode=mode, old=old, new=new)
    except PromptNotFound as error:
        raise HTTPException(404, detail=str(error)) from error
    html, text = render_diff(before, after)
    return {"from": old, "to": new, "html": html, "unified": text}


@router.post("/try")
async def try_it(business_id: BusinessId, body: TryPrompt, db: DatabaseDep, settings: SettingsDep) -> dict[str, Any]:
    try:
        reply = await try_prompt(db, settings, business_id=business_id, request=body)
    except PromptNotFound as error:
        raise HTTPException(409, detail=str(error)) from error
    except WorkerUnavailable as error:
        raise HTTPException(502, detail=str(error)) from error
    return asdict(reply)
