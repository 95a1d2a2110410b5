"""Free slots from opening hours minus busy times, on the business's clock, across DST changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from shared.agents.definition import Holiday, OpeningHours, TimeRange
from shared.calendars.calendar import Slot
from shared.calendars.slot_finder import find_slots
from tests.shared.calendars.conftest import DENVER_HOURS

DENVER = ZoneInfo("America/Denver")
HOUR = timedelta(hours=1)


def _starts(slots: list[Slot]) -> list[str]:
    return [slot.start.strftime("%a %H:%M") for slot in slots]


def test_a_day_is_its_opening_hours_less_what_is_booked() -> None:
    # GIVEN a Denver plumber open 8–17 with a job 10:00–11:30 on Tuesday
    job = Slot(datetime(2026, 12, 1, 10, tzinfo=DENVER), datetime(2026, 12, 1, 11, 30, tzinfo=DENVER))
    # WHEN hour-long slots on half hours are looked for that Tuesday, asked the Monday before
    slots = find_slots(
        DENVER_HOURS,
        [job],
        day_from=date(2026, 12, 1),
        day_to=date(2026, 12, 1),
        duration=HOUR,
        now=datetime(2026, 11, 30, 12, tzinfo=DENVER),
    )
    # THEN every slot avoids the job and ends by closing time, on the business's clock
    assert _starts(slots) == [
        "Tue 08:00", "Tue 08:30", "Tue 09:00", "Tue 11:30", "Tue 12:00", "Tue 12:30", "Tue 13:00",
        "Tue 13:30", "Tue 14:00", "Tue 14:30", "Tue 15:00", "Tue 15:30", "Tue 16:00",
    ]  # fmt: skip
    assert all(slot.start.tzinfo == DENVER for slot in slots)


def test_no_slot_in_the_past_nor_inside_the_lead_time() -> None:
    # GIVEN it is 10:05 on Monday in Denver (17:05 UTC) and a visit needs two hours' notice
    now = datetime(2026, 11, 30, 17, 5, tzinfo=UTC)
    slots = find_slots(
        DENVER_HOURS,
        [],
        day_from=date(2026, 11, 30),
        day_to=date(2026, 11, 30),
        duration=HOUR,
        now=now,
        lead_time=timedelta(hours=2),
    )
    # THEN the first slot is 12:30, the first half hour after 12:05
    assert _starts(slots)[0] == "Mon 12:30"


def test_closed_days_and_holidays_have_no_slots() -> None:
    christmas = DENVER_HOURS.model_copy(update={"holidays": [Holiday(day=date(2026, 12, 25), name="Christmas")]})
    slots = find_slots(
        christmas,
        [],
        day_from=date(2026, 12, 25),  # a Friday holiday, then the weekend
        day_to=date(2026, 12, 27),
        duration=HOUR,
        now=datetime(2026, 12, 20, tzinfo=DENVER),
    )
    assert slots == []


def test_the_dst_week_keeps_local_opening_times_and_real_durations() -> None:
    # GIVEN the week Denver's clocks go back (Sunday 2026-11-01, 2:00 MDT → 1:00 MST), open every day 8–17
    every_day = {day: [TimeRange(opens=time(8), closes=time(17))] for day in DENVER_HOURS.weekly}
    hours = OpeningHours(timezone="America/Denver", weekly={**every_day, "sat": every_day["mon"]})
    slots = find_slots(
        hours,
        [],
        day_from=date(2026, 10, 30),
        day_to=date(2026, 11, 2),
        duration=HOUR,
        now=datetime(2026, 10, 29, tzinfo=DENVER),
        step=HOUR,
    )
    # THEN Friday and Monday both open at 8:00 local, which is 14:00 UTC before the change and 15:00 after
    friday = [s for s in slots if s.start.date() == date(2026, 10, 30)]
    monday = [s for s in slots if s.start.date() == date(2026, 11, 2)]
    assert friday[0].start.astimezone(UTC).hour == 14
    assert monday[0].start.astimezone(UTC).hour == 15
    assert len(friday) == len(monday) == 9
    # AND every slot lasts one real hour
    assert {slot.end - slot.start for slot in slots} == {HOUR}
    assert {(slot.end.astimezone(UTC) - slot.start.astimezone(UTC)) for slot in slots} == {HOUR}


def test_a_night_opening_over_the_clock_change_gets_its_extra_hour() -> None:
    # GIVEN an emergency line open Saturday 20:00 to Sunday 06:00, the night Denver's clocks go back
    nights = OpeningHours(timezone="America/Denver", weekly={"sat": [TimeRange(opens=time(20), closes=time(6))]})
    slots = find_slots(
        nights,
        [],
        day_from=date(2026, 10, 31),
        day_to=date(2026, 10, 31),
        duration=HOUR,
        now=datetime(2026, 10, 30, tzinfo=DENVER),
        step=HOUR,
    )
    # THEN that night holds eleven real hours, and 1:00 comes twice (MDT, then MST)
    assert len(slots) == 11
    local = [slot.start.strftime("%H:%M %Z") for slot in slots]
    assert "01:00 MDT" in local
    assert "01:00 MST" in local
