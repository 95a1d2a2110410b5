"""What the console asks of a GPU worker over HTTP: /health, /calls/live, /chat and /agent/try.

Every route but /health wants the worker's bearer token (WORKER_API_TOKEN): the worker's URL is public.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import httpx

from shared.database import Database
from shared.repositories.workers import list_workers
from shared.settings import Settings

log = logging.getLogger(__name__)
HEALTH_TIMEOUT_S = 3.0
CHAT_TIMEOUT_S = 60.0


def bearer_headers(token: str) -> dict[str, str]:
    """The worker's token, as gpu_worker/routes/worker_auth.py checks it."""
    return {"Authorization": f"Bearer {token}"}


class WorkerUnavailable(RuntimeError):
    """The worker could not be reached or answered nonsense; the message is fit for an operator."""


@dataclass(frozen=True)
class ChatReply:
    reply: str
    elapsed_ms: int
    worker_url: str


async def _get_json(base_url: str, path: str, *, token: str | None = None) -> Any:
    headers = bearer_headers(token) if token else {}
    try:
        async with httpx.AsyncClient(timeout=HEALTH_TIMEOUT_S, headers=headers) as client:
            response = await client.get(base_url.rstrip("/") + path)
            response.raise_for_status()
            return response.json()
    except (httpx.HTTPError, ValueError) as error:
        raise WorkerUnavailable(f"worker {base_url} did not answer {path}: {type(error).__name__}") from error


async def fetch_health(base_url: str) -> dict[str, Any]:
    body = await _get_json(base_url, "/health")
    if not isinstance(body, dict):
        raise WorkerUnavailable(f"worker {base_url} sent a /health that is not a JSON object")
    return body


async def fetch_live_calls(base_url: str, *, token: str) -> list[dict[str, Any]]:
    body = await _get_json(base_url, "/calls/live", token=token)
    if not isinstance(body, list):
        raise WorkerUnavailable(f"worker {base_url} sent a /calls/live that is not a JSON list")
    return [call for call in body if isinstance(call, dict)]


async def chat(
    base_url: str, *, token: str, system_prompt: str, text: str, messages: list[dict[str, str]]
) -> ChatReply:
    """One text turn through the worker's language model (the prompt page's "try it" box)."""
    payload = {"system_prompt": system_prompt, "messages": messages, "text": text}
    try:
        async with httpx.AsyncClient(timeout=CHAT_TIMEOUT_S, headers=bearer_headers(token)) as client:
            response = await client.post(base_url.rstrip("/") + "/chat", json=payload)
            response.raise_for_status()
            body = response.json()
    except (httpx.HTTPError, ValueError) as error:
        log.warning("worker chat failed", extra={"worker_url": base_url, "reason": type(error).__name__})
        raise WorkerUnavailable(f"worker {base_url} could not answer: {type(error).__name__}") from error
    if not isinstance(body, dict) or not isinstance(body.get("reply"), str):
        raise WorkerUnavailable(f"worker {base_url} sent a reply without text")
    return ChatReply(reply=body["reply"], elapsed_ms=int(body.get("elapsed_ms", 0)), worker_url=base_url)


async def agent_try(base_url: str, *, token: str, payload: dict[str, Any]) -> dict[str, Any]:
    """One caller line through the worker's planner (the agent page's "try it"); the worker's JSON object.
    The request and the reply are described in functions/admin/agent_try.py."""
    try:
        async with httpx.AsyncClient(timeout=CHAT_TIMEOUT_S, headers=bearer_headers(token)) as client:
            response = await client.post(base_url.rstrip("/") + "/agent/try", json=payload)
        body = response.json() if response.content else None
    except (httpx.HTTPError, ValueError) as error:
        log.warning("worker agent try failed", extra={"worker_url": base_url, "reason": type(error).__name__})
        raise WorkerUnavailable(f"worker {base_url} could not answer: {type(error).__name__}") from error
    detail = _detail(body)
    if response.status_code in (401, 403):
        raise WorkerUnavailable(f"worker {base_url} refused the console's token (check WORKER_API_TOKEN on both sides)")
    if response.status_code == 404 and detail in ("", "Not Found"):
        raise WorkerUnavailable(f"worker {base_url} has no /agent/try (an older worker): deploy the current one")
    if response.is_error:
        raise WorkerUnavailable(f"worker {base_url} answered {response.status_code}: {detail or 'no details'}")
    if not isinstance(body, dict):
        raise WorkerUnavailable(f"worker {base_url} sent a reply that is not a JSON object")
    return body


def _detail(body: Any) -> str:
    """FastAPI's error detail: a message, or {"problems": [...]} for a definition that did not validate."""
    detail = body.get("detail") if isinstance(body, dict) else None
    if isinstance(detail, dict) and isinstance(detail.get("problems"), list):
        return "; ".join(str(problem) for problem in detail["problems"])[:600]
    return str(detail or "")[:300]


async def worker_urls(db: Database, settings: Settings) -> list[str]:
    """Registered workers that are not draining (healthy ones first); the default worker when none."""
    workers = [worker for worker in await list_workers(db) if not worker.draining]
    workers.sort(key=lambda worker: not worker.healthy)
    return [worker.base_url for worker in workers] or [settings.default_worker_url.rstrip("/")]
