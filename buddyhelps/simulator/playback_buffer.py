"""Twilio's playback buffer for the agent's audio, as the simulator emulates it. Pure, clock-free.

The worker may send audio faster than real time; Twilio queues it and plays 20 ms per tick. A mark
is echoed once all audio queued before it has played; `clear` drops unplayed audio and echoes every
pending mark. The caller-side tick loop calls `play_frame()` once per 20 ms.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from gpu_worker.telephony.audio_codec import FRAME_SAMPLES, SILENT_FRAME


@dataclass(frozen=True, kw_only=True)
class PlayedFrame:
    audio: bytes  # 160 bytes of mu-law: agent audio, padded with silence when the queue ran short
    agent_audio: bool  # True when any of it came from the agent
    tag: int  # the tag the first agent byte was queued with (the reply it belongs to), -1 for none
    marks_done: tuple[str, ...]  # marks to echo now: all audio before them has finished playing


class PlaybackBuffer:
    def __init__(self) -> None:
        self._queue: deque[tuple[bytes, int] | str] = deque()  # (audio, tag) or a mark name
        self._queued_bytes = 0
        self._passed_marks: list[str] = []  # crossed during the frame now playing

    @property
    def queued_bytes(self) -> int:
        return self._queued_bytes

    @property
    def is_playing(self) -> bool:
        return self._queued_bytes > 0

    def add_audio(self, mulaw: bytes, *, tag: int = 0) -> None:
        if mulaw:
            self._queue.append((mulaw, tag))
            self._queued_bytes += len(mulaw)

    def add_mark(self, name: str) -> None:
        self._queue.append(name)

    def clear(self) -> tuple[str, ...]:
        """Drop all unplayed audio; return the marks to echo (all pending ones, in order)."""
        marks = [*self._passed_marks, *(item for item in self._queue if isinstance(item, str))]
        self._queue.clear()
        self._queued_bytes = 0
        self._passed_marks = []
        return tuple(marks)

    def play_frame(self) -> PlayedFrame:
        """Play the next 20 ms. Marks reached before any audio of this frame are done."""
        done = [*self._passed_marks]
        self._passed_marks = []
        done += self._pop_leading_marks()
        audio = bytearray()
        tag = -1
        while len(audio) < FRAME_SAMPLES and self._queue:
            head = self._queue[0]
            if isinstance(head, str):
                self._passed_marks.append(head)  # done once this frame has played
                self._queue.popleft()
                continue
            chunk, chunk_tag = head
            take = chunk[: FRAME_SAMPLES - len(audio)]
            tag = chunk_tag if not audio else tag
            audio += take
            self._queued_bytes -= len(take)
            if len(take) == len(chunk):
                self._queue.popleft()
            else:
                self._queue[0] = (chunk[len(take) :], chunk_tag)
        if not audio:
            return PlayedFrame(audio=SILENT_FRAME, agent_audio=False, tag=-1, marks_done=tuple(done))
        # marks right after the last byte played are done when this frame ends
        self._passed_marks += self._pop_leading_marks()
        audio += SILENT_FRAME[: FRAME_SAMPLES - len(audio)]
        return PlayedFrame(audio=bytes(audio), agent_audio=True, tag=tag, marks_done=tuple(done))

    def _pop_leading_marks(self) -> list[str]:
        marks: list[str] = []
        while self._queue:
            head = self._queue[0]
            if not isinstance(head, str):
                break
            self._queue.popleft()
            marks.append(head)
        return marks
