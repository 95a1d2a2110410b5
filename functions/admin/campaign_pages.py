"""Console pages for outbound campaigns: create one from a business's outbound agent and a CSV upload,
follow each call (status, fields, transcript and recording on the call's page), export the results."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError

from functions.admin.auth import PageIdentity, page_identity
from functions.admin.campaign_input import CampaignError, NewCampaign, create_campaign
from functions.admin.form_errors import error_messages
from functions.admin.rendering import render, see_other
from functions.edge_app import DatabaseDep
from shared.outbound import campaigns
from shared.outbound.campaign_results import campaign_results_csv, campaign_rows
from shared.outbound.csv_numbers import read_numbers
from shared.repositories.businesses import list_businesses

router = APIRouter(prefix="/admin/campaigns", dependencies=[Depends(page_identity)])
MAX_UPLOAD_BYTES = 1 << 20
FIELDS = ("business_id", "name", "from_number", "calling_from", "calling_until", "max_attempts", "retry_base_s")


async def _list_page(request: Request, identity: PageIdentity, db: DatabaseDep, **extra: Any) -> Response:
    businesses = await list_businesses(db)
    return render(
        request,
        "campaigns.html",
        identity=identity,
        campaigns=await campaigns.list_campaigns(db),
        businesses=businesses,
        business_names={b.id: b.name for b in businesses},
        **extra,
    )


@router.get("")
async def campaigns_page(request: Request, identity: PageIdentity, db: DatabaseDep) -> Response:
    return await _list_page(request, identity, db)


@router.post("")
async def create(request: Request, identity: PageIdentity, db: DatabaseDep) -> Response:
    form = await request.form()
    values: dict[str, Any] = {name: str(form.get(name, "")) for name in FIELDS}
    upload = form.get("numbers")
    raw = await upload.read(MAX_UPLOAD_BYTES + 1) if upload is not None and not isinstance(upload, str) else b""
    if len(raw) > MAX_UPLOAD_BYTES:
        return await _list_page(request, identity, db, errors=["the CSV is over 1 MB"], form=values, status_code=413)
    try:
        new = NewCampaign.model_validate({**values, "numbers": read_numbers(raw.decode("utf-8-sig"))})
        campaign, rejected = await create_campaign(db, new)
    except UnicodeDecodeError:
        return await _list_page(
            request, identity, db, errors=["the CSV is not UTF-8 text"], form=values, status_code=422
        )
    except ValidationError as error:
        return await _list_page(request, identity, db, errors=error_messages(error), form=values, status_code=422)
    except CampaignError as error:
        return await _list_page(request, identity, db, errors=[str(error)], form=values, status_code=error.status)
    if rejected:
        return await _campaign_page(request, identity, db, campaign.id, rejected=rejected)
    return see_other(f"/admin/campaigns/{campaign.id}", "created")


async def _campaign_page(
    request: Request, identity: PageIdentity, db: DatabaseDep, campaign_id: str, **extra: Any
) -> Response:
    campaign = await campaigns.get_campaign(db, campaign_id)
    if campaign is None:
        return render(request, "campaign.html", identity=identity, campaign=None, rows=[], status_code=404)
    return render(
        request, "campaign.html", identity=identity, campaign=campaign, rows=await campaign_rows(db, campaign), **extra
    )


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
