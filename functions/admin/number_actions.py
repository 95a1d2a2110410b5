"""Setting up a phone number for a business: checks first, then Twilio, then the database."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from functions.admin.twilio_numbers import NumberProviderError, TwilioNumbers
from shared.database import Database
from shared.phone_format import InvalidPhoneNumber, normalize_e164
from shared.repositories.businesses import get_business
from shared.repositories.phone_numbers import PhoneNumber, add_number, assign_number, get_number
from shared.repositories.workers import get_worker


class NumberError(ValueError):
    """A number request that cannot be done; `status` is the HTTP status the API answers with."""

    def __init__(self, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


class Assignment(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    business_id: str = Field(min_length=1, max_length=64)
    mode: Literal["demo", "live"] = "live"
    worker_id: str | None = Field(None, max_length=64)  # None or "": any healthy worker


class BuyRequest(Assignment):
    e164: str

    @field_validator("e164")
    @classmethod
    def _e164(cls, value: str) -> str:
        try:
            return normalize_e164(value)
        except InvalidPhoneNumber as error:
            raise ValueError(str(error)) from error


class ImportRequest(Assignment):
    twilio_sid: str = Field(pattern=r"^PN[0-9a-fA-F]{32}$")


class AssignmentChanges(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    business_id: str | None = Field(None, min_length=1, max_length=64)
    mode: Literal["demo", "live"] | None = None
    worker_id: str | None = Field(None, max_length=64)  # "": back to any healthy worker


def parse_e164(value: str) -> str:
    try:
        return normalize_e164(value)
    except InvalidPhoneNumber as error:
        raise NumberError(str(error), status=422) from error


async def _check_assignment(db: Database, *, business_id: str | None, worker_id: str | None) -> None:
    if business_id is not None and await get_business(db, business_id) is None:
        raise NumberError(f"no business with id {business_id!r}", status=404)
    if worker_id and await get_worker(db, worker_id) is None:
        raise NumberError(f"no worker with id {worker_id!r}", status=404)


async def _refuse_duplicate(db: Database, e164: str) -> None:
    if await get_number(db, e164) is not None:
        raise NumberError(f"{e164} is already set up in BuddyHelps", status=409)


async def buy_number(db: Database, twilio: TwilioNumbers, request: BuyRequest) -> PhoneNumber:
    await _refuse_duplicate(db, request.e164)
    await _check_assignment(db, business_id=request.business_id, worker_id=request.worker_id)
    try:
        sid = await twilio.buy(request.e164)
    except NumberProviderError as error:
        raise NumberError(str(error), status=502) from error
    return await add_number(
        db,
        e164=request.e164,
        business_id=request.business_id,
        mode=request.mode,
        worker_id=request.worker_id or None,
        twilio_sid=sid,
    )


async def import_number(db: Database, twilio: TwilioNumbers, request: ImportRequest) -> PhoneNumber:
    await _check_assignment(db, business_id=request.business_id, worker_id=request.worker_id)
    try:
        owned = {number.sid: number for number in await twilio.account_numbers()}
    except NumberProviderError as error:
        raise NumberError(str(error), status=502) from error
    number = owned.get(request.twilio_sid)
    if number is None:
        raise NumberError(f"the Twilio account has no number with sid {request.twilio_sid}", status=404)
    await _refuse_duplicate(db, number.e164)
    try:
        await twilio.point_at_buddyhelps(number.sid)
    except NumberProviderError as error:
        raise NumberError(str(error), status=502) from error
    return await add_number(
        db,
        e164=number.e164,
        business_id=request.business_id,
        mode=request.mode,
        worker_id=request.worker_id or None,
        twilio_sid=number.sid,
    )


async def change_assignment(db: Database, e164: str, changes: AssignmentChanges) -> PhoneNumber:
    if await get_number(db, e164) is None:
        raise NumberError(f"{e164} is not set up in BuddyHelps", status=404)
    await _check_assignment(db, business_id=changes.business_id, worker_id=changes.worker_id)
    updated = await assign_number(
        db,
        e164,
        business_id=changes.business_id,
        mode=changes.mode,
        worker_id=changes.worker_id or None,
        clear_worker=changes.worker_id == "",
    )
    assert updated is not None
    return updated
