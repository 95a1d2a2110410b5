"""Keyword corrections from the console: checked input, duplicates as clear errors, and the preview box."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from shared.database import Database, DatabaseError
from shared.keyword_correction import CorrectionRule, KeywordCorrector
from shared.repositories.businesses import get_business
from shared.repositories.keyword_corrections import (
    InvalidCorrection,
    KeywordCorrection,
    add_correction,
    corrections_for,
    update_correction,
)


class KeywordError(ValueError):
    def __init__(self, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


class CorrectionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    heard: str = Field(max_length=100)
    corrected: str = Field(max_length=100)


class NewCorrection(CorrectionBody):
    business_id: str | None = Field(None, max_length=64)  # None or "": every business


class PreviewRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(max_length=2000)
    business_id: str | None = Field(None, max_length=64)


async def create(db: Database, body: NewCorrection) -> KeywordCorrection:
    business_id = body.business_id or None
    if business_id and await get_business(db, business_id) is None:
        raise KeywordError(f"no business with id {business_id!r}", status=404)
    try:
        return await add_correction(db, heard=body.heard, corrected=body.corrected, business_id=business_id)
    except InvalidCorrection as error:
        raise KeywordError(str(error), status=422) from error
    except DatabaseError as error:
        raise KeywordError(_duplicate(body.heard, business_id), status=409) from error


async def change(db: Database, correction_id: int, body: CorrectionBody) -> None:
    try:
        found = await update_correction(db, correction_id, heard=body.heard, corrected=body.corrected)
    except InvalidCorrection as error:
        raise KeywordError(str(error), status=422) from error
    except DatabaseError as error:
        raise KeywordError(_duplicate(body.heard, None), status=409) from error
    if not found:
        raise KeywordError("no such correction", status=404)


def _duplicate(heard: str, business_id: str | None) -> str:
    where = "this business" if business_id else "this scope"
    return f"there is already a correction for {heard.strip()!r} in {where}: edit that one instead"


async def preview(db: Database, request: PreviewRequest) -> tuple[str, str]:
    """(before, after): the sentence as heard, and with the business's and global corrections applied."""
    rules = await corrections_for(db, request.business_id or None)
    corrector = KeywordCorrector(CorrectionRule(rule.heard, rule.corrected) for rule in rules)
    return request.text, corrector.apply(request.text)
