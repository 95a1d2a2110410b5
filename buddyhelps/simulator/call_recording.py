"""Both sides of a simulated call, tick by tick: left = caller as sent, right = agent as played."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

from gpu_worker.telephony.audio_codec import FRAME_SAMPLES, TELEPHONE_RATE, FloatAudio, mulaw_to_float, mulaw_to_pcm16

NO_AGENT_AUDIO = -1


class CallRecording:
    def __init__(self) -> None:
        self._caller = bytearray()
        self._agent = bytearray()
        self.sent_at: list[float] = []  # monotonic send time of each tick
        self.agent_tags: list[int] = []  # reply generation of the agent audio played, or NO_AGENT_AUDIO

    @property
    def ticks(self) -> int:
        return len(self.sent_at)

    def add_tick(self, *, caller: bytes, agent: bytes, agent_tag: int, sent_at: float) -> None:
        self._caller += caller
        self._agent += agent
        self.agent_tags.append(agent_tag)
        self.sent_at.append(sent_at)

    def agent_audio(self, first_tick: int, last_tick: int) -> FloatAudio:
        """The agent's played audio from `first_tick` to `last_tick` inclusive, as 8 kHz float."""
        return mulaw_to_float(bytes(self._agent[first_tick * FRAME_SAMPLES : (last_tick + 1) * FRAME_SAMPLES]))

    def write_wav(self, path: Path) -> Path:
        """Write a 16-bit stereo 8 kHz WAV (left caller, right agent)."""
        stereo = np.empty((len(self._caller), 2), dtype=np.int16)
        stereo[:, 0] = mulaw_to_pcm16(bytes(self._caller))
        stereo[:, 1] = mulaw_to_pcm16(bytes(self._agent))
        path.parent.mkdir(parents=True, exist_ok=True)
        with wave.open(str(path), "wb") as wav:
            wav.setnchannels(2)
            wav.setsampwidth(2)
            wav.setframerate(TELEPHONE_RATE)
            wav.writeframes(stereo.astype("<i2").tobytes())
        return path
