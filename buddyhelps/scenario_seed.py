"""Seeding the business a scenario calls (`[business]` in its TOML): created from its template through the
same path as `buddyhelps business add --template`, then its number, people, calendar choice and worker.

Seeding again (a second demo run in the same data folder) keeps the business and brings the rest back to
what the scenario says: its people, calendar, and — with `open_now` — a clock where it is open now."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import available_timezones

from buddyhelps.simulator.scenario_business import ScenarioBusiness
from shared.agents.business_definition import from_template
from shared.agents.opening_hours import hours_now
from shared.business_from_template import add_business_from_template
from shared.calendars.calendar_choice import CalendarChoice, Provider, save_calendar_choice
from shared.database import Database
from shared.people.directory import Contact, ContactKind, save_contact
from shared.repositories import agent_definitions, businesses, phone_numbers, workers

OWNER_PHONE = "+15550109990"  # fictional (555-01xx): the owner's texts stay in the outbox
_ZONE_ORDER = ("America/", "Pacific/", "Europe/", "Africa/", "Asia/", "Australia/")
OPEN_FOR = timedelta(hours=2)  # open_now: a clock where the business is open now and this long after


class ScenarioSeedError(RuntimeError):
    """The scenario's business cannot be seeded as asked (e.g. no time zone where it is open now)."""


@dataclass(frozen=True, kw_only=True)
class SeededBusiness:
    business_id: str
    name: str
    number: str
    timezone: str


async def seed_scenario_business(
    db: Database,
    business: ScenarioBusiness,
    *,
    worker_url: str,
    worker_capacity: int,
    calendar_url: str = "",
    now: datetime | None = None,
) -> SeededBusiness:
    """`calendar_url`: the CalDAV calendar for `calendar = "caldav"` (the demo starts the server)."""
    timezone = _timezone(business, now or datetime.now(UTC))
    business_id = "biz_scn_" + hashlib.sha256(business.number.encode()).hexdigest()[:12]
    existing = await businesses.get_business(db, business_id)
    if existing is None:
        await add_business_from_template(
            db,
            template=business.template,
            name=business.name,
            owner_phone=OWNER_PHONE,
            owner_email=f"owner@{business_id.replace('_', '-')}.example",
            timezone=timezone,
            business_id=business_id,
            created_by="scenario",
        )
    elif existing.timezone != timezone:  # open_now chose another clock than last time
        definition = from_template(business.template, timezone=timezone)
        await agent_definitions.save_definition(db, business_id, definition, "scenario", "open now in " + timezone)
        await businesses.update_business(db, business_id, timezone=timezone)
    await workers.register_worker(db, base_url=worker_url, capacity=worker_capacity)
    if await phone_numbers.get_number(db, business.number) is None:
        await phone_numbers.add_number(db, e164=business.number, business_id=business_id, mode="live")
    for index, person in enumerate(business.people):
        contact = Contact(
            id=f"{business_id}-{index}",
            name=person.name,
            kind=_kind(person.kind),
            phone=person.phone,
            email=person.email,
            aliases=person.aliases,
            transfers=person.transfers,
        )
        await save_contact(db, business_id, contact)
    await save_calendar_choice(db, business_id, _calendar(business, calendar_url))
    return SeededBusiness(business_id=business_id, name=business.name, number=business.number, timezone=timezone)


def _timezone(business: ScenarioBusiness, now: datetime) -> str:
    template_zone = from_template(business.template).facts.hours
    default = template_zone.timezone if template_zone is not None else "America/New_York"
    if not business.open_now:
        return business.timezone or default
    # Open for a while yet, not only this minute: `demo --tool-timings` seeds once and calls for an hour.
    for still_open_at in (now + OPEN_FOR, now):
        for zone in _zones_to_try(default):
            hours = from_template(business.template, timezone=zone).facts.hours
            if hours is None or (hours_now(hours, now).open_now and hours_now(hours, still_open_at).open_now):
                return zone
    raise ScenarioSeedError(f"the {business.template} template's hours are open nowhere at {now:%a %H:%M} UTC")


def _zones_to_try(first: str) -> list[str]:
    """The template's own zone first, then whole-hour zones by region (each tried once)."""
    zones = sorted(z for z in available_timezones() if z.startswith(_ZONE_ORDER))
    return [first, *sorted(zones, key=lambda z: next(i for i, p in enumerate(_ZONE_ORDER) if z.startswith(p)))]


def _calendar(business: ScenarioBusiness, calendar_url: str) -> CalendarChoice:
    provider: Provider = "caldav" if business.calendar == "caldav" else "none"
    if provider == "caldav" and not calendar_url:
        raise ScenarioSeedError("calendar = 'caldav' needs a CalDAV calendar (the demo starts Radicale for it)")
    return CalendarChoice(provider=provider, calendar_id=calendar_url, booking_link_url=business.booking_link)


def _kind(kind: str) -> ContactKind:
    return "department" if kind == "department" else "person"
