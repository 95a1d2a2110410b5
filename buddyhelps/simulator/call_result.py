"""What one simulated call produced, and how it is printed (a turn table, or one JSON object)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from buddyhelps.simulator.call_recording import CallRecording
from buddyhelps.simulator.edge_verbs import EdgeEvent
from buddyhelps.simulator.heard_clauses import HeardClause
from buddyhelps.simulator.turns import PacingStats, Turn

# agent_hung_up: the worker closed the stream (normal end); caller_hung_up: scripted hang-up;
# linger_timeout: the agent never ended the call after the script; max_duration: the call ran out;
# voicemail / rejected: the TwiML did not connect a stream; webhook_failed / stream_failed: errors;
# transferred: a person rung with <Dial> answered; edge_hung_up: the edge's TwiML ended the call (no stream).
FAILED_OUTCOMES = frozenset({"webhook_failed", "stream_failed"})


@dataclass(frozen=True, kw_only=True)
class CallResult:
    call_sid: str
    scenario: str
    outcome: str
    detail: str = ""
    stream_sid: str | None = None
    turns: tuple[Turn, ...] = ()
    greeting_ms: float | None = None
    barge_in_ms: float | None = None
    wav_path: Path | None = None
    frames_sent: int = 0
    marks_echoed: int = 0
    dtmf_sent: int = 0
    protocol_errors: tuple[str, ...] = ()
    pacing: PacingStats | None = None
    duration_s: float = 0.0
    notes: tuple[str, ...] = ()
    legs: tuple[str, ...] = ()  # each stream's outcome, then "voicemail" if the call ended there
    edge: tuple[EdgeEvent, ...] = ()  # what Twilio said, gathered, redirected and dialled before or between streams
    recording: CallRecording | None = field(default=None, repr=False, compare=False)
    clauses: tuple[HeardClause, ...] = ()  # the agent's clauses as heard on this stream (heard_clauses.py)
    previous_legs: tuple[CallResult, ...] = ()  # earlier streams of the call (before a transfer, a failover)

    @property
    def all_legs(self) -> tuple[CallResult, ...]:
        """Every stream of the call in order, this one last."""
        return (*self.previous_legs, self)

    @property
    def failed(self) -> bool:
        return self.outcome in FAILED_OUTCOMES

    @property
    def agent_latencies_ms(self) -> list[float]:
        """Reply latencies after caller turns (the greeting excluded)."""
        return [
            turn.latency_ms
            for turn in self.turns
            if turn.speaker == "agent" and turn.reply_to and turn.latency_ms is not None
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "call_sid": self.call_sid,
            "stream_sid": self.stream_sid,
            "scenario": self.scenario,
            "outcome": self.outcome,
            "detail": self.detail,
            "turns": [
                {
                    "speaker": turn.speaker,
                    "text": turn.text,
                    "start_ms": round(turn.start_ms, 1),
                    "end_ms": round(turn.end_ms, 1),
                    "latency_ms": None if turn.latency_ms is None else round(turn.latency_ms, 1),
                }
                for turn in self.turns
            ],
            "greeting_ms": self.greeting_ms,
            "barge_in_ms": self.barge_in_ms,
            "wav": None if self.wav_path is None else str(self.wav_path),
            "frames_sent": self.frames_sent,
            "marks_echoed": self.marks_echoed,
            "dtmf_sent": self.dtmf_sent,
            "protocol_errors": list(self.protocol_errors),
            "pacing": None if self.pacing is None else asdict(self.pacing),
            "duration_s": self.duration_s,
            "notes": list(self.notes),
            "legs": list(self.legs),
            "edge": [asdict(event) for event in self.edge],
            "previous_legs": [leg.to_dict() for leg in self.previous_legs],
        }


def format_report(result: CallResult) -> str:
    """A human-readable turn table with the headline figures."""
    lines = [f"call {result.call_sid}  scenario {result.scenario}  outcome {result.outcome}"]
    if result.detail:
        lines.append(f"  {result.detail}")
    if len(result.legs) > 1:
        lines.append(f"  legs: {' → '.join(result.legs)}")
    for event in result.edge:
        language = f" [{event.language}]" if event.language else ""
        lines.append(f"  edge {event.verb}{language}: {event.detail or '(nothing before the timeout)'}")
    for number, leg in enumerate(result.all_legs, start=1):
        if result.previous_legs:
            lines.append(f"stream {number} ({leg.outcome}; times from its start):")
        lines += _turn_lines(leg)
    lines.append(
        f"greeting {_ms(result.greeting_ms)}  barge-in {_ms(result.barge_in_ms)}  "
        f"frames {result.frames_sent}  marks echoed {result.marks_echoed}  duration {result.duration_s:.1f} s"
    )
    if result.pacing is not None:
        pacing = result.pacing
        lines.append(f"pacing lateness p50 {pacing.p50_ms} ms  p99 {pacing.p99_ms} ms  max {pacing.max_ms} ms")
    if result.wav_path is not None:
        lines.append(f"recording {result.wav_path}")
    lines += [f"protocol error: {error}" for error in result.protocol_errors]
    lines += [f"note: {note}" for note in result.notes]
    return "\n".join(lines)


def _turn_lines(result: CallResult) -> list[str]:
    if not result.turns:
        return []
    lines = [f"{'speaker':<8} {'at s':>6} {'latency ms':>10}  text"]
    for turn in result.turns:
        latency = "" if turn.latency_ms is None else f"{turn.latency_ms:.0f}"
        text = turn.text or ("(not transcribed)" if turn.speaker == "agent" else "")
        lines.append(f"{turn.speaker:<8} {turn.start_ms / 1000:>6.1f} {latency:>10}  {text}")
    return lines


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f} ms"
