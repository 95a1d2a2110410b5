"""API tokens for scripts: created in the console (shown once) or by `buddyhelps admin create-token`."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from functions.admin.auth import ApiIdentity, PageIdentity, api_identity, page_identity
from functions.admin.rendering import render, see_other
from functions.edge_app import DatabaseDep
from shared.repositories.operators import InvalidOperator, create_api_token, list_api_tokens, revoke_api_token

pages = APIRouter(prefix="/admin/tokens", dependencies=[Depends(page_identity)])
api = APIRouter(prefix="/admin/api/tokens", dependencies=[Depends(api_identity)])


class NewToken(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=80)


@pages.get("")
async def tokens_page(request: Request, identity: PageIdentity, db: DatabaseDep) -> Response:
    tokens = await list_api_tokens(db, identity.operator.id)
    return render(request, "tokens.html", identity=identity, tokens=tokens)


@pages.post("")
async def create(request: Request, identity: PageIdentity, db: DatabaseDep) -> Response:
    form = await request.form()
    try:
        token, secret = await create_api_token(db, operator_id=identity.operator.id, name=str(form.get("name", "")))
    except InvalidOperator as error:
        tokens = await list_api_tokens(db, identity.operator.id)
        return render(request, "tokens.html", identity=identity, tokens=tokens, errors=[str(error)], status_code=422)
    tokens = await list_api_tokens(db, identity.operator.id)
    # Rendered, not redirected: the secret is shown this once and never stored.
    response = render(request, "tokens.html", identity=identity, tokens=tokens, new_token=token, secret=secret)
    response.headers["Cache-Control"] = "no-store"
    return response


@pages.post("/{token_id}/revoke")
async def revoke(identity: PageIdentity, db: DatabaseDep, token_id: str) -> Response:
    await revoke_api_token(db, operator_id=identity.operator.id, token_id=token_id)
    return see_other("/admin/tokens", "revoked")


@api.get("")
async def list_tokens(identity: ApiIdentity, db: DatabaseDep) -> dict[str, Any]:
    return {"tokens": [asdict(token) for token in await list_api_tokens(db, identity.operator.id)]}


@api.post("", status_code=201)
async def create_token(body: NewToken, identity: ApiIdentity, db: DatabaseDep) -> JSONResponse:
    try:
        token, secret = await create_api_token(db, operator_id=identity.operator.id, name=body.name)
    except InvalidOperator as error:
        raise HTTPException(422, detail=str(error)) from error
    return JSONResponse({**asdict(token), "token": secret}, status_code=201, headers={"Cache-Control": "no-store"})


@api.delete("/{token_id}")
async def revoke_token(token_id: str, identity: ApiIdentity, db: DatabaseDep) -> dict[str, str]:
    if not await revoke_api_token(db, operator_id=identity.operator.id, token_id=token_id):
        raise HTTPException(404, detail="no such active token")
    return {"revoked": token_id}


router = APIRouter()
router.include_router(pages)
router.include_router(api)
