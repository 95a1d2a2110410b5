"""Who keeps a slot two bookings raced for. Every provider creates first, then re-reads the slot's window:
the event created first (the server's clock, then its id) wins, every later one is removed. Both racers
apply the same rule to the same events, so exactly one keeps the slot."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from shared.calendars.calendar import Booking, CalendarError, Slot, SlotTaken

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class EventStamp:
    event_id: str
    created: datetime  # aware; as the provider recorded it


def keeps_slot(ours: str, overlapping: list[EventStamp]) -> bool:
    """True when our event (`ours`, among `overlapping`) is the one to keep."""
    if not any(stamp.event_id == ours for stamp in overlapping):
        return False  # our event vanished (someone removed it): we do not hold the slot
    first = min(overlapping, key=lambda stamp: (stamp.created, stamp.event_id))
    return first.event_id == ours


class EventStore(Protocol):
    """The three event operations the double-booking check needs from a provider."""

    async def create(self, *, slot: Slot, title: str, description: str, attendee_phone: str) -> str: ...

    async def overlapping(self, slot: Slot) -> list[EventStamp]: ...

    async def remove(self, event_id: str) -> None: ...


async def book_checked(
    store: EventStore, *, provider: str, slot: Slot, title: str, description: str, attendee_phone: str
) -> Booking:
    """Create the event, then keep it only if it is the first in its slot (SlotTaken otherwise). When the
    check itself fails, ours is removed too: a booking we cannot vouch for must not stay in the calendar."""
    event_id = await store.create(slot=slot, title=title, description=description, attendee_phone=attendee_phone)
    try:
        kept = keeps_slot(event_id, await store.overlapping(slot))
    except CalendarError:
        await _remove_quietly(store, provider, event_id)
        raise
    if not kept:
        await _remove_quietly(store, provider, event_id)
        raise SlotTaken(slot)
    return Booking(provider=provider, event_id=event_id, slot=slot, title=title)


async def _remove_quietly(store: EventStore, provider: str, event_id: str) -> None:
    try:
        await store.remove(event_id)
    except CalendarError:
        # The caller still gets SlotTaken or the original error; the owner sees the stray event.
        logger.warning("calendar_event_not_removed", extra={"provider": provider, "event_id": event_id})
