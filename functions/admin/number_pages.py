"""Console page for phone numbers: the list, search-and-buy, import from the account, reassign."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel, ValidationError

from functions.admin.auth import PageIdentity, page_identity
from functions.admin.form_errors import error_messages
from functions.admin.number_actions import (
    AssignmentChanges,
    BuyRequest,
    ImportRequest,
    NumberError,
    buy_number,
    change_assignment,
    import_number,
    parse_e164,
)
from functions.admin.rendering import render, see_other
from functions.admin.twilio_numbers import AccountNumber, AvailableNumber, NumberProviderError, TwilioNumbersDep
from functions.edge_app import DatabaseDep
from shared.repositories.businesses import list_businesses
from shared.repositories.phone_numbers import list_numbers, remove_number
from shared.repositories.workers import list_workers

router = APIRouter(prefix="/admin/numbers", dependencies=[Depends(page_identity)])


async def _page(
    request: Request, identity: PageIdentity, db: DatabaseDep, twilio: TwilioNumbersDep, **extra: Any
) -> Response:
    params = request.query_params
    errors: list[str] = list(extra.pop("errors", []))
    available: list[AvailableNumber] = []
    account: list[AccountNumber] = []
    numbers = await list_numbers(db)
    try:
        if params.get("area_code") or params.get("contains"):
            available = await twilio.search(
                area_code=params.get("area_code") or None, contains=params.get("contains") or None
            )
        if params.get("account"):
            known = {number.e164 for number in numbers}
            account = [number for number in await twilio.account_numbers() if number.e164 not in known]
    except NumberProviderError as error:
        errors.append(str(error))
    businesses = await list_businesses(db)
    return render(
        request,
        "numbers.html",
        identity=identity,
        numbers=numbers,
        business_names={business.id: business.name for business in businesses},
        businesses=businesses,
        workers=await list_workers(db),
        available=available,
        account=account,
        searched=bool(params.get("area_code") or params.get("contains")),
        errors=errors,
        **extra,
    )


@router.get("")
async def numbers_page(request: Request, identity: PageIdentity, db: DatabaseDep, twilio: TwilioNumbersDep) -> Response:
    return await _page(request, identity, db, twilio)


async def _form(request: Request, *names: str) -> dict[str, str]:
    form = await request.form()
    return {name: str(form.get(name, "")).strip() for name in names if form.get(name) is not None}


async def _apply(
    request: Request, identity: PageIdentity, db: DatabaseDep, twilio: TwilioNumbersDep, model: type[BaseModel]
) -> tuple[BaseModel | None, Response | None]:
    values = await _form(request, "e164", "twilio_sid", "business_id", "mode", "worker_id")
    try:
        return model.model_validate(values), None
    except ValidationError as error:
        response = await _page(request, identity, db, twilio, errors=error_messages(error), status_code=422)
        return None, response


@router.post("/buy")
async def buy(request: Request, identity: PageIdentity, db: DatabaseDep, twilio: TwilioNumbersDep) -> Response:
    body, failed = await _apply(request, identity, db, twilio, BuyRequest)
    if failed is not None:
        return failed
    assert isinstance(body, BuyRequest)
    try:
        await buy_number(db, twilio, body)
    except NumberError as error:
        return await _page(request, identity, db, twilio, errors=[str(error)], status_code=error.status)
    return see_other("/admin/numbers", "bought")


@router.post("/import")
async def import_existing(
    request: Request, identity: PageIdentity, db: DatabaseDep, twilio: TwilioNumbersDep
) -> Response:
    body, failed = await _apply(request, identity, db, twilio, ImportRequest)
    if failed is not None:
        return failed
    assert isinstance(body, ImportRequest)
    try:
        await import_number(db, twilio, body)
    except NumberError as error:
        return await _page(request, identity, db, twilio, errors=[str(error)], status_code=error.status)
    return see_other("/admin/numbers", "imported")


@router.post("/assign")
async def assign(request: Request, identity: PageIdentity, db: DatabaseDep, twilio: TwilioNumbersDep) -> Response:
    values = await _form(request, "e164", "business_id", "mode", "worker_id")
    try:
        e164 = parse_e164(values.pop("e164", ""))
        await change_assignment(db, e164, AssignmentChanges.model_validate(values))
    except ValidationError as error:
        return await _page(request, identity, db, twilio, errors=error_messages(error), status_code=422)
    except NumberError as error:
        return await _page(request, identity, db, twilio, errors=[str(error)], status_code=error.status)
    return see_other("/admin/numbers", "saved")


@router.post("/remove")
async def remove(request: Request, identity: PageIdentity, db: DatabaseDep, twilio: TwilioNumbersDep) -> Response:
    values = await _form(request, "e164")
    try:
        e164 = parse_e164(values.get("e164", ""))
    except NumberError as error:
        return await _page(request, identity, db, twilio, errors=[str(error)], status_code=error.status)
    await remove_number(db, e164)
    return see_other("/admin/numbers", "removed")
