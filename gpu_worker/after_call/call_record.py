"""What a call leaves behind: its transcript with timestamps, per-turn latency, DTMF and outcome."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from gpu_worker.telephony.call_recorder import FinishedRecording
from shared.agents.definition import AgentDefinition
from shared.call_report import CallReport, ReportField, Speaker, ToolCallEntry, TranscriptEntry, TurnLatency
from shared.database import utc_now

ReplyKind = Literal["scripted", "llm", "led", "knowledge", "tool"]


@dataclass
class CallRecord:
    call_sid: str
    business_id: str | None
    from_number: str
    to_number: str
    started_at: str = field(default_factory=utc_now)
    transcript: list[TranscriptEntry] = field(default_factory=list)
    latency: list[TurnLatency] = field(default_factory=list)
    dtmf: str = ""
    end_reason: str = "caller_hung_up"
    photo_link_sent: bool = False
    returned_from: str = ""  # a transfer to this person went unanswered: the caller is back with the agent
    # The agent definition the call ran (post-call extraction fills its open fields), what the planner
    # had gathered when the call ended, and the call's language (it may switch during the call).
    definition: AgentDefinition | None = None
    agent_version: int | None = None
    fields: list[ReportField] = field(default_factory=list)
    language: str = "en"
    tools: list[ToolCallEntry] = field(default_factory=list)  # the intent log: each tool the agent used
    # Both sides of the call when its definition records calls: the file on local disk when the call
    # ends, then its blob key once uploaded (only an uploaded recording goes in the report).
    recording: FinishedRecording | None = None
    recording_key: str | None = None

    def add(
        self, speaker: Speaker, text: str, *, start_ms: int, end_ms: int, interrupted: bool = False
    ) -> TranscriptEntry:
        entry = TranscriptEntry(
            speaker=speaker,
            text=text[:4000],
            start_ms=max(0, start_ms),
            end_ms=max(start_ms, end_ms),
            interrupted=interrupted,
        )
        self.transcript.append(entry)
        return entry

    def replace_last_agent(self, text: str, *, end_ms: int) -> TranscriptEntry | None:
        """After barge-in: the agent's last line becomes what the caller actually heard."""
        for index in range(len(self.transcript) - 1, -1, -1):
            entry = self.transcript[index]
            if entry.speaker == "agent":
                updated = entry.model_copy(
                    update={"text": text, "end_ms": max(entry.start_ms, end_ms), "interrupted": True}
                )
                self.transcript[index] = updated
                return updated
        return None

    def add_latency(
        self,
        *,
        eot_ms: float,
        stt_ms: float,
        llm_ms: float,
        tts_ms: float,
        v2v_ms: float,
        reply_kind: ReplyKind | None = None,
        speculation_adopted: bool | None = None,
    ) -> TurnLatency:
        turn = TurnLatency(
            turn=len(self.latency),
            end_of_turn_wait_ms=round(max(0.0, eot_ms), 1),
            stt_ms=round(max(0.0, stt_ms), 1),
            llm_first_token_ms=round(max(0.0, llm_ms), 1),
            tts_first_audio_ms=round(max(0.0, tts_ms), 1),
            voice_to_voice_ms=round(max(0.0, v2v_ms), 1),
            reply_kind=reply_kind,
            speculation_adopted=speculation_adopted,
        )
        self.latency.append(turn)
        return turn

    def transcript_json(self) -> list[dict[str, Any]]:
        return [entry.model_dump() for entry in self.transcript]

    def latency_json(self) -> list[dict[str, Any]]:
        return [turn.model_dump() for turn in self.latency]

    def to_report(self) -> CallReport:
        return CallReport(
            call_sid=self.call_sid,
            business_id=self.business_id,
            from_number=self.from_number,
            to_number=self.to_number,
            started_at=self.started_at,
            ended_at=utc_now(),
            end_reason=self.end_reason,
            transcript=self.transcript[-2000:],
            latency=self.latency[-500:],
            dtmf=self.dtmf[:200],
            photo_link_sent=self.photo_link_sent,
            fields=self.fields[:60],
            tools=self.tools[-100:],
            language=self.language,
            agent_name=self.definition.name if self.definition else None,
            agent_version=self.agent_version,
            recording_key=self.recording_key,
            recording_ms=self.recording.duration_ms if self.recording and self.recording_key else None,
        )
