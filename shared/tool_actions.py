"""What the worker's tools ask the functions to do during a call (POST /api/tool-action, HMAC-signed like
the call report): deliver a message taken for a person, text the caller a booking confirmation or link."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

TOOL_ACTION_PATH = "/api/tool-action"
ToolActionKind = Literal["message", "booking_confirmed", "booking_link"]


class ToolAction(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: ToolActionKind
    call_sid: str = Field(min_length=2, max_length=64)
    business_id: str | None = Field(default=None, max_length=64)
    from_number: str = Field(max_length=32)  # the caller
    to_number: str = Field(max_length=32)  # the business number they called
    # a message: for whom (as said), who it reached, from whom, the callback and the words
    for_whom: str = Field(default="", max_length=120)
    contact_name: str = Field(default="", max_length=120)
    contact_phone: str = Field(default="", max_length=32)
    contact_email: str = Field(default="", max_length=254)
    from_name: str = Field(default="", max_length=120)
    callback: str = Field(default="", max_length=40)
    message: str = Field(default="", max_length=2000)
    # a booking: when (UTC, ISO) on which clock, or the link to book online
    starts_utc: str = Field(default="", max_length=40)
    timezone: str = Field(default="", max_length=64)
    booking_url: str | None = Field(default=None, max_length=500)
    language: Literal["en", "es"] = "en"  # the call's language: what the caller is texted is written in it
