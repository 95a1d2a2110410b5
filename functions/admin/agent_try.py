"""The agent page's "try it": one caller line through the worker's real planner, in text, for a chosen
definition version (`POST /agent/try` on the worker, gpu_worker/routes/agent_try_route.py, with the
worker's bearer token, via worker_client).

Request: {"business_id", "version", "caller_text", "conversation": [{"caller", "agent"}]}: the worker
replays the conversation so far through a fresh planner (each agent line taken as heard) and answers the
new line. Response: {"reply", "kind", "end_call", "fields": {name: {value, spoken, status, label}},
"complete", "guard_dropped"}; only "reply" is required, the rest is shown when present.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from functions.admin import worker_client
from functions.admin.agent_input import TryAgent, Turn
from functions.admin.worker_client import WorkerUnavailable


@dataclass(frozen=True)
class FieldShown:
    name: str
    label: str
    value: str
    status: str


@dataclass(frozen=True)
class AgentReply:
    reply: str
    version: int
    elapsed_ms: int
    end_call: bool = False
    fields: tuple[FieldShown, ...] = field(default_factory=tuple)
    kind: str = ""  # scripted, llm, ... (what planned the reply)
    dropped: tuple[str, ...] = ()  # what the reply guard kept the LLM from saying


async def try_agent(base_url: str, *, token: str, business_id: str, version: int, attempt: TryAgent) -> AgentReply:
    payload = {
        "business_id": business_id,
        "version": version,
        "caller_text": attempt.text,
        "conversation": conversation_pairs(attempt.history),
    }
    started = time.monotonic()
    body = await worker_client.agent_try(base_url, token=token, payload=payload)
    return _reply(body, base_url, version, int((time.monotonic() - started) * 1000))


def _reply(body: dict[str, Any], base_url: str, version: int, elapsed_ms: int) -> AgentReply:
    if not isinstance(body.get("reply"), str):
        raise WorkerUnavailable(f"worker {base_url} sent a reply without text")
    return AgentReply(
        reply=body["reply"],
        version=version,
        elapsed_ms=int(body["elapsed_ms"]) if isinstance(body.get("elapsed_ms"), int | float) else elapsed_ms,
        end_call=bool(body.get("end_call", False)),
        fields=_fields(body.get("fields")),
        kind=str(body.get("kind") or ""),
        dropped=tuple(str(c) for c in body.get("guard_dropped") or () if isinstance(c, str)),
    )


def conversation_pairs(turns: list[Turn]) -> list[dict[str, str]]:
    """The page's turns as the worker replays them: each caller line with the agent line that followed."""
    pairs: list[dict[str, str]] = []
    for turn in turns:
        if turn.role == "caller":
            pairs.append({"caller": turn.text, "agent": ""})
        elif pairs and not pairs[-1]["agent"]:
            pairs[-1]["agent"] = turn.text
    return pairs


def _fields(raw: Any) -> tuple[FieldShown, ...]:
    if not isinstance(raw, dict):
        return ()
    shown = []
    for name, entry in raw.items():
        if isinstance(entry, dict):
            value = str(entry.get("spoken") or entry.get("value") or "")
            shown.append(FieldShown(str(name), str(entry.get("label") or name), value, str(entry.get("status", ""))))
    return tuple(shown)
