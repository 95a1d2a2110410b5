"""The led planner: a capable LLM drives the conversation; the guided planner's rules stay as guards.

Each turn the rules run first (safety lines, fields read by kind, the read-back, the goodbye). What only
rules may say is said by them: a safety line first, the read-back word for word, the goodbye. Otherwise
the LLM, given the definition's fields, facts and what is known, returns schema-constrained JSON
{say, fields, end_call}: its field values are kept only when the field's extractor reads them (a phone
number must parse, an option must exist, free text must come from the caller's words), every clause of
`say` must pass the definition-aware guard, and `end_call` counts only when the call is complete. When
any of that fails, the guided plan is spoken instead.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Mapping
from typing import Any

from gpu_worker.conversation.clause_splitter import clauses_of
from gpu_worker.conversation.planning.field_reading import read_field
from gpu_worker.conversation.planning.guided_planner import CORRECTION, READBACK, GuidedPlanner
from gpu_worker.conversation.planning.planner import FieldState, Planner, ReplyPlan, ToolRequest
from gpu_worker.conversation.planning.turn_reading import CALLER_ID
from gpu_worker.models.stages import ChatMessage, LanguageModel
from shared.agents.definition import AgentDefinition, FieldKind, text_for

log = logging.getLogger(__name__)
MAX_SAY_CHARS = 300
LED_RULES = (
    "Reply with JSON only: say = your next words to the caller (one or two short sentences, ask for at most one "
    "missing detail), fields = details the caller just gave (field name to value, only what they said), "
    "end_call = true only when they want to end."
)
# The tools the led LLM may choose (knowledge stays with the guided route), and the arguments each takes.
LED_TOOLS = {
    "hours": "question",
    "take_message": "for_whom, from_name, callback, message",
    "transfer": "to",
    "book_visit": "wish or choice",
}


def led_tools(definition: AgentDefinition) -> list[str]:
    return [name for name in definition.tools if name in LED_TOOLS]


def reply_schema(definition: AgentDefinition) -> dict[str, Any]:
    """The JSON schema the LLM's output must follow (llama.cpp and vLLM both constrain to it)."""
    # No maxLength: llama.cpp turns it into a grammar of that many repetitions, which samples very slowly;
    # `max_tokens` bounds the reply and `say` is cut to MAX_SAY_CHARS here.
    properties = {spec.name: {"type": "string"} for spec in definition.fields}
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {
            "say": {"type": "string"},
            "fields": {"type": "object", "properties": properties, "additionalProperties": False},
            "end_call": {"type": "boolean"},
        },
        "required": ["say", "fields", "end_call"],
        "additionalProperties": False,
    }
    tools = led_tools(definition)
    if tools:
        schema["properties"]["tool"] = {
            "type": "object",
            "properties": {
                "name": {"enum": [*tools, "none"]},
                "arguments": {"type": "object", "additionalProperties": {"type": "string"}},
            },
            "required": ["name", "arguments"],
            "additionalProperties": False,
        }
    return schema


class LedPlanner:
    def __init__(
        self, guided: GuidedPlanner, *, definition: AgentDefinition, llm: LanguageModel, timeout_s: float = 8.0
    ) -> None:
        """`timeout_s`: a reply the LLM has not finished by then is the guided plan instead (no dead air)."""
        self._guided = guided
        self._definition = definition
        self._llm = llm
        self._timeout_s = timeout_s
        self._schema = reply_schema(definition)

    def opening(self) -> ReplyPlan:
        return self._guided.opening()

    async def plan(self, caller_text: str, *, language: str) -> ReplyPlan:
        asked_before = self._guided.fields.last_asked or ""
        guided = await self._guided.plan(caller_text, language=language)
        rules_only = guided.end_call or guided.asked in (READBACK, CORRECTION) or asked_before in (READBACK, CORRECTION)
        if rules_only or (guided.asked or "").startswith(CALLER_ID) or not caller_text.strip():
            return guided
        if guided.kind == "tool":
            return guided  # the rules recognised the request for certain: no need to ask the model
        safety = _safety_lines(self._definition, guided, language)
        try:
            request = self._llm.complete_json(
                self._messages(caller_text, language), schema=self._schema, max_tokens=160
            )
            answer = json.loads(await asyncio.wait_for(request, timeout=self._timeout_s))
        except TimeoutError:
            log.warning("the led planner's LLM took too long; speaking the guided plan")
            return guided
        except Exception:
            log.exception("the led planner's LLM failed; speaking the guided plan")
            return guided
        if not isinstance(answer, dict):
            return guided
        self._apply_fields(answer.get("fields"), caller_text, language)
        say = str(answer.get("say") or "").strip()[:MAX_SAY_CHARS]
        if not say or not all(self.allows(clause) for clause in clauses_of(say)):
            return guided
        tool = _tool_request(answer.get("tool"), led_tools(self._definition))
        if tool is not None:
            # The model's words stand in wherever the tool does not run; the tool's answer replaces them.
            return ReplyPlan("tool", lines=safety, fallback_text=say, tool=tool, asked=guided.asked)
        if answer.get("end_call") is True and self._guided.complete():
            return ReplyPlan("end_call", lines=(*safety, self._guided.goodbye_text(language)), end_call=True)
        return ReplyPlan("led", lines=(*safety, say), asked=guided.asked)

    def heard(self, plan: ReplyPlan, heard_text: str, *, complete: bool) -> None:
        self._guided.heard(plan, heard_text, complete=complete)

    def silence(self, count: int) -> ReplyPlan:
        return self._guided.silence(count)

    def keypad(self, digit: str) -> ReplyPlan:
        return self._guided.keypad(digit)

    def snapshot(self) -> FieldState:
        return self._guided.snapshot()

    def fixed_lines(self, language: str) -> list[str]:
        return self._guided.fixed_lines(language)

    def call_lines(self, language: str) -> list[str]:
        return self._guided.call_lines(language)

    def allows(self, clause: str) -> bool:
        return self._guided.guard_allows(clause)  # the led reply asks its own question

    def fork(self) -> Planner:
        twin = self._guided.fork()
        assert isinstance(twin, GuidedPlanner)
        return LedPlanner(twin, definition=self._definition, llm=self._llm, timeout_s=self._timeout_s)

    def _messages(self, caller_text: str, language: str) -> tuple[ChatMessage, ...]:
        system = self._guided.system_message(language)
        fields = []
        for spec in self._definition.fields:
            slot = self._guided.fields.slots[spec.name]
            question = text_for(spec.question, language, self._definition.default_language)
            options = f" (one of: {', '.join(o.value for o in spec.options)})" if spec.options else ""
            known = f"known: {slot.value}" if slot.value else f"{slot.status}; ask: {question}"
            fields.append(f"- {spec.name} [{spec.kind.value}{options}]: {known}")
        state = "Fields:\n" + "\n".join(fields)
        history = self._guided.history[:-1]
        tools = led_tools(self._definition)
        offered = "; ".join(f"{name} ({LED_TOOLS[name]})" for name in tools)
        tool_rule = f" tool = the action the caller asks for, one of: {offered}; else name none." if tools else ""
        note = f"{state}\n{LED_RULES}{tool_rule}"
        return (system, *history, ChatMessage("user", f"{caller_text.strip()}\n[{note}]"))

    def _apply_fields(self, updates: object, caller_text: str, language: str) -> None:
        if not isinstance(updates, Mapping):
            return
        context = self._guided.context(language)
        for name, value in updates.items():
            slot = self._guided.fields.slots.get(str(name))
            if slot is None or slot.value or not isinstance(value, str) or not value.strip():
                continue
            spec = self._definition.field(str(name))
            if spec.kind == FieldKind.FREE_TEXT and not _from_caller(value, caller_text):
                continue  # the model's own words are not the caller's
            found = read_field(spec, value, context, asked=True)
            if found is not None:
                self._guided.fields.set(spec.name, found.value, found.spoken, "extracted")


def _tool_request(chosen: object, allowed: list[str]) -> ToolRequest | None:
    """The model's tool choice, if it named one the agent may use (the desk checks its arguments)."""
    if not isinstance(chosen, Mapping) or chosen.get("name") not in allowed:
        return None
    arguments = chosen.get("arguments")
    if not isinstance(arguments, Mapping):
        return None
    return ToolRequest(str(chosen["name"]), {str(k): str(v) for k, v in arguments.items() if isinstance(v, str)})


def _safety_lines(definition: AgentDefinition, plan: ReplyPlan, language: str) -> tuple[str, ...]:
    lines = {text_for(rule.line, language, definition.default_language) for rule in definition.safety}
    return tuple(line for line in plan.lines if line in lines)


def _from_caller(value: str, caller_text: str) -> bool:
    words = [word for word in re.findall(r"[a-z']+", value.lower()) if len(word) > 3]
    said = caller_text.lower()
    return bool(words) and sum(word in said for word in words) * 2 >= len(words)
