"""JSON API for phone numbers: /admin/api/numbers (list, search, buy, import, assign, remove)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import JSONResponse

from functions.admin.auth import api_identity
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
from functions.admin.twilio_numbers import NumberProviderError, TwilioNumbersDep
from functions.edge_app import DatabaseDep
from shared.repositories.phone_numbers import list_numbers, remove_number

router = APIRouter(prefix="/admin/api/numbers", dependencies=[Depends(api_identity)])


def _problem(error: NumberError) -> HTTPException:
    return HTTPException(error.status, detail=str(error))


@router.get("")
async def list_all(db: DatabaseDep) -> dict[str, Any]:
    return {"numbers": [asdict(number) for number in await list_numbers(db)]}


@router.get("/available")
async def available(
    twilio: TwilioNumbersDep,
    area_code: Annotated[str | None, Query(pattern=r"^\d{3}$")] = None,
    contains: Annotated[str | None, Query(pattern=r"^[0-9*]{1,10}$")] = None,
    country: Annotated[str, Query(pattern=r"^[A-Za-z]{2}$")] = "US",
) -> dict[str, Any]:
    try:
        found = await twilio.search(country=country, area_code=area_code, contains=contains)
    except NumberProviderError as error:
        raise HTTPException(502, detail=str(error)) from error
    return {"available": [asdict(number) for number in found]}


@router.get("/account")
async def account(twilio: TwilioNumbersDep, db: DatabaseDep) -> dict[str, Any]:
    try:
        owned = await twilio.account_numbers()
    except NumberProviderError as error:
        raise HTTPException(502, detail=str(error)) from error
    known = {number.e164 for number in await list_numbers(db)}
    return {"account_numbers": [{**asdict(number), "imported": number.e164 in known} for number in owned]}


@router.post("", status_code=201)
async def buy(body: BuyRequest, twilio: TwilioNumbersDep, db: DatabaseDep) -> JSONResponse:
    try:
        number = await buy_number(db, twilio, body)
    except NumberError as error:
        raise _problem(error) from error
    return JSONResponse(asdict(number), status_code=201)


@router.post("/import", status_code=201)
async def import_existing(body: ImportRequest, twilio: TwilioNumbersDep, db: DatabaseDep) -> JSONResponse:
    try:
        number = await import_number(db, twilio, body)
    except NumberError as error:
        raise _problem(error) from error
    return JSONResponse(asdict(number), status_code=201)


@router.patch("/{e164}")
async def assign(e164: str, body: AssignmentChanges, db: DatabaseDep) -> dict[str, Any]:
    try:
        number = await change_assignment(db, parse_e164(e164), body)
    except NumberError as error:
        raise _problem(error) from error
    return asdict(number)


@router.delete("/{e164}")
async def remove(e164: str, db: DatabaseDep) -> dict[str, Any]:
    try:
        normalized = parse_e164(e164)
    except NumberError as error:
        raise _problem(error) from error
    if not await remove_number(db, normalized):
        raise HTTPException(404, detail=f"{normalized} is not set up in BuddyHelps")
    return {"removed": normalized}
