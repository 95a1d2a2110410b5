"""The book_visit tool: free slots that fit the caller's wish from the business's calendar desk, the one
they take booked, the confirmation read back and texted. No calendar, or it fails: the caller is texted
the booking link instead (the desk never raises; every outcome is a value)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Protocol
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from gpu_worker.tools.tool import ToolContext, ToolResult
from shared.calendars import Booked, BookingDesk, BookingLinkFallback, Slot, SlotGone, SlotsOffered, read_back
from shared.calendars.caller_wish import fitting, understand_wish

LINES = {
    "en": {
        "offer": "I have {slots}. Which suits you?",
        "no_fit": "Nothing is free then. The next free times are {slots}. Would one of those work?",
        "or": "or",
        "booked": "You're booked for {when}. I've texted you the confirmation.",
        "gone": "Sorry, that time was just taken.",
        "link": "I can't book that during the call, so I've texted you a link to pick a time.",
        "no_link": "I can't book that during the call, so someone will call you back to set a time.",
    },
    "es": {
        "offer": "Tengo {slots}. ¿Cuál le viene bien?",
        "no_fit": "No hay nada libre entonces. Lo próximo libre es {slots}. ¿Le sirve alguno?",
        "or": "o",
        "booked": "Queda reservado para el {when}. Le he enviado la confirmación por mensaje.",
        "gone": "Perdone, esa hora se acaba de ocupar.",
        "link": "No puedo reservarlo durante la llamada; le he enviado un enlace para elegir la hora.",
        "no_link": "No puedo reservarlo durante la llamada; alguien le llamará para fijar la hora.",
    },
}
_YES = re.compile(r"\b(yes|yeah|yep|sure|ok(ay)?|please do|that works|perfect|s[ií]|vale|perfecto)\b", re.IGNORECASE)
_ORDINALS = {"first": 0, "second": 1, "third": 2, "primera": 0, "segunda": 1, "tercera": 2, "1": 0, "2": 1, "3": 2}


class VisitArguments(BaseModel):
    model_config = ConfigDict(extra="forbid")
    wish: Annotated[str, Field(max_length=300, description="when the caller wants the visit, in their words")] = ""
    choice: Annotated[str, Field(max_length=120, description="which offered time the caller took, in their words")] = ""
    about: Annotated[str, Field(max_length=500, description="what the visit is for (the event's notes)")] = ""


class CallerTexts(Protocol):
    async def booking_confirmed(self, *, starts_utc: str, timezone: str, language: str) -> bool: ...

    async def booking_link(self, *, url: str | None, language: str) -> bool: ...


class BookVisitTool:
    name = "book_visit"
    arguments = VisitArguments
    timeout_s = 10.0
    acts = True  # a booking; its offers are read-only but share the tool

    def __init__(self, context: ToolContext, desk: BookingDesk, texts: CallerTexts, *, timezone: str) -> None:
        self._context, self._desk, self._texts = context, desk, texts
        self._zone = ZoneInfo(timezone)
        self.offered: tuple[Slot, ...] = ()  # the slots last offered on this call
        self.booked: Booked | None = None

    async def run(self, arguments: BaseModel, *, language: str) -> ToolResult:
        args = VisitArguments.model_validate(arguments.model_dump())
        words = LINES.get(language) or LINES["en"]
        now = self._context.now()
        chosen = self._chosen(args.choice, language, now) if self.offered and args.choice else None
        if chosen is not None:
            return await self._book(chosen, args.about, words, language, now)
        offer = await self._desk.offer(args.wish or args.choice, language=language, now=now)
        if isinstance(offer, BookingLinkFallback):
            return await self._link(offer, words, language)
        # Always offered first, even an exact match: a misheard day or time must not be booked unheard.
        return self._offer(offer, words, language)

    def _offer(self, offer: SlotsOffered | SlotGone, words: dict[str, str], language: str) -> ToolResult:
        slots = offer.slots if isinstance(offer, SlotsOffered) else offer.alternatives
        self.offered = slots
        said = [read_back(slot, language=language, zone=self._zone) for slot in slots]
        listed = ", ".join(said[:-1]) + f" {words['or']} {said[-1]}" if len(said) > 1 else "".join(said)
        fits = isinstance(offer, SlotsOffered) and offer.matches_wish
        line = (words["offer"] if fits else words["no_fit"]).format(slots=listed)
        prefix = words["gone"] + " " if isinstance(offer, SlotGone) else ""
        return ToolResult(prefix + line, {"booking": "offered", "slots": ";".join(s.start.isoformat() for s in slots)})

    async def _book(self, slot: Slot, about: str, words: dict[str, str], language: str, now: datetime) -> ToolResult:
        title = f"Visit: {self._context.business_name}"
        done = await self._desk.book(
            slot, title=title, description=about, attendee_phone=self._context.caller_number, now=now
        )
        if isinstance(done, BookingLinkFallback):
            return await self._link(done, words, language)
        if isinstance(done, SlotGone):
            if not done.alternatives:
                gone = BookingLinkFallback("no_free_slot", None, "no alternative left")
                return await self._link(gone, words, language)
            return self._offer(done, words, language)
        self.booked, self.offered = done, ()
        starts = slot.start.astimezone(ZoneInfo("UTC")).isoformat()
        await self._texts.booking_confirmed(starts_utc=starts, timezone=str(self._zone), language=language)
        when = read_back(slot, language=language, zone=self._zone)
        return ToolResult(words["booked"].format(when=when), {"booking": "booked", "starts": starts})

    async def _link(self, fallback: BookingLinkFallback, words: dict[str, str], language: str) -> ToolResult:
        sent = await self._texts.booking_link(url=fallback.url, language=language)
        line = words["link"] if fallback.url and sent else words["no_link"]
        return ToolResult(line, {"booking": "link", "reason": fallback.reason, "sent": "yes" if sent else "no"})

    def _chosen(self, choice: str, language: str, now: datetime) -> Slot | None:
        for word in re.findall(r"\w+", choice.lower()):
            if word in _ORDINALS and _ORDINALS[word] < len(self.offered):
                return self.offered[_ORDINALS[word]]
        wish = understand_wish(choice, language=language, now=now.astimezone(self._zone))
        if wish.at is None and wish.day is None:
            return self.offered[0] if _YES.search(choice) else None  # "yes, that works": the first one offered
        fits = fitting(list(self.offered), wish, self._zone)
        return fits[0] if fits else None
