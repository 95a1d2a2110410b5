"""The agent editor's logic, shared by its pages and its API: reading a YAML draft, saving it as a version,
the diff between two versions, and the "try it" conversation kept between turns."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from functions.admin.prompt_diff import changes_table, unified_diff
from shared.agents.templates import TemplateError, load_template
from shared.agents.yaml_io import DefinitionError, definition_from_yaml, definition_to_yaml
from shared.database import Database
from shared.repositories import agent_definitions
from shared.repositories.agent_definitions import StoredDefinition

MAX_NOTE = 200
DIFF_CONTEXT_LINES = 3  # a definition is a few hundred lines: show the changes, not the whole file
MAX_TURNS = 40  # a "try it" conversation longer than this is not a test any more


class NewAgentVersion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    yaml: str = Field(min_length=1, max_length=256 * 1024)
    note: str = Field("", max_length=MAX_NOTE)


class Turn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    role: Literal["caller", "agent"]
    text: str = Field(min_length=1, max_length=2000)


class TryAgent(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=2000)
    history: list[Turn] = Field(default_factory=list, max_length=MAX_TURNS)
    version: int | None = Field(None, ge=1)  # None: the active version


_TURNS = TypeAdapter(list[Turn])


def turns_from_form(raw: str) -> list[Turn]:
    """The conversation so far, as the page carried it in a hidden field; anything unreadable starts afresh."""
    if not raw.strip():
        return []
    try:
        return _TURNS.validate_python(json.loads(raw))[-MAX_TURNS:]
    except (ValueError, ValidationError):
        return []


def turns_to_form(turns: list[Turn]) -> str:
    return json.dumps([turn.model_dump() for turn in turns])


class AgentNotFound(LookupError):
    pass


async def save_yaml(db: Database, business_id: str, text: str, *, created_by: str, note: str) -> int:
    """Validate, then store as the next version; raises DefinitionError (every problem) and stores nothing."""
    definition = definition_from_yaml(text)
    return await agent_definitions.save_definition(db, business_id, definition, created_by, note.strip()[:MAX_NOTE])


async def active_or_version(db: Database, business_id: str, version: int | None) -> StoredDefinition:
    if version is None:
        stored = await agent_definitions.current_definition(db, business_id)
    else:
        stored = await agent_definitions.get_version(db, business_id, version)
    if stored is None:
        raise AgentNotFound(f"there is no version {version}" if version else "this business has no agent yet")
    return stored


def template_yaml(name: str) -> str:
    """A template as the editor's draft; raises TemplateError naming the templates there are."""
    return definition_to_yaml(load_template(name))


@dataclass(frozen=True)
class AgentDiff:
    html: str
    unified: str


async def diff_versions(db: Database, business_id: str, old: int, new: int) -> AgentDiff:
    before = await agent_definitions.get_version(db, business_id, old)
    after = await agent_definitions.get_version(db, business_id, new)
    if before is None or after is None:
        raise AgentNotFound(f"there is no version {old if before is None else new}")
    old_text, new_text = definition_to_yaml(before.definition), definition_to_yaml(after.definition)
    old_label, new_label = f"version {old}", f"version {new}"
    table = changes_table(
        old_text, new_text, old_label=old_label, new_label=new_label, context_lines=DIFF_CONTEXT_LINES
    )
    return AgentDiff(str(table), unified_diff(old_text, new_text, old_label=old_label, new_label=new_label))


__all__ = [
    "AgentDiff",
    "AgentNotFound",
    "DefinitionError",
    "NewAgentVersion",
    "TemplateError",
    "TryAgent",
    "Turn",
    "active_or_version",
    "diff_versions",
    "save_yaml",
    "template_yaml",
    "turns_from_form",
    "turns_to_form",
]
