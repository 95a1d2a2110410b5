"""Turns of a simulated call and the caller-side latency figures, computed after the call.

Agent audio is tagged on arrival with the number of caller turns completed so far, so agent turn g is
the agent's reply to caller turn g (turn 0 is the greeting). Latency is measured where a caller feels
it: last caller speech frame sent → first agent media frame received after it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from buddyhelps.simulator.media_session import FRAME_S, SessionResult


@dataclass(frozen=True, kw_only=True)
class Turn:
    speaker: Literal["caller", "agent"]
    text: str
    start_ms: float
    end_ms: float
    latency_ms: float | None = None
    reply_to: int | None = None  # agent turns: caller turns before it (0 = the greeting)
    first_tick: int = -1  # agent turns: the played ticks, for transcription
    last_tick: int = -1


@dataclass(frozen=True, kw_only=True)
class PacingStats:
    """How late media frames left versus their 20 ms deadlines."""

    frames: int
    p50_ms: float
    p99_ms: float
    max_ms: float


def greeting_ms(session: SessionResult) -> float | None:
    first = session.first_agent_media_at.get(0)
    return None if first is None else (first - session.started_at) * 1000


def build_turns(session: SessionResult) -> list[Turn]:
    t0 = session.started_at
    turns = [
        Turn(speaker="caller", text=turn.text, start_ms=(turn.start_at - t0) * 1000, end_ms=(turn.end_at - t0) * 1000)
        for turn in session.caller_turns
    ]
    turns += _agent_turns(session)
    return sorted(turns, key=lambda turn: turn.start_ms)


def _agent_turns(session: SessionResult) -> list[Turn]:
    tags = np.asarray(session.recording.agent_tags, dtype=np.int64)
    sent_at = session.recording.sent_at
    t0 = session.started_at
    turns = []
    for generation in sorted({int(tag) for tag in tags if tag >= 0}):
        ticks = np.flatnonzero(tags == generation)
        first, last = int(ticks[0]), int(ticks[-1])
        turns.append(
            Turn(
                speaker="agent",
                text="",
                start_ms=(sent_at[first] - t0) * 1000,
                end_ms=(sent_at[last] + FRAME_S - t0) * 1000,
                latency_ms=_latency_ms(session, generation),
                reply_to=generation,
                first_tick=first,
                last_tick=last,
            )
        )
    return turns


def _latency_ms(session: SessionResult, generation: int) -> float | None:
    received = session.first_agent_media_at.get(generation)
    if received is None:
        return None
    if generation == 0:
        return (received - session.started_at) * 1000
    if generation > len(session.caller_turns):
        return None
    return (received - session.caller_turns[generation - 1].end_at) * 1000


def pacing_stats(lateness_s: tuple[float, ...]) -> PacingStats:
    if not lateness_s:
        return PacingStats(frames=0, p50_ms=0.0, p99_ms=0.0, max_ms=0.0)
    late_ms = np.asarray(lateness_s) * 1000
    return PacingStats(
        frames=len(lateness_s),
        p50_ms=round(float(np.percentile(late_ms, 50)), 2),
        p99_ms=round(float(np.percentile(late_ms, 99)), 2),
        max_ms=round(float(late_ms.max()), 2),
    )
