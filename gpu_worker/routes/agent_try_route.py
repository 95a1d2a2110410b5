"""POST /agent/try: the console's "try it". One caller turn through the real planner, in text.

The definition comes inline (YAML or JSON text, as the console edits it) or as a stored version of a
business. The conversation so far is replayed through the planner (each earlier reply taken as heard,
as the console showed it), then `caller_text` is planned and spoken as a call would speak it: scripted
lines word for word, the LLM part (guided off-script answers) streamed through the definition-aware
guard. An empty conversation and empty `caller_text` give the opening.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field, model_validator

from gpu_worker.conversation.planning.planner import Planner
from gpu_worker.conversation.planning.planner_choice import build_planner
from gpu_worker.conversation.planning.text_reply import speak_as_text
from gpu_worker.models.stages import ModelSet
from shared.agents.definition import AgentDefinition
from shared.agents.yaml_io import DefinitionError, definition_from_yaml
from shared.repositories import agent_definitions, businesses

router = APIRouter()
Text = Annotated[str, Field(max_length=2000)]


class TryTurn(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    caller: Text
    agent: Text = ""  # what the console showed as the reply (taken as heard)


class TryRequest(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    definition: str | None = Field(default=None, max_length=256_000)  # YAML or JSON text
    business_id: str | None = Field(default=None, max_length=64)
    version: int | None = Field(default=None, ge=1)  # default: the active version
    business_name: str = Field(default="", max_length=100)
    caller_id: str = Field(default="", max_length=32)
    planner: Literal["guided", "led"] | None = None  # default: the worker's PLANNER setting
    language: str | None = Field(default=None, pattern=r"^[a-z]{2}$")
    conversation: list[TryTurn] = Field(default_factory=list, max_length=60)
    caller_text: Text = ""

    @model_validator(mode="after")
    def _one_source(self) -> TryRequest:
        if (self.definition is None) == (self.business_id is None):
            raise ValueError("give either `definition` (YAML or JSON text) or `business_id` (and optionally `version`)")
        return self


@router.post("/agent/try")
async def try_agent(body: TryRequest, request: Request) -> dict[str, Any]:
    models: ModelSet | None = getattr(request.app.state, "models", None)
    if models is None:
        raise HTTPException(status_code=503, detail="models are still loading")
    definition, business = await _definition(body, request)
    language = body.language or definition.default_language
    if language not in definition.languages:
        raise HTTPException(status_code=422, detail=f"language {language!r} is not one of {definition.languages}")
    settings = request.app.state.worker.settings
    planner = build_planner(
        definition,
        mode=body.planner or settings.planner,
        business_name=body.business_name or business,
        caller_id=body.caller_id,
        llm=models.llm,
    )
    opening = planner.opening()
    planner.heard(opening, opening.scripted_text, complete=True)
    if not body.conversation and not body.caller_text.strip():
        return _answer(planner, opening.scripted_text, opening.kind, end_call=opening.end_call, dropped=())
    for turn in body.conversation:
        earlier = await planner.plan(turn.caller, language=language)
        planner.heard(earlier, turn.agent or earlier.scripted_text, complete=True)
    plan = await planner.plan(body.caller_text, language=language)
    reply = await speak_as_text(plan, planner, models.llm)
    planner.heard(plan, reply.text, complete=True)
    return _answer(planner, reply.text, plan.kind, end_call=plan.end_call, dropped=reply.dropped)


def _answer(planner: Planner, text: str, kind: str, *, end_call: bool, dropped: tuple[str, ...]) -> dict[str, Any]:
    state = planner.snapshot()
    return {
        "reply": text,
        "kind": kind,
        "end_call": end_call,
        "fields": state.as_dict(),
        "complete": state.complete,
        "guard_dropped": list(dropped),
    }


async def _definition(body: TryRequest, request: Request) -> tuple[AgentDefinition, str]:
    """(definition, business name) from the request's text or the business's stored version."""
    if body.definition is not None:
        return _parsed(body.definition), "the business"
    assert body.business_id is not None
    db = await request.app.state.worker.database()
    business = await businesses.get_business(db, body.business_id)
    if business is None:
        raise HTTPException(status_code=404, detail=f"no business {body.business_id!r}")
    try:
        if body.version is None:
            stored = await agent_definitions.current_definition(db, body.business_id)
        else:
            stored = await agent_definitions.get_version(db, body.business_id, body.version)
    except agent_definitions.StoredDefinitionInvalid as error:
        raise HTTPException(status_code=422, detail=str(error)) from error
    if stored is None:
        raise HTTPException(status_code=404, detail=f"business {body.business_id!r} has no version {body.version}")
    return stored.definition, business.name


def _parsed(text: str) -> AgentDefinition:
    """YAML or JSON (JSON is YAML) with every problem named by its path."""
    try:
        return definition_from_yaml(text)
    except DefinitionError as error:
        raise HTTPException(status_code=422, detail={"problems": error.problems}) from error


__all__ = ["TryRequest", "router"]
