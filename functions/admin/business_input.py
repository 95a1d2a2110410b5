"""What an operator may send to create or change a business (console form or JSON API), checked."""

from __future__ import annotations

import re
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

from shared.database import Database
from shared.phone_format import InvalidPhoneNumber, normalize_e164
from shared.repositories.businesses import Business
from shared.repositories.prompts import add_prompt_version, current_prompt

VOICES = ("af_heart", "af_bella", "af_sarah", "am_michael", "am_adam", "bf_emma", "bm_george")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_VOICE = re.compile(r"^[a-z]{2}_[a-z0-9_]{1,30}$")


class BusinessChanges(BaseModel):
    """Fields left out (None) are not changed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str | None = Field(None, min_length=1, max_length=120)
    owner_phone: str | None = None
    owner_email: str | None = Field(None, max_length=200)
    timezone: str | None = None
    opening_hours: str | None = Field(None, max_length=500)
    greeting: str | None = Field(None, max_length=500)
    voice: str | None = None
    enabled: bool | None = None

    @field_validator("owner_phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return normalize_e164(value)
        except InvalidPhoneNumber as error:
            raise ValueError(str(error)) from error

    @field_validator("owner_email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value and not _EMAIL.match(value):
            raise ValueError(f"not an email address: {value[:60]!r}")
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {value[:40]!r} (use a name like America/Chicago)") from error
        return value

    @field_validator("voice")
    @classmethod
    def _voice(cls, value: str | None) -> str | None:
        if value is not None and not _VOICE.match(value):
            raise ValueError(f"unknown voice {value[:40]!r}")
        return value

    def business_fields(self) -> dict[str, Any]:
        return {key: value for key, value in self.model_dump(exclude={"greeting"}).items() if value is not None}


class NewBusiness(BusinessChanges):
    name: str = Field(min_length=1, max_length=120)
    owner_phone: str


def default_system_prompt(business: Business) -> str:
    hours = f" Opening hours: {business.opening_hours}." if business.opening_hours else ""
    return (
        f"You are the friendly phone receptionist for {business.name}. Take a message for the owner: the caller's"
        " name, the problem, how urgent it is, the address, and a callback number. Ask for one missing detail at a"
        " time. Never promise prices, arrival times or appointments." + hours
    )


async def save_greeting(db: Database, business: Business, greeting: str, *, created_by: str) -> bool:
    """A new live prompt version when the greeting changed; True when one was written."""
    greeting = greeting.strip()
    current = await current_prompt(db, business_id=business.id, mode="live")
    if not greeting or (current is not None and current.greeting == greeting):
        return False
    system_prompt = current.system_prompt if current else default_system_prompt(business)
    await add_prompt_version(
        db, business_id=business.id, mode="live", system_prompt=system_prompt, greeting=greeting, created_by=created_by
    )
    return True
