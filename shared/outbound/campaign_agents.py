"""Which agent a campaign's calls run: a definition line of the business (`agent_definitions.purpose`)
and a version, pinned when the campaign is made (migration 0120).

An agent given for the campaign is stored under the business as purpose `campaign_<id>`; without one
the campaign pins the business's own line as it is at that moment. Nothing here falls back to another
agent: a pinned version that cannot be read is reported as missing, and whoever asked refuses the call.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.agents.definition import AgentDefinition
from shared.database import Database
from shared.repositories import agent_definitions


@dataclass(frozen=True)
class CampaignAgent:
    business_id: str
    purpose: str
    version: int | None  # None: the line's active version (only a campaign whose business had none when pinned)


def own_purpose(campaign_id: str) -> str:
    """The definition line an agent given for this campaign is kept under."""
    return f"campaign_{campaign_id}"


async def pin(
    db: Database, *, business_id: str, campaign_id: str, agent: AgentDefinition | None, created_by: str
) -> CampaignAgent:
    """Store `agent` as the campaign's own line (version 1), or pin the business's own line's active version."""
    if agent is not None:
        purpose = own_purpose(campaign_id)
        version = await agent_definitions.save_definition(
            db, business_id, agent, created_by, f"campaign {campaign_id}", purpose=purpose
        )
        return CampaignAgent(business_id, purpose, version)
    stored = await agent_definitions.current_definition(db, business_id)
    return CampaignAgent(business_id, agent_definitions.INBOUND, stored.version if stored else None)


async def definition_of(db: Database, agent: CampaignAgent) -> agent_definitions.StoredDefinition | None:
    """The pinned definition; None when it is gone. Raises StoredDefinitionInvalid when it no longer validates."""
    if agent.version is None:
        return await agent_definitions.current_definition(db, agent.business_id, purpose=agent.purpose)
    return await agent_definitions.get_version(db, agent.business_id, agent.version, purpose=agent.purpose)
