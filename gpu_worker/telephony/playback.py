"""What the caller has actually heard: one mark per clause, echoed by Twilio once it has played.

Audio is sent faster than real time and Twilio buffers it, so the marks are the only truth. On
barge-in the agent's reply is truncated to the clauses whose marks came back, plus the words of the
clause in progress that the elapsed time says were played.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field


@dataclass
class QueuedClause:
    reply_id: int
    index: int
    text: str
    duration_ms: float
    mark: str
    frames: list[bytes] = field(repr=False, default_factory=list)
    played: bool = False


@dataclass(frozen=True)
class Heard:
    """What the caller heard of one reply when it was interrupted."""

    reply_id: int
    text: str
    unplayed: tuple[QueuedClause, ...]


class PlaybackTracker:
    def __init__(self) -> None:
        self._clauses: list[QueuedClause] = []
        self._segment_started: float | None = None  # when the clause now playing began (monotonic)
        self._idle = asyncio.Event()
        self._idle.set()

    @property
    def is_playing(self) -> bool:
        return not self._idle.is_set()

    async def wait_idle(self) -> None:
        await self._idle.wait()

    def queue(self, *, reply_id: int, text: str, frames: list[bytes]) -> QueuedClause:
        index = sum(1 for clause in self._clauses if clause.reply_id == reply_id)
        clause = QueuedClause(
            reply_id=reply_id,
            index=index,
            text=text,
            duration_ms=len(frames) * 20.0,
            mark=f"r{reply_id}-c{index}",
            frames=frames,
        )
        if not self.is_playing:
            self._segment_started = time.monotonic()
        self._clauses.append(clause)
        self._idle.clear()
        return clause

    def mark_played(self, name: str) -> QueuedClause | None:
        for clause in self._clauses:
            if clause.mark == name and not clause.played:
                clause.played = True
                self._segment_started = time.monotonic()
                if all(c.played for c in self._clauses):
                    self._idle.set()
                return clause
        return None

    def interrupt(self) -> Heard | None:
        """The caller barged in and the buffer was cleared: return what they heard of the last reply."""
        unplayed = [clause for clause in self._clauses if not clause.played]
        if not unplayed:
            return None
        reply_id = unplayed[0].reply_id
        heard = [clause.text for clause in self._clauses if clause.reply_id == reply_id and clause.played]
        partial = self._partial_words(unplayed[0])
        if partial:
            heard.append(partial + "…")
        self._clauses = [clause for clause in self._clauses if clause.played]
        self._idle.set()
        return Heard(reply_id=reply_id, text=" ".join(heard).strip(), unplayed=tuple(unplayed))

    def _partial_words(self, clause: QueuedClause) -> str:
        if self._segment_started is None or clause.duration_ms <= 0:
            return ""
        elapsed_ms = (time.monotonic() - self._segment_started) * 1000
        fraction = min(1.0, max(0.0, elapsed_ms / clause.duration_ms))
        words = clause.text.split()
        return " ".join(words[: int(len(words) * fraction)])
