"""The one thing the `book_visit` tool talks to: offer slots that fit the caller's wish, book the one they
take, and say plainly when booking is not possible so the caller is texted the booking link instead.

Every outcome is a value, never an exception: a calendar that is missing, down or refusing us becomes
BookingLinkFallback; a slot taken meanwhile becomes SlotGone with the nearest free alternatives.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from shared.agents.definition import OpeningHours
from shared.agents.fields import lexicon_for
from shared.agents.fields.spoken import spoken_date, spoken_time
from shared.calendars.calendar import Booking, Calendar, CalendarError, Slot, SlotTaken
from shared.calendars.caller_wish import CallerWish, fitting, understand_wish
from shared.calendars.slot_finder import find_slots, search_window

logger = logging.getLogger(__name__)
FallbackReason = Literal["no_calendar", "calendar_failed", "no_free_slot"]


@dataclass(frozen=True)
class SlotsOffered:
    slots: tuple[Slot, ...]  # best first, on the business's clock
    matches_wish: bool  # False: nothing fitted the wish; these are the next free slots instead


@dataclass(frozen=True)
class Booked:
    booking: Booking


@dataclass(frozen=True)
class SlotGone:
    alternatives: tuple[Slot, ...]  # the free slots nearest the one that went (may be empty)


@dataclass(frozen=True)
class BookingLinkFallback:
    reason: FallbackReason
    url: str | None  # for the caller's SMS; None: no link configured (the owner calls back instead)
    detail: str  # for logs and the call record; never holds credentials


@dataclass(frozen=True)
class DeskRules:
    hours: OpeningHours
    visit: timedelta = timedelta(hours=1)
    lead_time: timedelta = timedelta(hours=2)  # the soonest a visit may start after the call
    horizon: timedelta = timedelta(days=14)  # how far ahead free slots are looked for
    offers: int = 3  # slots offered at once


class BookingDesk:
    def __init__(
        self, calendar: Calendar | None, rules: DeskRules, *, booking_link: str | None, unavailable: str = ""
    ) -> None:
        self._calendar = calendar
        self._rules = rules
        self._link = booking_link
        self._unavailable = unavailable or "no calendar is configured"
        self._zone = ZoneInfo(rules.hours.timezone)

    async def offer(self, wish: str, *, language: str, now: datetime) -> SlotsOffered | BookingLinkFallback:
        """Free slots fitting the caller's words ("tomorrow at 9"); the next free ones when none fit."""
        local_now = now.astimezone(self._zone)
        return await self._offer(understand_wish(wish, language=language, now=local_now), local_now)

    async def book(
        self, slot: Slot, *, title: str, description: str, attendee_phone: str, now: datetime
    ) -> Booked | SlotGone | BookingLinkFallback:
        if self._calendar is None:
            return self._fallback("no_calendar", self._unavailable)
        if slot.start.astimezone(UTC) < now.astimezone(UTC) + self._rules.lead_time:
            return await self._gone(slot, now)  # an offer made earlier in the call that is now too soon
        try:
            booking = await self._calendar.book(
                slot=slot, title=title, description=description, attendee_phone=attendee_phone
            )
        except SlotTaken:
            return await self._gone(slot, now)
        except CalendarError as error:
            return self._fallback("calendar_failed", str(error))
        logger.info("visit_booked", extra={"provider": booking.provider, "starts": slot.start.isoformat()})
        return Booked(booking)

    async def _offer(self, wish: CallerWish, now: datetime) -> SlotsOffered | BookingLinkFallback:
        if self._calendar is None:
            return self._fallback("no_calendar", self._unavailable)
        rules = self._rules
        day_from, day_to = now.date(), (now + rules.horizon).date()
        if wish.day is not None and wish.day > day_to:
            # "the 20th of next month": look from that day on (one horizon long, as busy-time APIs cap windows)
            day_from, day_to = wish.day, wish.day + rules.horizon
        start, end = search_window(rules.hours, day_from, day_to)
        try:
            busy = await self._calendar.busy(start=start, end=end)
        except CalendarError as error:
            return self._fallback("calendar_failed", str(error))
        free = find_slots(
            rules.hours,
            busy,
            day_from=day_from,
            day_to=day_to,
            duration=rules.visit,
            now=now,
            lead_time=rules.lead_time,
        )
        if not free:
            minutes = int(rules.visit.total_seconds() // 60)
            return self._fallback(
                "no_free_slot", f"no free {minutes}-minute slot in the next {rules.horizon.days} days"
            )
        fits = fitting(free, wish, self._zone)
        if fits:
            return SlotsOffered(tuple(fits[: rules.offers]), matches_wish=True)
        return SlotsOffered(tuple(free[: rules.offers]), matches_wish=False)

    async def _gone(self, slot: Slot, now: datetime) -> SlotGone | BookingLinkFallback:
        local = slot.start.astimezone(self._zone)
        offered = await self._offer(CallerWish(day=local.date(), at=local.time()), now.astimezone(self._zone))
        if isinstance(offered, BookingLinkFallback):
            return offered
        return SlotGone(tuple(s for s in offered.slots if s != slot))

    def _fallback(self, reason: FallbackReason, detail: str) -> BookingLinkFallback:
        logger.warning("booking_link_fallback", extra={"reason": reason, "detail": detail})
        return BookingLinkFallback(reason=reason, url=self._link, detail=detail)


def read_back(slot: Slot, *, language: str, zone: ZoneInfo) -> str:
    """The slot as the agent says it ("Tuesday, December 1 at 9 AM"), on the business's clock."""
    lex = lexicon_for(language)
    start = slot.start.astimezone(zone)
    return f"{spoken_date(start.date(), lex)}, {spoken_time(start.hour, start.minute, lex)}"
