"""Console page for a business's agent: the active definition as YAML to edit (errors shown beside it,
nothing saved until it validates), versions with a diff between any two, start from a template, import
and export YAML, and "try it" through the worker's planner."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from functions.admin.agent_input import (
    MAX_NOTE,
    AgentNotFound,
    DefinitionError,
    TemplateError,
    TryAgent,
    Turn,
    active_or_version,
    diff_versions,
    save_yaml,
    template_yaml,
    turns_from_form,
    turns_to_form,
)
from functions.admin.agent_try import try_agent
from functions.admin.auth import PageIdentity, page_identity
from functions.admin.form_errors import error_messages
from functions.admin.rendering import render, see_other
from functions.admin.worker_client import WorkerUnavailable, worker_urls
from functions.edge_app import DatabaseDep, SettingsDep
from shared.agents.keypad_menu import KeypadMenuUnavailable, with_menu
from shared.agents.templates import template_names
from shared.agents.yaml_io import MAX_YAML_BYTES, definition_to_yaml
from shared.repositories import agent_definitions
from shared.repositories.agent_definitions import StoredDefinitionInvalid
from shared.repositories.businesses import Business, get_business

router = APIRouter(prefix="/admin/businesses/{business_id}/agent", dependencies=[Depends(page_identity)])


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, str) and value.isdigit() and int(value) > 0 else None


async def _business(db: DatabaseDep, business_id: str) -> Business:
    business = await get_business(db, business_id)
    if business is None:
        raise HTTPException(404, detail="no such business")
    return business


async def _page(
    request: Request, identity: PageIdentity, db: DatabaseDep, business: Business, **extra: Any
) -> Response:
    errors: list[str] = list(extra.pop("errors", []))
    try:
        active = await agent_definitions.current_definition(db, business.id)  # first read migrates an old business
    except StoredDefinitionInvalid as error:  # still editable: the operator saves a valid one over it
        active = None
        errors.append(str(error))
    history = await agent_definitions.list_versions(db, business.id)
    query = request.query_params
    turns: list[Turn] = extra.pop("turns", [])
    draft = extra.pop("draft", None)
    if draft is None and query.get("template"):
        try:
            draft = template_yaml(query["template"])
        except TemplateError as error:
            errors.append(str(error))
    if draft is None and active is not None:
        draft = definition_to_yaml(active.definition)
    old = _int(query.get("from")) or (history[1].version if len(history) > 1 else None)
    new = _int(query.get("to")) or (active.version if active else None)
    diff_html = ""
    if old and new and old != new:
        try:
            diff_html = (await diff_versions(db, business.id, old, new)).html
        except (AgentNotFound, StoredDefinitionInvalid) as error:
            errors.append(str(error))
    return render(
        request,
        "agent.html",
        identity=identity,
        business=business,
        active=active,
        history=history,
        draft=draft or "",
        templates=template_names(),
        diff_html=diff_html,
        diff_from=old,
        diff_to=new,
        errors=errors,
        problems=extra.pop("problems", []),
        note=extra.pop("note", ""),
        turns=turns,
        history_json=turns_to_form(turns),
        **extra,
    )


@router.get("")
async def agent_page(request: Request, identity: PageIdentity, db: DatabaseDep, business_id: str) -> Response:
    return await _page(request, identity, db, await _business(db, business_id))


@router.post("")
async def save_version(request: Request, identity: PageIdentity, db: DatabaseDep, business_id: str) -> Response:
    business = await _business(db, business_id)
    form = await request.form()
    text, note = str(form.get("definition", "")), str(form.get("note", ""))[:MAX_NOTE]
    return await _save(request, identity, db, business, text, note)


@router.post("/import")
async def import_yaml(request: Request, identity: PageIdentity, db: DatabaseDep, business_id: str) -> Response:
    business = await _business(db, business_id)
    form = await request.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return await _page(request, identity, db, business, errors=["choose a YAML file to import"], status_code=422)
    raw = await upload.read(MAX_YAML_BYTES + 1)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        problems = [f"{upload.filename}: not UTF-8 text (export a definition to see the format)"]
        return await _page(request, identity, db, business, problems=problems, status_code=422)
    return await _save(request, identity, db, business, text, f"imported from {upload.filename}"[:MAX_NOTE])


async def _save(
    request: Request, identity: PageIdentity, db: DatabaseDep, business: Business, text: str, note: str
) -> Response:
    try:
        await save_yaml(db, business.id, text, created_by=identity.operator.email, note=note)
    except DefinitionError as error:
        # The draft comes back as typed, with every problem beside it; nothing was stored.
        extra = {"draft": text, "note": note, "problems": error.problems, "status_code": 422}
        return await _page(request, identity, db, business, **extra)
    return see_other(f"/admin/businesses/{business.id}/agent", "saved")


@router.post("/activate")
async def activate(request: Request, identity: PageIdentity, db: DatabaseDep, business_id: str) -> Response:
    business = await _business(db, business_id)
    version = _int((await request.form()).get("version"))
    try:
        if version is None:
            raise AgentNotFound("choose a version to make active")
        await agent_definitions.activate_version(db, business.id, version, identity.operator.email)
    except LookupError as error:
        return await _page(request, identity, db, business, errors=[str(error)], status_code=422)
    return see_other(f"/admin/businesses/{business.id}/agent", "saved")


@router.post("/keypad-menu")
async def switch_keypad_menu(request: Request, identity: PageIdentity, db: DatabaseDep, business_id: str) -> Response:
    """The keypad menu before the agent on or off: a new version (the default menu added when there is none)."""
    business = await _business(db, business_id)
    enabled = (await request.form()).get("enabled") == "1"
    try:
        stored = await active_or_version(db, business.id, None)
        definition = with_menu(stored.definition, enabled=enabled)
    except (AgentNotFound, StoredDefinitionInvalid, KeypadMenuUnavailable) as error:
        return await _page(request, identity, db, business, errors=[str(error)], status_code=422)
    note = "keypad menu on" if enabled else "keypad menu off"
    await agent_definitions.save_definition(db, business.id, definition, identity.operator.email, note)
    return see_other(f"/admin/businesses/{business.id}/agent", "saved")


@router.get("/export.yaml")
async def export_yaml(request: Request, db: DatabaseDep, business_id: str) -> Response:
    business = await _business(db, business_id)
    try:
        stored = await active_or_version(db, business.id, _int(request.query_params.get("version")))
    except AgentNotFound as error:
        raise HTTPException(404, detail=str(error)) from error
    except StoredDefinitionInvalid as error:
        raise HTTPException(409, detail=str(error)) from error
    filename = f"{business.id}-agent-v{stored.version}.yaml"
    return Response(
        definition_to_yaml(stored.definition),
        media_type="application/yaml; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


@router.post("/try")
async def try_it(
    request: Request, identity: PageIdentity, db: DatabaseDep, settings: SettingsDep, business_id: str
) -> Response:
    business = await _business(db, business_id)
    form = await request.form()
    if form.get("restart"):
        return await _page(request, identity, db, business)
    turns = turns_from_form(str(form.get("history", "")))
    text = str(form.get("text", "")).strip()
    try:
        attempt = TryAgent(text=text, history=turns, version=_int(form.get("version")))
        stored = await active_or_version(db, business.id, attempt.version)
        url = (await worker_urls(db, settings))[0]
        reply = await try_agent(
            url, token=settings.worker_api_token, business_id=business.id, version=stored.version, attempt=attempt
        )
    except ValidationError as error:
        return await _page(request, identity, db, business, errors=error_messages(error), turns=turns, status_code=422)
    except (AgentNotFound, StoredDefinitionInvalid, WorkerUnavailable) as error:
        extra = {"errors": [str(error)], "turns": turns, "tried": text, "status_code": 502}
        return await _page(request, identity, db, business, **extra)
    turns = [*turns, Turn(role="caller", text=text), Turn(role="agent", text=reply.reply)]
    return await _page(request, identity, db, business, turns=turns, reply=reply)
