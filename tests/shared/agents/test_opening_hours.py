"""Open now? Open on a day? Next opening? From a definition's hours, time zone and holidays."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from shared.agents.definition import Holiday, OpeningHours, TimeRange
from shared.agents.opening_hours import hours_now, open_on

CHICAGO = ZoneInfo("America/Chicago")
WEEKDAY = [TimeRange(opens=time(7), closes=time(18))]
HOURS = OpeningHours(
    timezone="America/Chicago",
    weekly={"mon": WEEKDAY, "tue": WEEKDAY, "wed": WEEKDAY, "thu": WEEKDAY, "fri": WEEKDAY},
    holidays=[Holiday(day=date(2026, 12, 25), name="Christmas Day")],
)


def test_open_on_a_weekday_morning_until_the_evening() -> None:
    state = hours_now(HOURS, datetime(2026, 11, 30, 9, 0, tzinfo=CHICAGO))
    assert state.open_now
    assert state.closes == datetime(2026, 11, 30, 18, 0, tzinfo=CHICAGO)


def test_a_caller_in_another_time_zone_gets_the_business_clock() -> None:
    # GIVEN 8:30 in New York, which is 7:30 in Chicago WHEN asked THEN it is open
    assert hours_now(HOURS, datetime(2026, 11, 30, 8, 30, tzinfo=ZoneInfo("America/New_York"))).open_now


def test_closed_on_a_holiday_and_the_next_opening_skips_the_weekend() -> None:
    state = hours_now(HOURS, datetime(2026, 12, 25, 10, 0, tzinfo=CHICAGO))
    assert not state.open_now
    assert state.holiday is not None
    assert state.holiday.name == "Christmas Day"
    assert state.next_opening is not None
    assert state.next_opening.opens.date() == date(2026, 12, 28)


def test_a_range_past_midnight_belongs_to_the_day_it_started() -> None:
    late = OpeningHours(timezone="America/Chicago", weekly={"fri": [TimeRange(opens=time(18), closes=time(2))]})
    assert hours_now(late, datetime(2026, 12, 5, 1, 0, tzinfo=CHICAGO)).open_now  # Saturday 1 am
    assert not hours_now(late, datetime(2026, 12, 5, 3, 0, tzinfo=CHICAGO)).open_now


def test_hours_stay_right_across_the_dst_change() -> None:
    # GIVEN the Sunday clocks go back (2026-11-01) and a business open Sundays 1:00-3:00
    sunday = OpeningHours(timezone="America/Chicago", weekly={"sun": [TimeRange(opens=time(1), closes=time(3))]})
    # WHEN asked at 8:30 UTC (2:30 CST, after the change) THEN it is open; at 9:30 UTC (3:30) closed
    assert hours_now(sunday, datetime(2026, 11, 1, 8, 30, tzinfo=ZoneInfo("UTC"))).open_now
    assert not hours_now(sunday, datetime(2026, 11, 1, 9, 30, tzinfo=ZoneInfo("UTC"))).open_now
    # AND a day in summer time opens at 1:00 local, i.e. 6:00 UTC
    assert open_on(sunday, date(2026, 7, 5))[0].opens.astimezone(ZoneInfo("UTC")).hour == 6


def test_closed_days_have_no_openings() -> None:
    assert open_on(HOURS, date(2026, 12, 5)) == []
