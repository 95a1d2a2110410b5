"""A fake GPU worker app implementing the console's contracts: /health, /events (SSE), /calls/live, /chat,
/agent/try (bearer token checked; it answers with the caller's line and how many turns came before).

Tests push events with POST /test/emit; every connected /events stream receives them.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import StreamingResponse

from shared.settings import DEV_WORKER_API_TOKEN


def create_fake_worker(*, capacity: int = 4) -> FastAPI:
    app = FastAPI()
    subscribers: set[asyncio.Queue[dict[str, Any]]] = set()
    live_calls: list[dict[str, Any]] = []
    chats: list[dict[str, Any]] = []
    app.state.chats = chats
    app.state.live_calls = live_calls

    @app.get("/health")
    async def health() -> dict[str, Any]:
        return {
            "ready": True,
            "active_calls": len(live_calls),
            "capacity": capacity,
            "models": {"stt": "whisper-base", "llm": "qwen2.5-0.5b-q4", "tts": "kokoro"},
            "queues": {"stt": 0, "llm": 1, "tts": 0},
        }

    @app.get("/calls/live")
    async def calls_live() -> list[dict[str, Any]]:
        return live_calls

    @app.post("/chat")
    async def chat(body: dict[str, Any]) -> dict[str, Any]:
        chats.append(body)
        return {"reply": f"(fake worker) You said: {body.get('text', '')}", "elapsed_ms": 42}

    @app.post("/agent/try")
    async def agent_try(body: dict[str, Any], request: Request) -> dict[str, Any]:
        # The real route's contract (gpu_worker/routes/agent_try_route.py): unknown keys are refused.
        if request.headers.get("authorization") != f"Bearer {DEV_WORKER_API_TOKEN}":
            raise HTTPException(401, detail="a valid worker token is required")
        unknown = set(body) - {"business_id", "version", "caller_text", "conversation", "definition"}
        if unknown:
            raise HTTPException(422, detail=f"unknown keys {sorted(unknown)}")
        chats.append({"path": "/agent/try", **body})
        turns, said = len(body.get("conversation", [])), body.get("caller_text", "")
        field = {"value": said, "spoken": said, "status": "given", "label": "Problem"}
        reply = f"(fake planner v{body.get('version')}) after {turns} turns you said: {said}"
        return {"reply": reply, "kind": "scripted", "end_call": False, "fields": {"problem": field},
                "complete": False, "guard_dropped": []}  # fmt: skip

    @app.post("/test/emit")
    async def emit(event: dict[str, Any]) -> dict[str, int]:
        if event.get("type") == "call_started":
            live_calls.append(
                {"call_sid": event["call_sid"], "business_id": event.get("business_id"), "transcript": []}
            )
        for queue in list(subscribers):
            queue.put_nowait(event)
        return {"subscribers": len(subscribers)}

    @app.get("/test/chats")
    async def chat_log() -> list[dict[str, Any]]:
        return chats

    @app.get("/test/subscribers")
    async def subscriber_count() -> dict[str, int]:
        return {"subscribers": len(subscribers)}

    @app.get("/events")
    async def events(request: Request) -> StreamingResponse:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        subscribers.add(queue)

        async def stream() -> AsyncIterator[bytes]:
            try:
                yield b": connected\n\n"
                while True:
                    event = await queue.get()
                    yield f"data: {json.dumps(event)}\n\n".encode()
            finally:
                subscribers.discard(queue)

        return StreamingResponse(stream(), media_type="text/event-stream")

    return app
