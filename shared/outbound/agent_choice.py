"""Which agent a new campaign runs, as the console's form and the JSON API name it: a shipped outbound
template by its file name (found in the template folder, so a new outbound template is offered by itself),
or `OWN_LINE` ("") for the business's own agent line when that is an outbound agent.

The chosen definition goes to `campaigns.create_campaign(agent=...)`, which pins it as the CLI's `--agent`
does (shared/outbound/campaign_agents.py); the business's own line is pinned at its active version.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.agents.definition import AgentDefinition
from shared.agents.templates import TemplateError, load_template, template_names
from shared.database import Database
from shared.repositories import agent_definitions, businesses

OWN_LINE = ""


class AgentChoiceError(ValueError):
    """A choice that cannot run a campaign; the message says why and what can."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class TemplateOffer:
    """An outbound template as the form offers it."""

    name: str  # its file name, the choice's value
    title: str  # the definition's name
    goal: str  # in its default language


def outbound_templates() -> list[TemplateOffer]:
    """Every shipped template whose agent places calls with a goal (an invalid template is left out)."""
    offers = []
    for name in template_names():
        try:
            definition = load_template(name)
        except TemplateError:
            continue
        if definition.outbound is not None:
            goal = definition.outbound.goal[definition.default_language]
            offers.append(TemplateOffer(name, definition.name, goal))
    return offers


def _offered() -> str:
    return ", ".join(offer.name for offer in outbound_templates())


def outbound_template(name: str) -> AgentDefinition:
    """The template `name`, which must exist and be an outbound one."""
    try:
        definition = load_template(name)
    except TemplateError as error:
        raise AgentChoiceError(f"no agent template {name!r}; outbound templates: {_offered()}") from error
    if definition.outbound is None:
        raise AgentChoiceError(
            f"template {name!r} ({definition.name}) answers inbound calls; a campaign needs an outbound one:"
            f" {_offered()}"
        )
    return definition


async def chosen_agent(db: Database, business_id: str, choice: str) -> AgentDefinition | None:
    """The definition to give the campaign, or None to pin the business's own (outbound) line."""
    if await businesses.get_business(db, business_id) is None:
        raise AgentChoiceError(f"no business {business_id!r}", status=404)
    if choice != OWN_LINE:
        return outbound_template(choice)
    stored = await agent_definitions.current_definition(db, business_id)
    if stored is None or stored.definition.outbound is None:
        raise AgentChoiceError(
            "this business's own agent answers inbound calls; choose an outbound template for the campaign"
            f" ({_offered()}) or give the business an outbound agent (a goal)"
        )
    return None


async def own_outbound_line(db: Database, business_id: str) -> agent_definitions.StoredDefinition | None:
    """The business's own line when it is an outbound agent (offered as a choice), else None."""
    try:
        stored = await agent_definitions.current_definition(db, business_id)
    except agent_definitions.StoredDefinitionInvalid:
        return None
    return stored if stored is not None and stored.definition.outbound is not None else None
