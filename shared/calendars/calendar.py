"""What every calendar provider offers: its busy times and a booking, with the errors a caller-facing tool
can act on (the slot went meanwhile: offer another; the provider failed: text a booking link)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol


class CalendarError(Exception):
    """The provider failed (down, refused our credentials, answered nonsense); the message says which and how."""


class SlotTaken(Exception):
    """Someone else booked the slot between our offer and our booking; ours was not kept."""

    def __init__(self, slot: Slot) -> None:
        super().__init__(f"the slot {slot.start.isoformat()}–{slot.end.isoformat()} was taken meanwhile")
        self.slot = slot


@dataclass(frozen=True)
class Slot:
    start: datetime  # aware; in the business's time zone when it came from the slot finder
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("a slot needs time-zone-aware start and end")
        # Compared in UTC: Python compares two times of one zone by the wall clock, wrong across a DST fold.
        if self.end.astimezone(UTC) <= self.start.astimezone(UTC):
            raise ValueError(f"a slot must end after it starts ({self.start.isoformat()} → {self.end.isoformat()})")

    def overlaps(self, other: Slot) -> bool:
        start, end = self.start.astimezone(UTC), self.end.astimezone(UTC)
        return start < other.end.astimezone(UTC) and other.start.astimezone(UTC) < end


@dataclass(frozen=True)
class Booking:
    provider: str  # "google" | "microsoft" | "caldav"
    event_id: str
    slot: Slot
    title: str


def event_text(description: str, attendee_phone: str) -> str:
    """The event's visible notes: what the call gathered, then the number to call the customer back on."""
    return "\n\n".join(
        part for part in (description.strip(), f"Caller: {attendee_phone}" if attendee_phone else "") if part
    )


class Calendar(Protocol):
    """One business's calendar. `busy` lists what blocks the window; `book` creates the visit or raises
    SlotTaken (checked after creating, so two callers racing for one slot get exactly one booking)."""

    @property
    def provider(self) -> str: ...

    async def busy(self, *, start: datetime, end: datetime) -> list[Slot]: ...

    async def book(self, *, slot: Slot, title: str, description: str, attendee_phone: str) -> Booking: ...
