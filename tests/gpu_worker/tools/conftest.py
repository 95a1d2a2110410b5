"""The calendar fixtures (a real Radicale CalDAV server) for the book_visit tool's tests."""

from tests.shared.calendars.conftest import caldav_calendar_url, radicale

__all__ = ["caldav_calendar_url", "radicale"]
