"""The report a worker sends to POST /api/call-complete when a call ends (JSON, HMAC-signed).

Pydantic because it crosses a process boundary; both sides validate with this one model.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Urgency = Literal["emergency", "soon", "routine"]
# The end reason of a stream the agent handed to someone (a transfer): one part of the call's report.
TRANSFERRED = "transferred"
Speaker = Literal["caller", "agent", "dtmf", "system"]


class TranscriptEntry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    speaker: Speaker
    text: str = Field(max_length=4000)
    start_ms: int = Field(ge=0)
    end_ms: int = Field(ge=0)
    interrupted: bool = False  # agent speech cut off by the caller: `text` is what was actually heard


class TurnLatency(BaseModel):
    """One caller turn → agent reply, as measured inside the worker (milliseconds)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    turn: int = Field(ge=0)
    end_of_turn_wait_ms: float = Field(ge=0)
    stt_ms: float = Field(ge=0)
    llm_first_token_ms: float = Field(ge=0)
    tts_first_audio_ms: float = Field(ge=0)
    voice_to_voice_ms: float = Field(ge=0)
    # Set by the conversation engine when it knows them; `buddyhelps bench` splits figures by them.
    reply_kind: Literal["scripted", "llm", "led", "knowledge", "tool"] | None = None
    speculation_adopted: bool | None = None  # the reply planned during the caller's pause was the one played


class Extraction(BaseModel):
    """What the owner needs from the call; every field present, empty string when unknown."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    customer_name: str = Field(default="", max_length=200)
    problem: str = Field(default="", max_length=500)
    urgency: Urgency = "routine"
    location: str = Field(default="", max_length=500)
    callback_phone: str = Field(default="", max_length=20)
    notes: str = Field(default="", max_length=2000)


FieldStatus = Literal["confirmed", "given", "extracted", "refused", "unknown", "missing"]


class ToolCallEntry(BaseModel):
    """One tool the agent used on the call (the console's intent log): what it was asked, what it said."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(max_length=40)
    arguments: dict[str, str] = Field(default_factory=dict)
    outcome: Literal["ok", "failed", "timed_out", "invalid", "cancelled"]
    result: str = Field(default="", max_length=2000)
    detail: dict[str, str] = Field(default_factory=dict)
    duration_ms: int = Field(ge=0)


class ReportField(BaseModel):
    """One field of the call's agent definition, as the owner sees it. `confirmed`: the caller agreed to
    it in the read-back; `given`: they said it; `extracted`: filled after the call from the transcript;
    `refused`/`unknown`: asked, and the person would not or could not say (outbound goals)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(max_length=40)
    label: str = Field(max_length=200)
    kind: str = Field(max_length=20)
    value: str = Field(default="", max_length=2000)  # normalised: E.164, ISO date, HH:MM, "45.00 USD"…
    spoken: str = Field(default="", max_length=2000)
    status: FieldStatus = "missing"


class CallReport(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    call_sid: str = Field(min_length=2, max_length=64)
    business_id: str | None = Field(default=None, max_length=64)
    from_number: str = Field(max_length=32)
    to_number: str = Field(max_length=32)
    direction: Literal["inbound", "outbound"] = "inbound"
    started_at: str  # UTC ISO-8601
    ended_at: str
    end_reason: str = Field(max_length=64)  # agent_completed | caller_hung_up | silence | transfer | error ...
    transcript: list[TranscriptEntry] = Field(default_factory=list, max_length=2000)
    extraction: Extraction | None = None
    extraction_status: Literal["ok", "failed"] = "failed"
    extraction_error: str | None = Field(default=None, max_length=1000)
    latency: list[TurnLatency] = Field(default_factory=list, max_length=500)
    dtmf: str = Field(default="", max_length=200)
    recording_key: str | None = Field(default=None, max_length=500)  # both sides, a stereo WAV in blob storage
    recording_ms: int | None = Field(default=None, ge=0)  # its length
    goal: str | None = Field(default=None, max_length=2000)  # outbound calls
    photo_link_sent: bool = False  # the agent already texted the caller a photo link during the call
    # The agent definition's fields (in its order) and the call's language; empty for reports of workers
    # older than agent definitions, which carry only `extraction`.
    fields: list[ReportField] = Field(default_factory=list, max_length=60)
    tools: list[ToolCallEntry] = Field(default_factory=list, max_length=100)
    language: str = Field(default="en", max_length=8)
    agent_name: str | None = Field(default=None, max_length=100)
    agent_version: int | None = Field(default=None, ge=1)
