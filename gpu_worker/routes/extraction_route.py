"""POST /extract on the worker: a transcript → the definition's fields as the owner would get them
(for testing and benchmarking; the template names the definition, plumbing by default)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field

from gpu_worker.after_call.field_extraction import complete_fields, legacy_extraction
from gpu_worker.models.stages import ModelSet
from shared.agents.templates import TemplateError, load_template
from shared.call_report import TranscriptEntry

router = APIRouter()


class ExtractRequest(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    transcript: list[TranscriptEntry] = Field(max_length=2000)
    caller_number: str = Field(default="", max_length=32)
    template: str = Field(default="plumbing", max_length=40)
    language: str = Field(default="en", max_length=8)


@router.post("/extract")
async def extract(body: ExtractRequest, request: Request) -> dict[str, Any]:
    models: ModelSet | None = getattr(request.app.state, "models", None)
    if models is None:
        raise HTTPException(status_code=503, detail="models are still loading")
    try:
        definition = load_template(body.template)
    except TemplateError as error:
        raise HTTPException(status_code=422, detail=str(error)) from error
    outcome = await complete_fields(
        models.llm,
        definition=definition,
        known=[],
        transcript=body.transcript,
        caller_number=body.caller_number,
        language=body.language,
    )
    ok = outcome.status == "ok"
    return {
        "status": outcome.status,
        "fields": [entry.model_dump() for entry in outcome.fields],
        "extraction": legacy_extraction(outcome.fields, outcome.notes).model_dump() if ok else None,
        "error": outcome.error,
        "attempts": outcome.attempts,
        "elapsed_ms": outcome.elapsed_ms,
    }
