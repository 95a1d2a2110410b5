"""What an extractor is given and what it returns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class FieldContext:
    language: str  # the call's language now ("en", "es")
    now: datetime  # timezone-aware, in the business's time zone: "tomorrow" is relative to it
    caller_id: str = ""  # E.164 or "" when withheld
    region: str = "US"  # where national numbers without a country code belong


@dataclass(frozen=True)
class FieldValue:
    value: str  # normalised: E.164, ISO date, HH:MM, decimal amount, option value, "yes"/"no", text
    spoken: str  # how the agent reads it back in the call's language
