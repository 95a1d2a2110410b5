"""Console pages for outbound campaigns: create one for a business with the agent the operator picks (a
shipped outbound template, or the business's own outbound line) and a CSV upload or paste, follow each
call (status, fields, transcript and recording on the call's page), export the results."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from functions.admin.auth import PageIdentity, page_identity
from functions.admin.campaign_input import CampaignError, NewCampaign, create_campaign
from functions.admin.form_errors import error_messages
from functions.admin.rendering import render, see_other
from functions.edge_app import DatabaseDep
from shared.outbound import campaign_agents, campaigns
from shared.outbound.agent_choice import outbound_templates, own_outbound_line
from shared.outbound.campaign_results import campaign_results_csv, campaign_rows
from shared.outbound.csv_numbers import read_numbers
from shared.repositories import agent_definitions
from shared.repositories.businesses import list_businesses

router = APIRouter(prefix="/admin/campaigns", dependencies=[Depends(page_identity)])
MAX_UPLOAD_BYTES = 1 << 20
FIELDS = (
    "business_id",
    "agent",
    "name",
    "from_number",
    "calling_from",
    "calling_until",
    "max_attempts",
    "retry_base_s",
)


async def _list_page(request: Request, identity: PageIdentity, db: DatabaseDep, **extra: Any) -> Response:
    businesses = await list_businesses(db)
    own_lines = {b.id: await own_outbound_line(db, b.id) for b in businesses}
    return render(
        request,
        "campaigns.html",
        identity=identity,
        campaigns=await campaigns.list_campaigns(db),
        businesses=businesses,
        business_names={b.id: b.name for b in businesses},
        own_lines={business_id: line for business_id, line in own_lines.items() if line is not None},
        agent_templates=outbound_templates(),
        **extra,
    )


@router.get("")
async def campaigns_page(request: Request, identity: PageIdentity, db: DatabaseDep) -> Response:
    return await _list_page(request, identity, db)


@router.post("")
async def create(request: Request, identity: PageIdentity, db: DatabaseDep) -> Response:
    form = await request.form()
    values: dict[str, Any] = {name: str(form.get(name, "")) for name in (*FIELDS, "numbers_text")}
    try:
        text = values["numbers_text"] = await _numbers_text(form)  # shown again on a refusal: never sent twice
        new = NewCampaign.model_validate({**{name: values[name] for name in FIELDS}, "numbers": read_numbers(text)})
        campaign, rejected = await create_campaign(db, new, created_by=identity.operator.email)
    except ValidationError as error:
        return await _list_page(request, identity, db, errors=error_messages(error), form=values, status_code=422)
    except CampaignError as error:
        return await _list_page(request, identity, db, errors=[str(error)], form=values, status_code=error.status)
    if rejected:
        return await _campaign_page(request, identity, db, campaign.id, rejected=rejected)
    return see_other(f"/admin/campaigns/{campaign.id}", "created")


async def _numbers_text(form: FormData) -> str:
    """The uploaded CSV; without one, the `numbers_text` box (pasted, or kept from a refused try)."""
    upload = form.get("numbers")
    raw = await upload.read(MAX_UPLOAD_BYTES + 1) if upload is not None and not isinstance(upload, str) else b""
    typed = str(form.get("numbers_text", ""))
    if len(raw) > MAX_UPLOAD_BYTES or len(typed) > MAX_UPLOAD_BYTES:
        raise CampaignError("the CSV is over 1 MB", status=413)
    try:
        return raw.decode("utf-8-sig") if raw.strip() else typed
    except UnicodeDecodeError as error:
        raise CampaignError("the CSV is not UTF-8 text") from error


async def _campaign_page(
    request: Request, identity: PageIdentity, db: DatabaseDep, campaign_id: str, **extra: Any
) -> Response:
    campaign = await campaigns.get_campaign(db, campaign_id)
    if campaign is None:
        return render(request, "campaign.html", identity=identity, campaign=None, rows=[], status_code=404)
    rows = await campaign_rows(db, campaign)
    agent = await _pinned(db, campaign)
    return render(request, "campaign.html", identity=identity, campaign=campaign, agent=agent, rows=rows, **extra)


async def _pinned(db: DatabaseDep, campaign: campaigns.Campaign) -> agent_definitions.StoredDefinition | None:
    """The agent the campaign's calls run, as pinned; None when it is gone or no longer validates."""
    try:
        return await campaign_agents.definition_of(db, campaign.agent)
    except agent_definitions.StoredDefinitionInvalid:
        return None


@router.get("/{campaign_id}")
async def campaign_page(request: Request, identity: PageIdentity, db: DatabaseDep, campaign_id: str) -> Response:
    return await _campaign_page(request, identity, db, campaign_id)


@router.get("/{campaign_id}/results.csv")
async def campaign_csv(db: DatabaseDep, campaign_id: str) -> Response:
    text = await campaign_results_csv(db, campaign_id)
    if text is None:
        return Response(status_code=404, content="no such campaign")
    headers = {"Content-Disposition": f'attachment; filename="{campaign_id}-results.csv"'}
    return Response(content=text, media_type="text/csv; charset=utf-8", headers=headers)
