"""What an operator may send to create or change a business (console form or JSON API), checked."""

from __future__ import annotations

import re
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

from functions.owner_language import BUSINESS_LANGUAGES
from shared.agents.business_definition import from_template
from shared.agents.definition import AgentDefinition
from shared.agents.templates import template_names
from shared.database import Database
from shared.phone_format import InvalidPhoneNumber, normalize_e164
from shared.repositories import agent_definitions
from shared.repositories.businesses import Business

# The agents' English voices the worker prepares (gpu_worker/models/model_files.py KOKORO_VOICES); the
# other prepared voices are Spanish (chosen per language in the definition) or kept for test callers.
VOICES = ("af_heart", "af_bella", "am_michael")
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
    language: str | None = None  # the owner's messages and call page are written in it
    # How long call recordings are kept (recorded when the agent definition has `record_calls`).
    recording_retention_days: int | None = Field(None, ge=1, le=3650)

    @field_validator("language")
    @classmethod
    def _language(cls, value: str | None) -> str | None:
        if value is not None and value not in BUSINESS_LANGUAGES:
            raise ValueError(f"unknown language {value[:20]!r} (one of: {', '.join(BUSINESS_LANGUAGES)})")
        return value

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
        """What the businesses table holds (the greeting and the template go to the agent definition)."""
        return {
            key: value for key, value in self.model_dump(exclude={"greeting", "template"}).items() if value is not None
        }


class NewBusiness(BusinessChanges):
    name: str = Field(min_length=1, max_length=120)
    owner_phone: str
    template: str = "plumbing"  # the agent it starts with (`buddyhelps agent templates`)

    @field_validator("template")
    @classmethod
    def _known_template(cls, value: str) -> str:
        if value not in template_names():
            raise ValueError(f"no template {value[:40]!r}; templates: {', '.join(template_names())}")
        return value


async def start_agent(db: Database, business: Business, template: str, *, created_by: str) -> int:
    """The new business's agent: the template, with its hours in the business's time zone."""
    definition = from_template(template, timezone=business.timezone)
    return await agent_definitions.save_definition(
        db, business.id, definition, created_by, f"from the {template} template"
    )


async def current_greeting(db: Database, business: Business) -> str:
    stored = await agent_definitions.current_definition(db, business.id)
    if stored is None:
        return ""
    definition = stored.definition
    return definition.greeting[definition.default_language]


async def save_greeting(db: Database, business: Business, greeting: str, *, created_by: str) -> bool:
    """A new agent version with this greeting (in the agent's first language) when it changed; True when
    one was written. Calls read the greeting from the agent definition."""
    greeting = greeting.strip()
    stored = await agent_definitions.current_definition(db, business.id)
    if stored is None or not greeting:
        return False
    definition = stored.definition
    language = definition.default_language
    if definition.greeting.get(language) == greeting:
        return False
    changed = AgentDefinition.model_validate(
        {**definition.model_dump(mode="json"), "greeting": {**definition.greeting, language: greeting}}
    )
    await agent_definitions.save_definition(
        db, business.id, changed, created_by, "greeting changed on the business page"
    )
    return True
