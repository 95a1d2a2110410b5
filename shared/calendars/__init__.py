"""Booking visits in the business's real calendar (Google Calendar, Microsoft 365, CalDAV), with the
booking-link SMS as the fallback. The worker starts at `shared.calendars.factory.open_booking_desk` (it
imports the providers' clients, which only the worker installs); this package's top stays light so the
console can read and save a business's CalendarChoice."""

from shared.calendars.booking_desk import (
    Booked,
    BookingDesk,
    BookingLinkFallback,
    DeskRules,
    SlotGone,
    SlotsOffered,
    read_back,
)
from shared.calendars.calendar import Booking, Calendar, CalendarError, Slot, SlotTaken
from shared.calendars.calendar_choice import CalendarChoice, calendar_choice, save_calendar_choice

__all__ = [
    "Booked",
    "Booking",
    "BookingDesk",
    "BookingLinkFallback",
    "Calendar",
    "CalendarChoice",
    "CalendarError",
    "DeskRules",
    "Slot",
    "SlotGone",
    "SlotTaken",
    "SlotsOffered",
    "calendar_choice",
    "read_back",
    "save_calendar_choice",
]
