"""Fixtures for the calendar tests: a Denver plumber's hours, the Google/Microsoft fake on loopback, and a
real Radicale CalDAV server (one per session; each test books into its own calendar)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import time

import pytest

from shared.agents.definition import OpeningHours, TimeRange
from tests.calendar_fakes import CalendarFake, running_calendar_fake
from tests.radicale_server import RadicaleServer, start_radicale

DAY = [TimeRange(opens=time(8), closes=time(17))]
DENVER_HOURS = OpeningHours(
    timezone="America/Denver", weekly={"mon": DAY, "tue": DAY, "wed": DAY, "thu": DAY, "fri": DAY}
)


@pytest.fixture
def hours() -> OpeningHours:
    return DENVER_HOURS


@pytest.fixture
def calendar_fake() -> Iterator[CalendarFake]:
    with running_calendar_fake() as fake:
        yield fake


@pytest.fixture(scope="session")
def radicale(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RadicaleServer]:
    server = start_radicale(tmp_path_factory.mktemp("radicale"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def caldav_calendar_url(radicale: RadicaleServer) -> str:
    """A new, empty calendar collection on the Radicale server."""
    return radicale.new_calendar()
