"""The agent page's "try it": one caller line through the worker's real planner, in text, for a chosen
definition version (`POST /agent/try` on the worker, with the worker's bearer token).

Request: {"business_id", "version", "text", "history": [{"role": "caller"|"agent", "text"}]}; the worker
replays the conversation so far through a fresh planner and answers the new line. Response: {"reply": str}
and, when the worker sends them, "fields" ({name: {value, spoken, status, label}}), "end_call" and
"elapsed_ms"; anything else in it is ignored, so the page keeps working as the route grows.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from functions.admin.agent_input import TryAgent
from functions.admin.worker_client import WorkerUnavailable

log = logging.getLogger(__name__)
TRY_TIMEOUT_S = 60.0  # the CPU model may answer an off-script line in several seconds


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


async def try_agent(base_url: str, *, token: str, business_id: str, version: int, attempt: TryAgent) -> AgentReply:
    payload = {
        "business_id": business_id,
        "version": version,
        "text": attempt.text,
        "history": [turn.model_dump() for turn in attempt.history],
    }
    started = time.monotonic()
    try:
        async with httpx.AsyncClient(timeout=TRY_TIMEOUT_S, headers={"Authorization": f"Bearer {token}"}) as client:
            response = await client.post(base_url.rstrip("/") + "/agent/try", json=payload)
            response.raise_for_status()
            body = response.json()
    except httpx.HTTPStatusError as error:
        log.warning("agent try failed", extra={"worker_url": base_url, "status": error.response.status_code})
        raise WorkerUnavailable(_status_message(base_url, error.response)) from error
    except (httpx.HTTPError, ValueError) as error:
        log.warning("agent try failed", extra={"worker_url": base_url, "reason": type(error).__name__})
        raise WorkerUnavailable(f"worker {base_url} could not answer: {type(error).__name__}") from error
    return _reply(body, base_url, version, int((time.monotonic() - started) * 1000))


def _status_message(base_url: str, response: httpx.Response) -> str:
    if response.status_code in (401, 403):
        return f"worker {base_url} refused the console's token (check WORKER_API_TOKEN on both sides)"
    if response.status_code == 404:
        return f"worker {base_url} has no /agent/try yet (an older worker): deploy the current one"
    return f"worker {base_url} answered {response.status_code}: {_detail(response)}"


def _detail(response: httpx.Response) -> str:
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        return "no details"
    return str(detail)[:300] if detail else "no details"


def _reply(body: Any, base_url: str, version: int, elapsed_ms: int) -> AgentReply:
    if not isinstance(body, dict) or not isinstance(body.get("reply"), str):
        raise WorkerUnavailable(f"worker {base_url} sent a reply without text")
    return AgentReply(
        reply=body["reply"],
        version=version,
        elapsed_ms=int(body["elapsed_ms"]) if isinstance(body.get("elapsed_ms"), int | float) else elapsed_ms,
        end_call=bool(body.get("end_call", False)),
        fields=_fields(body.get("fields")),
    )


def _fields(raw: Any) -> tuple[FieldShown, ...]:
    if not isinstance(raw, dict):
        return ()
    shown = []
    for name, entry in raw.items():
        if isinstance(entry, dict):
            value = str(entry.get("spoken") or entry.get("value") or "")
            shown.append(FieldShown(str(name), str(entry.get("label") or name), value, str(entry.get("status", ""))))
    return tuple(shown)
