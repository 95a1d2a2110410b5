"""What a call needs to know about the business it answers for, loaded once at `start`: its name, voice,
keyword corrections and the agent definition the call runs (what the agent gathers, says and may state).

An inbound call runs the business's current definition. A call we placed runs its campaign's pinned
definition, found from the call sid (the stream token signs it; no stream parameter is trusted to pick an
agent): the campaign's job carries that sid from the moment the callee answered. A placed call whose
campaign or agent cannot be found is refused, never answered by the business's inbound agent.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from gpu_worker.conversation.planning.planner_choice import build_planner
from gpu_worker.models.stages import LanguageModel
from shared.agents.business_definition import LEGACY_TEMPLATE
from shared.agents.definition import AgentDefinition
from shared.agents.templates import load_template
from shared.database import Database
from shared.keyword_correction import CorrectionRule
from shared.outbound import call_jobs, campaign_agents, campaigns
from shared.outbound.campaigns import Campaign
from shared.people.directory import Directory, load_directory
from shared.repositories import agent_definitions, businesses, calls, keyword_corrections
from shared.repositories.phone_numbers import Mode

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BusinessConfig:
    business_id: str
    business_name: str
    owner_phone: str
    voice: str
    mode: Mode
    corrections: tuple[CorrectionRule, ...]
    definition: AgentDefinition
    agent_version: int | None  # None: the template stood in (no stored definition could be read)
    people: Directory  # read once per call: the tools and the vocabulary both use it

    @property
    def vocabulary(self) -> str:
        """The names callers say that speech-to-text cannot guess, as its prompt: with a soft voice, "Dana"
        came out as "d a" and "Priya" as "pre-assure"."""
        return vocabulary(self.business_name, self.people)


class BusinessNotFound(LookupError):
    pass


class CampaignAgentRefused(LookupError):
    """A call we placed that cannot run its campaign's agent (the message says why); the stream is refused."""


async def load_business_config(db: Database, *, business_id: str, mode: Mode, call_sid: str = "") -> BusinessConfig:
    business = await businesses.get_business(db, business_id)
    if business is None:
        raise BusinessNotFound(f"no business {business_id!r}")
    definition, version = await _call_definition(db, business_id, call_sid)
    corrections = await keyword_corrections.corrections_for(db, business_id)
    people = await load_directory(db, business_id)
    return BusinessConfig(
        business_id=business.id,
        business_name=business.name,
        owner_phone=business.owner_phone,
        voice=business.voice,
        mode=mode,
        corrections=tuple(CorrectionRule(heard=c.heard, corrected=c.corrected) for c in corrections),
        definition=definition,
        agent_version=version,
        people=people,
    )


MAX_VOCABULARY_NAMES = 40  # Whisper keeps the prompt's last 200 tokens; a long staff list stops here


def vocabulary(business_name: str, people: Directory) -> str:
    """ "Harbor Street Offices. Dana Whitfield, Accounts, billing." — the business's own words, spelled."""
    names = [name for contact in people.contacts for name in (contact.name, *contact.aliases)]
    listed = ", ".join(dict.fromkeys(names[:MAX_VOCABULARY_NAMES]))
    return f"{business_name}. {listed}." if listed else f"{business_name}."


async def _definition(db: Database, business_id: str) -> tuple[AgentDefinition, int | None]:
    """The business's active definition and its version; when none can be read, the caller still gets
    the receptionist every business had before definitions (the plumbing template)."""
    try:
        stored = await agent_definitions.current_definition(db, business_id)
    except agent_definitions.StoredDefinitionInvalid:
        log.exception("the business's agent definition does not validate; answering with the template")
        stored = None
    if stored is None:
        return load_template(LEGACY_TEMPLATE), None
    return stored.definition, stored.version


async def _call_definition(db: Database, business_id: str, call_sid: str) -> tuple[AgentDefinition, int | None]:
    """The campaign's pinned definition for a call we placed; the business's own for a call to it."""
    campaign = await call_jobs.campaign_for_call(db, call_sid)
    if campaign is not None:
        return await _campaign_definition(db, campaign, business_id)
    if await _placed_by_us(db, call_sid):
        raise CampaignAgentRefused(f"call {call_sid} was placed by us but is no campaign's job")
    return await _definition(db, business_id)


async def _placed_by_us(db: Database, call_sid: str) -> bool:
    call = await calls.get_call_by_sid(db, call_sid) if call_sid else None
    return call is not None and call.direction == "outbound"


async def _campaign_definition(db: Database, campaign: Campaign, business_id: str) -> tuple[AgentDefinition, int]:
    if campaign.business_id != business_id:
        raise CampaignAgentRefused(f"the stream names business {business_id!r}, not campaign {campaign.id}'s")
    try:
        stored = await campaign_agents.definition_of(db, campaign.agent)
    except agent_definitions.StoredDefinitionInvalid as error:
        raise CampaignAgentRefused(f"campaign {campaign.id}'s agent does not validate: {error}") from error
    if stored is None:
        raise CampaignAgentRefused(f"campaign {campaign.id}'s agent ({campaign.agent_purpose}) is gone")
    if stored.definition.direction != "outbound":
        raise CampaignAgentRefused(f"campaign {campaign.id}'s agent {stored.definition.name!r} is not an outbound one")
    return stored.definition, stored.version


def spoken_lines(definition: AgentDefinition, *, business_name: str, llm: LanguageModel) -> tuple[str, list[str]]:
    """(greeting, fixed lines) a call of this definition says word for word, to synthesize before it."""
    planner = build_planner(definition, mode="guided", business_name=business_name, caller_id="", llm=llm)
    greeting = " ".join(planner.opening().lines)
    lines = [line for language in definition.languages for line in planner.fixed_lines(language)]
    return greeting, lines


def lines_by_voice(
    definition: AgentDefinition, *, business_name: str, business_voice: str, llm: LanguageModel
) -> list[tuple[str, str, bool]]:
    """(text, voice, whole): the greeting in the business's first language's voice, and each enabled
    language's fixed lines in that language's voice (a Spanish line is never cached in an English voice)."""
    planner = build_planner(definition, mode="guided", business_name=business_name, caller_id="", llm=llm)
    first = definition.voice_for(definition.default_language, business_voice=business_voice)
    phrases = [(" ".join(planner.opening().lines), first, True)]
    for language in definition.languages:
        voice = definition.voice_for(language, business_voice=business_voice)
        phrases += [(line, voice, False) for line in planner.fixed_lines(language)]
    return phrases


async def lines_to_prepare(db: Database, *, llm: LanguageModel) -> list[tuple[str, str, bool]]:
    """(text, voice, whole) of every enabled business: its greeting (cached whole) and its fixed lines
    (cached clause by clause, as replies are cut), to synthesize before the first call."""
    rows = await db.fetch_all("SELECT id, name, voice FROM businesses WHERE enabled = 1 ORDER BY id")
    phrases: dict[tuple[str, str, bool], None] = {}
    for row in rows:
        definitions = [(await _definition(db, str(row["id"])))[0], *await _campaign_definitions(db, str(row["id"]))]
        for definition in definitions:
            lines = lines_by_voice(
                definition, business_name=str(row["name"]), business_voice=str(row["voice"]), llm=llm
            )
            phrases.update((line, None) for line in lines)
    return list(phrases)


async def _campaign_definitions(db: Database, business_id: str) -> list[AgentDefinition]:
    """The agents of the business's unfinished campaigns (active, or paused and to resume) that are not its
    own line (that one is prepared with the business)."""
    found: dict[str, AgentDefinition] = {}
    for campaign in await campaigns.list_campaigns(db, business_id=business_id):
        if campaign.status == "finished" or campaign.agent_purpose == agent_definitions.INBOUND:
            continue
        try:
            stored = await campaign_agents.definition_of(db, campaign.agent)
        except agent_definitions.StoredDefinitionInvalid:
            log.exception("a campaign's agent does not validate; its lines are not prepared")
            continue
        if stored is not None:
            found.setdefault(stored.definition.model_dump_json(), stored.definition)
    return list(found.values())
