"""POST /extract on the worker: a transcript → the extraction JSON (for testing and benchmarking)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field

from gpu_worker.after_call.extraction import extract_call_details
from gpu_worker.models.stages import ModelSet
from shared.call_report import TranscriptEntry

router = APIRouter()


class ExtractRequest(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    transcript: list[TranscriptEntry] = Field(max_length=2000)
    caller_number: str = Field(default="", max_length=32)


@router.post("/extract")
async def extract(body: ExtractRequest, request: Request) -> dict[str, Any]:
    models: ModelSet | None = getattr(request.app.state, "models", None)
    if models is None:
        raise HTTPException(status_code=503, detail="models are still loading")
    outcome = await extract_call_details(models.llm, transcript=body.transcript, caller_number=body.caller_number)
    return {
        "status": outcome.status,
        "extraction": outcome.extraction.model_dump() if outcome.extraction else None,
        "error": outcome.error,
        "attempts": outcome.attempts,
        "elapsed_ms": outcome.elapsed_ms,
    }
