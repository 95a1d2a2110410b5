"""Campaigns: an agent definition calling a list of numbers for a business, and its do-not-call list."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from shared.agents.definition import AgentDefinition
from shared.database import Database, Row, utc_now
from shared.outbound import campaign_agents
from shared.outbound.calling_rules import BadNumber, CallingHours, callee_zones, normalized_number


@dataclass(frozen=True)
class Campaign:
    id: str
    business_id: str
    name: str
    from_number: str
    status: str
    calling_start_minute: int
    calling_end_minute: int
    max_attempts: int
    retry_base_s: int
    calls_per_minute: int
    created_at: str
    agent_purpose: str
    agent_version: int | None

    @property
    def calling_hours(self) -> CallingHours:
        return CallingHours(self.calling_start_minute, self.calling_end_minute)

    @property
    def agent(self) -> campaign_agents.CampaignAgent:
        """The definition its calls run (shared/outbound/campaign_agents.py)."""
        return campaign_agents.CampaignAgent(self.business_id, self.agent_purpose, self.agent_version)


@dataclass(frozen=True)
class RejectedNumber:
    """A line of the list that was not queued, and why (shown to whoever uploaded it)."""

    raw: str
    reason: str


def _from_row(row: Row) -> Campaign:
    return Campaign(**row)


async def create_campaign(
    db: Database,
    *,
    business_id: str,
    name: str,
    from_number: str,
    hours: CallingHours | None = None,
    max_attempts: int = 3,
    retry_base_s: int = 900,
    calls_per_minute: int = 6,
    agent: AgentDefinition | None = None,
    created_by: str = "campaign",
) -> Campaign:
    """A new active campaign; its calls run `agent` (kept as the campaign's own definition) or, without
    one, the business's own agent as it is now. Either way the version is pinned here."""
    hours = hours or CallingHours()
    campaign_id = "cmp_" + secrets.token_hex(8)
    pinned = await campaign_agents.pin(
        db, business_id=business_id, campaign_id=campaign_id, agent=agent, created_by=created_by
    )
    await db.execute(
        "INSERT INTO outbound_campaigns (id, business_id, name, from_number, calling_start_minute,"
        " calling_end_minute, max_attempts, retry_base_s, calls_per_minute, created_at, agent_purpose,"
        " agent_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            campaign_id,
            business_id,
            name,
            from_number,
            hours.start_minute,
            hours.end_minute,
            max_attempts,
            retry_base_s,
            calls_per_minute,
            utc_now(),
            pinned.purpose,
            pinned.version,
        ),
    )
    campaign = await get_campaign(db, campaign_id)
    assert campaign is not None
    return campaign


async def get_campaign(db: Database, campaign_id: str) -> Campaign | None:
    row = await db.fetch_one("SELECT * FROM outbound_campaigns WHERE id = ?", (campaign_id,))
    return _from_row(row) if row else None


async def set_status(db: Database, campaign_id: str, status: Literal["active", "paused", "finished"]) -> None:
    """Only an active campaign's numbers are rung (`call_jobs.claim_due`)."""
    await db.execute("UPDATE outbound_campaigns SET status = ? WHERE id = ?", (status, campaign_id))


async def list_campaigns(db: Database, *, business_id: str | None = None) -> list[Campaign]:
    if business_id is None:
        rows = await db.fetch_all("SELECT * FROM outbound_campaigns ORDER BY created_at DESC")
    else:
        rows = await db.fetch_all(
            "SELECT * FROM outbound_campaigns WHERE business_id = ? ORDER BY created_at DESC", (business_id,)
        )
    return [_from_row(row) for row in rows]


async def add_numbers(
    db: Database, campaign: Campaign, entries: Iterable[tuple[str, str]]
) -> tuple[int, list[RejectedNumber]]:
    """Queue (number, label) entries; each bad, duplicate or do-not-call number is returned with why.

    Nothing is lost: a good number is queued even when others in the same list are rejected.
    """
    queued, rejected, seen = 0, list[RejectedNumber](), set[str]()
    blocked = await do_not_call_numbers(db, campaign.business_id)
    for raw, label in entries:
        try:
            number = normalized_number(raw)
            callee_zones(number)
        except BadNumber as error:
            rejected.append(RejectedNumber(raw, str(error)))
            continue
        if number in blocked:
            rejected.append(RejectedNumber(raw, f"{number} is on the business's do-not-call list"))
            continue
        if number in seen:
            rejected.append(RejectedNumber(raw, f"{number} is already in this list"))
            continue
        seen.add(number)
        now = utc_now()
        queued += await db.execute(
            "INSERT INTO outbound_call_jobs (id, campaign_id, to_number, label, next_attempt_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (campaign_id, to_number) DO NOTHING",
            ("job_" + secrets.token_hex(8), campaign.id, number, label, now, now),
        )
    return queued, rejected


async def add_do_not_call(db: Database, *, business_id: str, number: str, reason: str = "") -> None:
    await db.execute(
        "INSERT INTO do_not_call (business_id, number, reason, added_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (business_id, number) DO NOTHING",
        (business_id, normalized_number(number), reason, utc_now()),
    )


async def do_not_call_numbers(db: Database, business_id: str) -> set[str]:
    rows = await db.fetch_all("SELECT number FROM do_not_call WHERE business_id = ?", (business_id,))
    return {str(row["number"]) for row in rows}
