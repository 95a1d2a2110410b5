"""JSON API for a business's agent: /admin/api/businesses/{id}/agent (active definition, versions, a new
version from YAML, activate, diff, try it) and /admin/api/agent-templates."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import JSONResponse

from functions.admin.agent_input import (
    AgentNotFound,
    DefinitionError,
    NewAgentVersion,
    TryAgent,
    active_or_version,
    diff_versions,
    save_yaml,
)
from functions.admin.agent_try import try_agent
from functions.admin.auth import ApiIdentity, api_identity
from functions.admin.worker_client import WorkerUnavailable, worker_urls
from functions.edge_app import DatabaseDep, SettingsDep
from shared.agents.templates import load_template, template_names
from shared.agents.yaml_io import definition_to_yaml
from shared.repositories import agent_definitions
from shared.repositories.agent_definitions import StoredDefinition, StoredDefinitionInvalid
from shared.repositories.businesses import get_business

router = APIRouter(prefix="/admin/api", dependencies=[Depends(api_identity)])
AGENT = "/businesses/{business_id}/agent"


async def _require_business(db: DatabaseDep, business_id: str) -> str:
    if await get_business(db, business_id) is None:
        raise HTTPException(404, detail="no such business")
    return business_id


BusinessId = Annotated[str, Depends(_require_business)]


def _stored(stored: StoredDefinition) -> dict[str, Any]:
    return {
        "version": stored.version,
        "active": stored.active,
        "created_by": stored.created_by,
        "created_at": stored.created_at,
        "note": stored.note,
        "definition": stored.definition.model_dump(mode="json"),
        "yaml": definition_to_yaml(stored.definition),
    }


async def _found(db: DatabaseDep, business_id: str, version: int | None) -> StoredDefinition:
    try:
        return await active_or_version(db, business_id, version)
    except AgentNotFound as error:
        raise HTTPException(404, detail=str(error)) from error
    except StoredDefinitionInvalid as error:
        raise HTTPException(409, detail=str(error)) from error


@router.get(AGENT)
async def active_agent(business_id: BusinessId, db: DatabaseDep) -> dict[str, Any]:
    return _stored(await _found(db, business_id, None))


@router.get(AGENT + "/versions")
async def versions(business_id: BusinessId, db: DatabaseDep) -> dict[str, Any]:
    await agent_definitions.current_definition(db, business_id)  # a business from before gets its first
    return {"versions": [asdict(summary) for summary in await agent_definitions.list_versions(db, business_id)]}


@router.get(AGENT + "/versions/{version}")
async def one_version(business_id: BusinessId, version: int, db: DatabaseDep) -> dict[str, Any]:
    return _stored(await _found(db, business_id, version))


@router.post(AGENT, status_code=201)
async def new_version(
    business_id: BusinessId, body: NewAgentVersion, identity: ApiIdentity, db: DatabaseDep
) -> JSONResponse:
    try:
        version = await save_yaml(db, business_id, body.yaml, created_by=identity.operator.email, note=body.note)
    except DefinitionError as error:
        return JSONResponse({"detail": "the agent definition is invalid", "problems": error.problems}, status_code=422)
    return JSONResponse({"version": version}, status_code=201)


@router.post(AGENT + "/versions/{version}/activate")
async def activate(business_id: BusinessId, version: int, identity: ApiIdentity, db: DatabaseDep) -> dict[str, int]:
    try:
        await agent_definitions.activate_version(db, business_id, version, identity.operator.email)
    except LookupError as error:
        raise HTTPException(404, detail=str(error)) from error
    return {"version": version}


@router.get(AGENT + "/diff")
async def diff(
    business_id: BusinessId,
    db: DatabaseDep,
    old: Annotated[int, Query(alias="from", ge=1)],
    new: Annotated[int, Query(alias="to", ge=1)],
) -> dict[str, Any]:
    try:
        found = await diff_versions(db, business_id, old, new)
    except AgentNotFound as error:
        raise HTTPException(404, detail=str(error)) from error
    except StoredDefinitionInvalid as error:
        raise HTTPException(409, detail=str(error)) from error
    return {"from": old, "to": new, "html": found.html, "unified": found.unified}


@router.post(AGENT + "/try")
async def try_it(business_id: BusinessId, body: TryAgent, db: DatabaseDep, settings: SettingsDep) -> dict[str, Any]:
    stored = await _found(db, business_id, body.version)
    url = (await worker_urls(db, settings))[0]
    try:
        reply = await try_agent(
            url, token=settings.worker_api_token, business_id=business_id, version=stored.version, attempt=body
        )
    except WorkerUnavailable as error:
        raise HTTPException(502, detail=str(error)) from error
    return asdict(reply)


@router.get("/agent-templates")
async def templates() -> dict[str, Any]:
    shown = []
    for name in template_names():
        definition = load_template(name)
        shown.append({"name": name, "title": definition.name, "direction": definition.direction})
    return {"templates": shown}
