"""A new business whose agent starts from a template: what `buddyhelps business add --template` and a demo
scenario's `[business]` both create (one path, so a scenario's business is the one an owner would get)."""

from __future__ import annotations

from shared.agents.business_definition import from_template
from shared.database import Database
from shared.repositories import agent_definitions, businesses
from shared.repositories.businesses import Business


async def add_business_from_template(
    db: Database,
    *,
    template: str,
    name: str,
    owner_phone: str,
    owner_email: str = "",
    timezone: str = "America/New_York",
    opening_hours: str = "",
    business_id: str | None = None,
    created_by: str = "cli",
) -> Business:
    """The business and its first agent version: the template with its hours in the business's time zone.
    An unknown template raises TemplateError before anything is stored."""
    definition = from_template(template, timezone=timezone)
    business = await businesses.create_business(
        db,
        name=name,
        owner_phone=owner_phone,
        owner_email=owner_email,
        timezone=timezone,
        opening_hours=opening_hours,
        business_id=business_id,
    )
    await agent_definitions.save_definition(db, business.id, definition, created_by, f"from the {template} template")
    return business
