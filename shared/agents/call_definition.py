"""The agent definition one call ran, read back after the call (for its fields' labels in the owner's
language): a call we placed ran its campaign's pinned agent, a call to the business its own line."""

from __future__ import annotations

import logging

from shared.agents.definition import AgentDefinition
from shared.database import Database
from shared.outbound import call_jobs, campaign_agents
from shared.repositories import agent_definitions

log = logging.getLogger(__name__)


async def definition_for_call(
    db: Database, *, business_id: str | None, call_sid: str, version: int | None
) -> AgentDefinition | None:
    """None when it can no longer be read (the labels then stay as the call gave them)."""
    if not business_id:
        return None
    try:
        campaign = await call_jobs.campaign_for_call(db, call_sid)
        if campaign is not None:
            stored = await campaign_agents.definition_of(db, campaign.agent)
        elif version is not None:
            stored = await agent_definitions.get_version(db, business_id, version)
        else:
            stored = await agent_definitions.current_definition(db, business_id)
    except agent_definitions.StoredDefinitionInvalid:
        log.warning("the call's agent definition does not validate; labels as the call gave them")
        return None
    return stored.definition if stored is not None else None
