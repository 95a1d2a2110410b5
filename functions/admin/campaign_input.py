"""Creating a campaign from the console or the JSON API: the input checked, the numbers queued."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

from shared.database import Database
from shared.outbound import campaigns
from shared.outbound.agent_choice import OWN_LINE, AgentChoiceError, chosen_agent
from shared.outbound.calling_rules import BadNumber, CallingHours, normalized_number

_HOURS = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")
MAX_NUMBERS = 10_000


class CampaignError(ValueError):
    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.status = status


class NewCampaign(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    business_id: str = Field(min_length=1, max_length=100)
    name: str = Field(default="campaign", min_length=1, max_length=100)
    from_number: str = Field(min_length=2, max_length=20)
    calling_from: str = "09:00"
    calling_until: str = "20:00"
    max_attempts: int = Field(default=3, ge=1, le=10)
    retry_base_s: int = Field(default=900, ge=1, le=86400)
    calls_per_minute: int = Field(default=6, ge=1, le=600)
    agent: str = Field(default=OWN_LINE, max_length=100)  # an outbound template's name; "": the business's own
    numbers: list[tuple[str, str]] = Field(min_length=1, max_length=MAX_NUMBERS)

    @field_validator("calling_from", "calling_until")
    @classmethod
    def _clock(cls, value: str) -> str:
        if not _HOURS.match(value):
            raise ValueError("a time of day as HH:MM, e.g. 09:00")
        return value

    @field_validator("from_number")
    @classmethod
    def _from(cls, value: str) -> str:
        try:
            return normalized_number(value)
        except BadNumber as error:
            raise ValueError(str(error)) from error

    def hours(self) -> CallingHours:
        start, end = (int(t[:2]) * 60 + int(t[3:]) for t in (self.calling_from, self.calling_until))
        if start >= end:
            raise CampaignError("calling hours must start before they end")
        return CallingHours(start, end)


async def create_campaign(
    db: Database, new: NewCampaign, *, created_by: str
) -> tuple[campaigns.Campaign, list[campaigns.RejectedNumber]]:
    """The campaign, its agent pinned (`new.agent`: an outbound template, or the business's own outbound
    line), and the numbers of the list that were not queued."""
    try:
        agent = await chosen_agent(db, new.business_id, new.agent)
    except AgentChoiceError as error:
        raise CampaignError(str(error), status=error.status) from error
    hours = new.hours()
    campaign = await campaigns.create_campaign(
        db,
        business_id=new.business_id,
        name=new.name,
        from_number=new.from_number,
        hours=hours,
        max_attempts=new.max_attempts,
        retry_base_s=new.retry_base_s,
        calls_per_minute=new.calls_per_minute,
        agent=agent,
        created_by=created_by,
    )
    _, rejected = await campaigns.add_numbers(db, campaign, new.numbers)
    return campaign, rejected
