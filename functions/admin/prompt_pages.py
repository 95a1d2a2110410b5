"""Console page for a business's prompts: edit (new version), versions, diff, and a "try it" box."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from pydantic import ValidationError

from functions.admin.auth import PageIdentity, page_identity
from functions.admin.form_errors import error_messages
from functions.admin.prompt_input import PromptNotFound, TryPrompt, diff_versions, render_diff, try_prompt, versions
from functions.admin.rendering import render, see_other
from functions.admin.worker_client import WorkerUnavailable
from functions.edge_app import DatabaseDep, SettingsDep
from shared.repositories.businesses import get_business
from shared.repositories.phone_numbers import Mode
from shared.repositories.prompts import EmptyPrompt, add_prompt_version

router = APIRouter(prefix="/admin/businesses/{business_id}/prompts", dependencies=[Depends(page_identity)])


def _mode(value: str | None) -> Mode:
    return "demo" if value == "demo" else "live"


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


async def _page(
    request: Request, identity: PageIdentity, db: DatabaseDep, business_id: str, mode: Mode, **extra: Any
) -> Response:
    business = await get_business(db, business_id)
    if business is None:
        raise HTTPException(404, detail="no such business")
    history = await versions(db, business_id, mode)
    latest = history[0] if history else None
    old = _int(request.query_params.get("from")) or (history[1].version if len(history) > 1 else None)
    new = _int(request.query_params.get("to")) or (latest.version if latest else None)
    diff_html = ""
    errors: list[str] = list(extra.pop("errors", []))
    if old and new and old != new:
        try:
            diff_html = render_diff(*await diff_versions(db, business_id=business_id, mode=mode, old=old, new=new))[0]
        except PromptNotFound as error:
            errors.append(str(error))
    draft = extra.pop("draft", None) or {
        "system_prompt": latest.system_prompt if latest else "",
        "greeting": latest.greeting if latest else "",
    }
    return render(
        request,
        "prompts.html",
        identity=identity,
        business=business,
        mode=mode,
        history=history,
        draft=draft,
        diff_html=diff_html,
        diff_from=old,
        diff_to=new,
        errors=errors,
        **extra,
    )


@router.get("")
async def prompts_page(request: Request, identity: PageIdentity, db: DatabaseDep, business_id: str) -> Response:
    return await _page(request, identity, db, business_id, _mode(request.query_params.get("mode")))


@router.post("")
async def save_version(request: Request, identity: PageIdentity, db: DatabaseDep, business_id: str) -> Response:
    form = await request.form()
    mode = _mode(str(form.get("mode", "")))
    draft = {"system_prompt": str(form.get("system_prompt", "")), "greeting": str(form.get("greeting", ""))}
    if await get_business(db, business_id) is None:
        raise HTTPException(404, detail="no such business")
    try:
        await add_prompt_version(db, business_id=business_id, mode=mode, created_by=identity.operator.email, **draft)
    except EmptyPrompt as error:
        message = f"{error}: write what the receptionist should do before saving"
        return await _page(request, identity, db, business_id, mode, draft=draft, errors=[message], status_code=422)
    return see_other(f"/admin/businesses/{business_id}/prompts?mode={mode}", "saved")


@router.post("/try")
async def try_it(
    request: Request, identity: PageIdentity, db: DatabaseDep, settings: SettingsDep, business_id: str
) -> Response:
    form = await request.form()
    mode = _mode(str(form.get("mode", "")))
    text = str(form.get("text", "")).strip()
    try:
        attempt = TryPrompt.model_validate({"mode": mode, "text": text})
        reply = await try_prompt(db, settings, business_id=business_id, request=attempt)
    except ValidationError as error:
        return await _page(request, identity, db, business_id, mode, errors=error_messages(error), status_code=422)
    except (PromptNotFound, WorkerUnavailable) as error:
        return await _page(request, identity, db, business_id, mode, errors=[str(error)], tried=text, status_code=502)
    return await _page(request, identity, db, business_id, mode, tried=text, reply=reply)
