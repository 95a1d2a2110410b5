"""The agent's clauses as the caller heard them: each clause (the audio between two of the worker's marks, or
after a silence) with when its first frame played and how long after the caller's request that was.

This is what a tool's answer is timed by: a reply may open with other words (an acknowledgement, "One moment,
let me check") before the clause that carries the answer, so the reply's first frame is not enough."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from buddyhelps.simulator.media_session import SessionResult


@dataclass(frozen=True, kw_only=True)
class HeardClause:
    reply_to: int  # caller turns on this stream before it (0: the greeting)
    heard_ms: float  # its first frame played, from the stream's start
    request_end_ms: float | None  # the last speech frame of the caller's turn it answers (None: the greeting)
    first_tick: int  # its ticks in the call recording (for transcribing it)
    last_tick: int
    text: str = ""  # what Whisper hears in it, once transcribed

    @property
    def after_request_ms(self) -> float | None:
        """From the caller's request to this clause being heard."""
        return None if self.request_end_ms is None else self.heard_ms - self.request_end_ms


def heard_clauses(session: SessionResult) -> tuple[HeardClause, ...]:
    tags = np.asarray(session.recording.agent_tags, dtype=np.int64)
    sent_at = session.recording.sent_at
    starts = sorted(session.clause_starts)
    clauses = []
    for index, start in enumerate(starts):
        reply_to = int(tags[start])
        end = starts[index + 1] if index + 1 < len(starts) else len(tags)
        ticks = np.flatnonzero(tags[start:end] == reply_to)
        if reply_to < 0 or not len(ticks):
            continue
        clauses.append(
            HeardClause(
                reply_to=reply_to,
                heard_ms=(sent_at[start] - session.started_at) * 1000,
                request_end_ms=_request_end_ms(session, reply_to),
                first_tick=start,
                last_tick=start + int(ticks[-1]),
            )
        )
    return tuple(clauses)


def _request_end_ms(session: SessionResult, reply_to: int) -> float | None:
    if reply_to == 0 or reply_to > len(session.caller_turns):
        return None
    return (session.caller_turns[reply_to - 1].end_at - session.started_at) * 1000
