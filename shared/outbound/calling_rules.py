"""When a number may be called: numbers checked with `phonenumbers`, the callee's local calling hours.

The callee's time zone comes from the number's region (phonenumbers' timezone module). A number whose
region spans several zones may be called only when it is within hours in every one of them: calling
someone at 7 am because we guessed the wrong zone is worse than calling an hour later.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from phonenumbers import timezone as number_timezone

UNKNOWN_ZONE = "Etc/Unknown"


class BadNumber(ValueError):
    """A number that cannot be dialled; the message says why."""


def normalized_number(raw: str, *, default_region: str = "US") -> str:
    """The E.164 form of `raw`, or BadNumber naming what is wrong with it."""
    try:
        parsed = phonenumbers.parse(raw.strip(), default_region)
    except phonenumbers.NumberParseException as error:
        raise BadNumber(f"{raw!r} is not a phone number ({error})") from error
    if not phonenumbers.is_valid_number(parsed):
        raise BadNumber(f"{raw!r} is not a valid number in any region")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def callee_zones(e164: str) -> tuple[ZoneInfo, ...]:
    """The time zones the number's region may be in; BadNumber when none is known."""
    zones = []
    for name in number_timezone.time_zones_for_number(phonenumbers.parse(e164)):
        if name == UNKNOWN_ZONE:
            continue
        try:
            zones.append(ZoneInfo(name))
        except ZoneInfoNotFoundError:
            continue
    if not zones:
        raise BadNumber(f"no time zone is known for {e164}")
    return tuple(zones)


@dataclass(frozen=True)
class CallingHours:
    """Local minutes of the day within which a callee may be rung: [start, end)."""

    start_minute: int = 9 * 60
    end_minute: int = 20 * 60

    def allows(self, e164: str, at: datetime) -> bool:
        return all(self._inside(at.astimezone(zone)) for zone in callee_zones(e164))

    def next_allowed(self, e164: str, at: datetime) -> datetime:
        """The first moment from `at` (to the minute) when calling `e164` is allowed."""
        moment = at
        for _ in range(0, 2 * 24 * 60, 15):
            if self.allows(e164, moment):
                return moment
            moment = (moment + timedelta(minutes=15)).replace(second=0, microsecond=0)
        raise BadNumber(f"{e164} has no calling hours in common across its time zones")

    def _inside(self, local: datetime) -> bool:
        minute = local.hour * 60 + local.minute
        return self.start_minute <= minute < self.end_minute


def retry_delay_s(*, attempt: int, base_s: int) -> int:
    """Backoff after a failed attempt: base, 2×base, 4×base, ... (attempt counts from 1)."""
    return int(base_s * 2 ** max(0, attempt - 1))
