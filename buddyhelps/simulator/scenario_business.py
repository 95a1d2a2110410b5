"""What a scenario says about the business it calls and the outcome it expects, read from its TOML.

`[business]` names a template (`electrician`, `hvac`, `front_desk`...) and what the demo seeds with it:
its number, its people and departments (`[[business.people]]`), its calendar (`"none"`: the caller is
texted `booking_link`; `"caldav"`: a real CalDAV server for the call), whether its hours are open at the
time of the call (`open_now`: the business's clock is put in a time zone where they are), and what a
number rung by a transfer does (`dial_answer`). `[expect]` is what the call must have done: a tool used,
words heard from the agent, a text or email in the outbox, how a transfer's dial ended, the call's outcome.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, get_args

from buddyhelps.simulator.scenario_fields import ScenarioError, refuse_unknown_keys, string
from shared.agents.definition import ToolName
from shared.agents.templates import TemplateError, load_template

CALENDARS = ("none", "caldav")
DIAL_ANSWERS = ("no-answer", "completed", "busy", "failed")  # the first is the default
TOOLS: tuple[str, ...] = get_args(ToolName)
_BUSINESS_KEYS = frozenset(
    {"template", "name", "number", "timezone", "open_now", "calendar", "booking_link", "dial_answer", "people"}
)
_PERSON_KEYS = frozenset({"name", "kind", "phone", "email", "aliases", "transfers"})
_EXPECT_KEYS = frozenset({"tool", "heard_contains", "outbox_contains", "outbox_to", "dial", "outcome"})


@dataclass(frozen=True, kw_only=True)
class ScenarioPerson:
    name: str
    kind: str = "person"  # person | department
    phone: str = ""
    email: str = ""
    aliases: tuple[str, ...] = ()
    transfers: bool = True


@dataclass(frozen=True, kw_only=True)
class ScenarioBusiness:
    template: str
    name: str
    number: str  # the number the caller dials
    timezone: str = ""  # "": the template's
    open_now: bool = False
    calendar: str = "none"  # see CALENDARS
    booking_link: str = ""
    dial_answer: str = "no-answer"  # see DIAL_ANSWERS
    people: tuple[ScenarioPerson, ...] = ()


@dataclass(frozen=True, kw_only=True)
class ScenarioExpect:
    """Empty fields expect nothing."""

    tool: str = ""  # a tool the agent used (its outcome ok)
    heard_contains: str = ""  # words in what the caller heard from the agent (case-insensitive)
    outbox_contains: str = ""  # words in a text or email the call sent (case-insensitive)
    outbox_to: str = ""  # ...sent to this number or address (not the owner's report, which quotes the call)
    dial: str = ""  # how a transfer's <Dial> ended (see DIAL_ANSWERS)
    outcome: str = ""  # the call's outcome (agent_hung_up, transferred...)

    @property
    def empty(self) -> bool:
        return not (self.tool or self.heard_contains or self.outbox_contains or self.dial or self.outcome)


def parse_business(raw: object, *, source: str, scenario_name: str) -> ScenarioBusiness | None:
    if raw is None:
        return None
    where = f"{source}: [business]"
    if not isinstance(raw, dict):
        raise ScenarioError(f"{where} must be a table")
    refuse_unknown_keys(raw, _BUSINESS_KEYS, where=where)
    template = string(raw, "template", "", where=where)
    try:
        loaded = load_template(template)
    except TemplateError as error:
        raise ScenarioError(f"{where}: template: {error}") from error
    if loaded.direction != "inbound":
        raise ScenarioError(f"{where}: template {template!r} places outbound calls; a scenario calls a business")
    business = ScenarioBusiness(
        template=template,
        name=string(raw, "name", f"Scenario {template.replace('_', ' ').title()}", where=where),
        number=string(raw, "number", _number_for(scenario_name), where=where),
        timezone=string(raw, "timezone", "", where=where),
        open_now=_flag(raw, "open_now", False, where=where),
        calendar=_choice(raw, "calendar", CALENDARS, where=where),
        booking_link=string(raw, "booking_link", "", where=where),
        dial_answer=_choice(raw, "dial_answer", DIAL_ANSWERS, where=where),
        people=_people(raw.get("people", []), where=where),
    )
    if not business.number.startswith("+") or not business.number[1:].isdigit():
        raise ScenarioError(f"{where}: number must be E.164 (+ and digits), not {business.number!r}")
    if business.booking_link and not business.booking_link.startswith("https://"):
        raise ScenarioError(f"{where}: booking_link must be an https:// address")
    if business.timezone and business.open_now:
        raise ScenarioError(f"{where}: give timezone or open_now, not both (open_now chooses the time zone)")
    return business


def parse_expect(raw: object, *, source: str) -> ScenarioExpect:
    if raw is None:
        return ScenarioExpect()
    where = f"{source}: [expect]"
    if not isinstance(raw, dict):
        raise ScenarioError(f"{where} must be a table")
    refuse_unknown_keys(raw, _EXPECT_KEYS, where=where)
    expect = ScenarioExpect(
        tool=string(raw, "tool", "", where=where),
        heard_contains=string(raw, "heard_contains", "", where=where).strip(),
        outbox_contains=string(raw, "outbox_contains", "", where=where).strip(),
        outbox_to=string(raw, "outbox_to", "", where=where).strip(),
        dial=string(raw, "dial", "", where=where),
        outcome=string(raw, "outcome", "", where=where),
    )
    if expect.outbox_to and not expect.outbox_contains:
        raise ScenarioError(f"{where}: outbox_to says who gets the words in outbox_contains; give both")
    if expect.tool and expect.tool not in TOOLS:
        raise ScenarioError(f"{where}: tool must be one of {', '.join(TOOLS)}, not {expect.tool!r}")
    if expect.dial and expect.dial not in DIAL_ANSWERS:
        raise ScenarioError(f"{where}: dial must be one of {', '.join(DIAL_ANSWERS)}, not {expect.dial!r}")
    return expect


def _people(raw: object, *, where: str) -> tuple[ScenarioPerson, ...]:
    if not isinstance(raw, list):
        raise ScenarioError(f"{where}: people must be an array of tables ([[business.people]])")
    people = []
    for index, entry in enumerate(raw):
        at = f"{where} people[{index}]"
        if not isinstance(entry, dict):
            raise ScenarioError(f"{at} must be a table with at least 'name'")
        refuse_unknown_keys(entry, _PERSON_KEYS, where=at)
        aliases = entry.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(alias, str) for alias in aliases):
            raise ScenarioError(f"{at}: aliases must be a list of strings")
        person = ScenarioPerson(
            name=string(entry, "name", "", where=at).strip(),
            kind=_choice(entry, "kind", ("person", "department"), where=at),
            phone=string(entry, "phone", "", where=at),
            email=string(entry, "email", "", where=at),
            aliases=tuple(aliases),
            transfers=_flag(entry, "transfers", True, where=at),
        )
        if not person.name:
            raise ScenarioError(f"{at}: name is required")
        people.append(person)
    return tuple(people)


def _choice(data: Mapping[str, Any], key: str, allowed: tuple[str, ...], *, where: str) -> str:
    value = string(data, key, allowed[0], where=where)
    if value not in allowed:
        raise ScenarioError(f"{where}: {key} must be one of {', '.join(allowed)}, not {value!r}")
    return value


def _flag(data: Mapping[str, Any], key: str, default: bool, *, where: str) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        raise ScenarioError(f"{where}: {key} must be true or false")
    return value


def _number_for(scenario_name: str) -> str:
    """A number of its own per scenario (555-02xx-xxxx: fictional), so several can be seeded side by side."""
    return f"+1555020{zlib.crc32(scenario_name.encode()) % 10000:04d}"
