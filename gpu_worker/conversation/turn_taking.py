"""When the caller speaks, pauses, and finishes: VAD on every inbound frame, on the audio's own clock.

Time here is the inbound stream's time (20 ms per frame), not the wall clock: the logic is pure and
tests drive it frame by frame. A short pause raises `Paused` (the session then asks the turn model and
starts speech-to-text speculatively); the caller resuming raises `Resumed`; a long pause raises
`TurnEnded` whatever the turn model said (the hard maximum-silence fallback).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gpu_worker.models.stages import FloatAudio, VadStream

FRAME_MS = 20


@dataclass(frozen=True)
class TurnTakingConfig:
    speech_threshold: float = 0.5
    silence_threshold: float = 0.35
    min_speech_ms: int = 90  # this much speech before it counts as the caller talking (not a click)
    pause_ms: int = 160  # silence after speech that triggers the turn model + speculative STT
    max_silence_ms: int = 800  # silence that ends the turn regardless of the turn model
    # ... unless the words at the pause trail off ("my number is 555 301", "and"): a number read in groups
    # has pauses of about a second, and 800 ms cut it into two turns (the second heard as its own answer).
    unfinished_silence_ms: int = 2000
    preroll_ms: int = 240  # audio kept from before speech was detected (word onsets are quiet)
    # A soft start ("this is…", "yes, that's right") scores under the speech threshold for up to a second or
    # two before the VAD is sure (measured with a soft caller voice: "This is Priya Shah" heard as "is prayer
    # shah"). Once speech is confirmed, the utterance reaches back over audio the VAD gave at least this
    # probability, across quiet gaps shorter than onset_gap_ms, up to lookback_ms.
    onset_probability: float = 0.15
    onset_gap_ms: int = 600
    lookback_ms: int = 3000
    max_turn_ms: int = 25_000  # a monologue is cut here and answered


@dataclass(frozen=True)
class SpeechStarted:
    at_ms: int  # when the caller's speech began (stream time)


@dataclass(frozen=True)
class Paused:
    at_ms: int
    started_ms: int
    last_speech_ms: int
    audio_8k: FloatAudio  # the utterance so far


@dataclass(frozen=True)
class Resumed:
    at_ms: int


@dataclass(frozen=True)
class TurnEnded:
    at_ms: int
    last_speech_ms: int
    started_ms: int
    audio_8k: FloatAudio
    forced: bool  # ended by max silence / max length rather than by the turn model


TurnEvent = SpeechStarted | Paused | Resumed | TurnEnded


class TurnTaker:
    """One per call. Feed every inbound 20 ms frame; act on the events it returns."""

    def __init__(self, *, vad: VadStream, config: TurnTakingConfig | None = None) -> None:
        self.config = config or TurnTakingConfig()
        self._vad = vad
        self._window = vad.frame_samples
        self._pending = np.zeros(0, dtype=np.float32)
        self._now_ms = 0
        self._preroll: list[tuple[FloatAudio, float]] = []  # (frame, VAD probability) before the utterance
        self._utterance: list[FloatAudio] = []
        self._speech_run_ms = 0  # consecutive speech before confirmation
        self._speaking = False  # inside an utterance (confirmed speech, maybe pausing)
        self._started_ms = 0
        self._last_speech_ms = 0
        self._paused = False
        self._silence_limit_ms = self.config.max_silence_ms  # this pause's limit; hold_open stretches it
        self._last_probability = 0.0

    @property
    def now_ms(self) -> int:
        return self._now_ms

    @property
    def last_speech_ms(self) -> int:
        """Stream time of the most recent frame with speech in the current utterance."""
        return self._last_speech_ms

    @property
    def in_utterance(self) -> bool:
        return self._speaking

    def speech_ms(self) -> int:
        """How long the current utterance has lasted so far (0 when the caller is quiet)."""
        return self._last_speech_ms - self._started_ms if self._speaking else 0

    def utterance_audio(self) -> FloatAudio:
        """The current utterance so far (8 kHz, preroll included); empty when the caller is quiet."""
        return self._audio() if self._speaking else np.zeros(0, dtype=np.float32)

    def push_frame(self, frame_8k: FloatAudio) -> list[TurnEvent]:
        self._now_ms += FRAME_MS
        self._pending = np.concatenate([self._pending, frame_8k])
        while len(self._pending) >= self._window:
            window, self._pending = self._pending[: self._window], self._pending[self._window :]
            self._last_probability = self._vad.speech_probability(window)
        return self._advance(frame_8k, self._last_probability)

    def hold_open(self) -> None:
        """Let this pause run to `unfinished_silence_ms` before it ends the turn (the words so far may trail
        off; until they are known, the turn is not ended for want of them)."""
        if self._speaking and self._paused:
            self._silence_limit_ms = max(self._silence_limit_ms, self.config.unfinished_silence_ms)

    def release(self) -> None:
        """The words at this pause are a whole sentence: the usual silence ends the turn (at the next frame,
        when that much has passed already)."""
        self._silence_limit_ms = self.config.max_silence_ms

    def end_turn(self) -> TurnEnded | None:
        """The session decided the turn is over (turn model said so during a pause)."""
        if not self._speaking:
            return None
        return self._finish(forced=False)

    def _advance(self, frame: FloatAudio, probability: float) -> list[TurnEvent]:
        config = self.config
        if not self._speaking:
            self._keep_preroll(frame, probability)
            self._speech_run_ms = self._speech_run_ms + FRAME_MS if probability >= config.speech_threshold else 0
            if self._speech_run_ms < config.min_speech_ms:
                return []
            self._speaking, self._paused = True, False
            self._started_ms = self._now_ms - self._speech_run_ms
            self._last_speech_ms = self._now_ms
            self._utterance = self._onset()
            return [SpeechStarted(at_ms=self._started_ms)]
        self._utterance.append(frame)
        return self._advance_in_utterance(probability)

    def _advance_in_utterance(self, probability: float) -> list[TurnEvent]:
        config = self.config
        events: list[TurnEvent] = []
        if probability >= config.silence_threshold:
            self._last_speech_ms = self._now_ms
            if self._paused and probability >= config.speech_threshold:
                self._paused = False
                self._silence_limit_ms = config.max_silence_ms  # the next pause's words decide again
                events.append(Resumed(at_ms=self._now_ms))
            if self._now_ms - self._started_ms >= config.max_turn_ms:
                events.append(self._finish(forced=True))
            return events
        silence = self._now_ms - self._last_speech_ms
        if silence >= self._silence_limit_ms:
            return [self._finish(forced=True)]
        if silence >= config.pause_ms and not self._paused:
            self._paused = True
            return [
                Paused(
                    at_ms=self._now_ms,
                    started_ms=self._started_ms,
                    last_speech_ms=self._last_speech_ms,
                    audio_8k=self._audio(),
                )
            ]
        return events

    def _keep_preroll(self, frame: FloatAudio, probability: float) -> None:
        self._preroll.append((frame, probability))
        keep = max(1, max(self.config.preroll_ms, self.config.lookback_ms) // FRAME_MS)
        if len(self._preroll) > keep:
            del self._preroll[: len(self._preroll) - keep]

    def _onset(self) -> list[FloatAudio]:
        """The audio the utterance starts with: at least preroll_ms, and back to where the caller's soft
        start began (see TurnTakingConfig.onset_probability)."""
        config, frames = self.config, self._preroll
        pad = max(1, config.preroll_ms // FRAME_MS)
        start, quiet = max(0, len(frames) - pad), 0
        for index in range(len(frames) - 1, -1, -1):
            if frames[index][1] >= config.onset_probability:
                start, quiet = min(start, max(0, index - pad)), 0
            else:
                quiet += FRAME_MS
                if quiet >= config.onset_gap_ms:
                    break
        return [frame for frame, _ in frames[start:]]

    def _audio(self) -> FloatAudio:
        return np.concatenate(self._utterance) if self._utterance else np.zeros(0, dtype=np.float32)

    def _finish(self, *, forced: bool) -> TurnEnded:
        ended = TurnEnded(
            at_ms=self._now_ms,
            last_speech_ms=self._last_speech_ms,
            started_ms=self._started_ms,
            audio_8k=self._audio(),
            forced=forced,
        )
        self._speaking, self._paused = False, False
        self._silence_limit_ms = self.config.max_silence_ms
        self._speech_run_ms = 0
        self._utterance, self._preroll = [], []
        return ended
