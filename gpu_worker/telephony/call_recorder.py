"""Both sides of one call as one stereo WAV: left the caller, right the agent, on the stream's clock.

The clock is Twilio's: each inbound frame carries its `timestamp` (ms since the stream started), and the
latest one says what time it is on the line. A caller frame lands at its timestamp. An agent frame lands
where the caller heard it: Twilio plays what it is sent in order, at the line's pace, from the moment it
arrives, so a frame sent now plays now, or right after the audio still queued before it. `clear` drops
that queue: whatever was placed after "now" is taken out again (the caller never heard it). Wherever
nobody spoke, the track is silence.

Memory stays small: everything before "now" is final (nothing can move it any more), so it is written
to the WAV file every second; only the last second of the caller and the agent's queued audio are held.
The file stops growing at `max_ms` (the call's time limit). The call never waits on this: every write is
a small buffered append, and a failure (a full disk, say) turns the recorder off and drops the file.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gpu_worker.telephony.audio_codec import MULAW_SILENCE, TELEPHONE_RATE, Pcm16Audio, mulaw_to_pcm16
from shared.settings import Settings

log = logging.getLogger(__name__)
SAMPLES_PER_MS = TELEPHONE_RATE // 1000  # mu-law: one byte per sample
FLUSH_MS = 1000
WRITE_BUFFER_BYTES = 256 * 1024
CONTENT_TYPE = "audio/wav"
CLOSING_GRACE_MS = 60_000  # past MAX_CALL_SECONDS the agent still says its closing line
STAGING_FOLDER = "recording-staging"  # under the data folder: the files of calls not uploaded yet


@dataclass(frozen=True)
class FinishedRecording:
    """A complete stereo WAV on local disk, to upload; `duration_ms` is its length."""

    path: Path
    duration_ms: int


class CallRecorder:
    def __init__(self, *, path: Path, max_ms: int, flush_ms: int = FLUSH_MS) -> None:
        self.path = path
        self._max = max(0, max_ms) * SAMPLES_PER_MS  # in samples
        self._flush = max(1, flush_ms) * SAMPLES_PER_MS
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = path.open("wb", buffering=WRITE_BUFFER_BYTES)
        self._wav = wave.open(self._file, "wb")  # noqa: SIM115 - closed in finish()/discard()
        self._wav.setnchannels(2)
        self._wav.setsampwidth(2)
        self._wav.setframerate(TELEPHONE_RATE)
        self._written = 0  # samples already in the file: the start of the buffers below
        self._now = 0  # the line's clock, in samples: the end of the latest caller frame
        self._caller = bytearray()  # mu-law from `_written` on
        self._agent = bytearray()  # mu-law from `_written` on, including audio queued past `_now`
        self._agent_end = 0  # where the agent's next frame plays (samples): the end of Twilio's queue
        self.failed = False
        self.closed = False
        self.late_frames = 0  # caller frames older than what was already written (out of order)

    @property
    def active(self) -> bool:
        return not (self.failed or self.closed)

    # --- the call's events -----------------------------------------------------------------------------
    def caller_frame(self, timestamp_ms: int, payload: bytes) -> None:
        """An inbound frame: the caller's audio at `timestamp_ms`; it also moves the line's clock."""
        if not self.active:
            return
        try:
            start = timestamp_ms * SAMPLES_PER_MS
            if start >= self._max:  # past the time limit: the file is complete
                self._now = max(self._now, start + len(payload))
                return
            if start < self._written:
                self.late_frames += 1
                return
            _place(self._caller, start - self._written, payload)
            self._now = max(self._now, start + len(payload))
            if self._now - self._written >= self._flush:
                self._write_until(self._now)
        except Exception:  # recording is a side line: the call goes on without it
            log.exception("recording a caller frame failed; this call goes on unrecorded")
            self._fail()

    def agent_frame(self, payload: bytes) -> None:
        """An outbound frame, as it is written to the socket: it plays now or after what is queued."""
        if not self.active:
            return
        try:
            start = max(self._now, self._agent_end)
            if self._written <= start < self._max:
                _place(self._agent, start - self._written, payload)
            self._agent_end = start + len(payload)
        except Exception:
            log.exception("recording an agent frame failed; this call goes on unrecorded")
            self._fail()

    def agent_cleared(self) -> None:
        """`clear` went out: Twilio dropped everything not played yet, so the recording drops it too."""
        if not self.active:
            return
        keep = max(0, self._now - self._written)
        del self._agent[keep:]
        self._agent_end = self._now

    # --- the end -----------------------------------------------------------------------------------------
    def finish(self) -> FinishedRecording | None:
        """Close the file at the line's last moment; None when nothing was recorded or recording failed."""
        if not self.active:
            return None
        try:
            self._write_until(self._now)
            self.closed = True
            duration_ms = self._written // SAMPLES_PER_MS
            self._wav.close()  # patches the header's sizes
            self._file.close()
        except Exception:
            log.exception("finishing the recording failed; the call's report goes without it")
            self._fail()
            return None
        if duration_ms == 0:
            self.path.unlink(missing_ok=True)
            return None
        if self.late_frames:
            log.info("caller frames arrived out of order", extra={"count": self.late_frames})
        return FinishedRecording(path=self.path, duration_ms=duration_ms)

    def discard(self) -> None:
        """Stop and remove the file (a call that ends before anything is worth keeping)."""
        self.closed = True
        self._close_quietly()
        self.path.unlink(missing_ok=True)

    def _write_until(self, end: int) -> None:
        end = min(end, self._max)
        count = end - self._written
        if count <= 0:
            return
        left = _pcm(self._caller, count)
        right = _pcm(self._agent, count)
        stereo = np.empty(count * 2, dtype="<i2")
        stereo[0::2], stereo[1::2] = left, right
        self._wav.writeframesraw(stereo.tobytes())
        del self._caller[:count]
        del self._agent[:count]
        self._written = end
        if self._written >= self._max:
            self._caller.clear()
            self._agent.clear()

    def _fail(self) -> None:
        self.failed = True
        self._close_quietly()
        with contextlib.suppress(OSError):
            self.path.unlink(missing_ok=True)

    def _close_quietly(self) -> None:
        for closing in (self._wav.close, self._file.close):
            try:
                closing()
            except (OSError, ValueError, wave.Error) as error:  # a broken file: nothing more to do with it
                log.info("recording file did not close cleanly", extra={"reason": str(error)})


def _place(track: bytearray, offset: int, payload: bytes) -> None:
    """Write `payload` into `track` at `offset`, padding any gap before it with mu-law silence."""
    end = offset + len(payload)
    if len(track) < end:
        track.extend(bytes([MULAW_SILENCE]) * (end - len(track)))
    track[offset:end] = payload


def _pcm(track: bytearray, count: int) -> Pcm16Audio:
    """The first `count` samples of a mu-law track as PCM16 (silence past its end)."""
    head = bytes(track[:count])
    if len(head) < count:
        head += bytes([MULAW_SILENCE]) * (count - len(head))
    return mulaw_to_pcm16(head)


def start_recorder(settings: Settings, *, call_sid: str) -> CallRecorder | None:
    """A recorder for one call, writing under the worker's data folder; None (logged) when it cannot start."""
    path = settings.data_dir / STAGING_FOLDER / f"{secrets.token_hex(8)}.wav"
    try:
        return CallRecorder(path=path, max_ms=int(settings.max_call_seconds * 1000) + CLOSING_GRACE_MS)
    except Exception:  # the call goes ahead unrecorded
        log.exception("could not start recording this call", extra={"call_sid": call_sid})
        return None
