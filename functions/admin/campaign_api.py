"""JSON API for outbound campaigns (`Authorization: Bearer` an operator's API token): create one with a
list of numbers, read its calls, export its results."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError

from functions.admin.auth import ApiIdentity, api_identity
from functions.admin.campaign_input import CampaignError, NewCampaign, create_campaign
from functions.admin.form_errors import error_messages
from functions.edge_app import DatabaseDep
from shared.outbound import campaigns
from shared.outbound.campaign_results import campaign_results_csv, campaign_rows

router = APIRouter(prefix="/admin/api/campaigns", dependencies=[Depends(api_identity)])


@router.post("")
async def create(body: dict[str, Any], identity: ApiIdentity, db: DatabaseDep) -> JSONResponse:
    """`agent`: an outbound template's name (e.g. "preop_reminder"); left out, the business's own line."""
    numbers = body.get("numbers")
    if isinstance(numbers, list):  # "+1212…" or {"number": …, "label": …}
        body = {**body, "numbers": [_entry(item) for item in numbers]}
    try:
        campaign, rejected = await create_campaign(
            db, NewCampaign.model_validate(body), created_by=identity.operator.email
        )
    except ValidationError as error:
        return JSONResponse({"errors": error_messages(error)}, status_code=422)
    except CampaignError as error:
        return JSONResponse({"errors": [str(error)]}, status_code=error.status)
    rejected_rows = [{"number": r.raw, "reason": r.reason} for r in rejected]
    return JSONResponse({"id": campaign.id, "rejected": rejected_rows}, status_code=201)


def _entry(item: Any) -> tuple[str, str]:
    if isinstance(item, dict):
        return str(item.get("number", "")), str(item.get("label", ""))
    return str(item), ""


@router.get("/{campaign_id}")
async def read(db: DatabaseDep, campaign_id: str) -> JSONResponse:
    campaign = await campaigns.get_campaign(db, campaign_id)
    if campaign is None:
        return JSONResponse({"errors": ["no such campaign"]}, status_code=404)
    calls = [
        {
            "number": row.job.to_number,
            "label": row.job.label,
            "status": row.job.status,
            "attempts": row.job.attempts,
            "last_outcome": row.job.last_outcome,
            "call_id": row.call.id if row.call else None,
            "fields": row.call.fields if row.call else [],
        }
        for row in await campaign_rows(db, campaign)
    ]
    agent = {"purpose": campaign.agent_purpose, "version": campaign.agent_version}
    body = {"id": campaign.id, "name": campaign.name, "business_id": campaign.business_id, "agent": agent}
    return JSONResponse({**body, "calls": calls})


@router.get("/{campaign_id}/results.csv")
async def results(db: DatabaseDep, campaign_id: str) -> Response:
    text = await campaign_results_csv(db, campaign_id)
    if text is None:
        return JSONResponse({"errors": ["no such campaign"]}, status_code=404)
    return Response(content=text, media_type="text/csv; charset=utf-8")
