"""`buddyhelps call place --agent AGENT --to NUMBER [--business ID]`: one outbound call by an agent.

The call is a campaign of one number: it is queued like any campaign's (the agent kept as the campaign's
own definition, the callee's calling hours, retries) and `buddyhelps serve`, or the scheduled pass on AWS,
rings it through the same path.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from buddyhelps.outbound_commands import AGENT_HELP, check_outbound_agent, parse_hours, read_agent
from shared.database import Database, open_database
from shared.outbound import campaigns
from shared.outbound.calling_rules import callee_zones, normalized_number
from shared.repositories import businesses, phone_numbers
from shared.settings import load_settings
from shared.structured_logging import configure_logging

DEFAULT_FROM = "+12125550100"  # the campaign commands' default caller ID, for a business without a number


def register(actions: argparse._SubParsersAction[Any]) -> None:
    place = actions.add_parser("place", help="queue one outbound call by an agent (a campaign of one number)")
    place.add_argument("--agent", required=True, help=AGENT_HELP.split("; default")[0])
    place.add_argument("--to", dest="callee", required=True, help="the number to call, e.g. +12125550101")
    place.add_argument("--business", help="the business the call is made for (default: the only business)")
    place.add_argument("--from", dest="caller_id", help="caller ID (default: the business's first number)")
    place.add_argument("--hours", default="09:00-20:00", help="callee's local calling hours, HH:MM-HH:MM")
    place.set_defaults(func=place_call)


def place_call(args: argparse.Namespace) -> int:
    try:
        callee = normalized_number(args.callee)
        callee_zones(callee)
        return asyncio.run(_queue(args, callee))
    except (ValueError, OSError) as error:  # BadNumber and a bad --agent or --hours are ValueErrors
        print(f"call place: {error}", file=sys.stderr)
        return 2


async def _queue(args: argparse.Namespace, callee: str) -> int:
    settings = load_settings()
    configure_logging(settings.log_level)
    agent = read_agent(args.agent)
    assert agent is not None  # --agent is required
    hours = parse_hours(args.hours)
    db = await open_database(settings.database_url, auth_token=settings.turso_auth_token)
    try:
        business_id = args.business or await _only_business(db)
        await check_outbound_agent(db, business_id, agent)
        caller_id = normalized_number(args.caller_id) if args.caller_id else await _business_number(db, business_id)
        campaign = await campaigns.create_campaign(
            db,
            business_id=business_id,
            name=f"call to {callee}",
            from_number=caller_id,
            hours=hours,
            agent=agent,
            created_by="cli",
        )
        queued, rejected = await campaigns.add_numbers(db, campaign, [(callee, "")])
    finally:
        await db.close()
    for line in rejected:
        print(f"call place: not queued: {line.reason}", file=sys.stderr)
    if not queued:
        return 1
    print(
        f"queued a call to {callee} by {agent.name!r} for {business_id}, from {caller_id} (campaign {campaign.id});"
        f" `buddyhelps serve` rings it within {args.hours} the callee's time"
    )
    return 0


async def _only_business(db: Database) -> str:
    found = await businesses.list_businesses(db)
    if len(found) != 1:
        ids = ", ".join(b.id for b in found) or "none yet"
        raise ValueError(f"name the business with --business ({len(found)} businesses: {ids})")
    return found[0].id


async def _business_number(db: Database, business_id: str) -> str:
    numbers = await phone_numbers.list_numbers(db, business_id=business_id)
    return numbers[0].e164 if numbers else DEFAULT_FROM
