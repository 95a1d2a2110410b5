"""The model stages a call session composes, as small Protocols, and the messages between them.

Each stage has a real implementation per backend (speech_to_text.py, language_model.py,
text_to_speech.py, voice_activity.py, turn_detector.py) and fakes in tests that implement the same
Protocol. Blocking model work runs off the event loop inside the implementations.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import numpy as np
import numpy.typing as npt

FloatAudio = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Transcription:
    text: str
    audio_s: float  # length of the audio transcribed
    elapsed_s: float  # compute time spent
    language: str = "en"  # the language transcribed (the one asked for, or the one detected)
    language_probability: float = 1.0  # the detector's confidence; 1.0 when the language was given
    # The decoder's mean log-probability per token (Whisper's avg_logprob); None when the stage has none.
    # Speech over the agent heard with little confidence ("A man hung" for "mm-hmm") does not stop it.
    confidence: float | None = None


@dataclass(frozen=True)
class ChatMessage:
    role: Literal["system", "user", "assistant"]
    content: str


@dataclass(frozen=True)
class SpeechAudio:
    """Mono float32 samples in [-1, 1] at `sample_rate`."""

    samples: FloatAudio
    sample_rate: int

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.sample_rate


class SpeechToText(Protocol):
    model_name: str

    async def transcribe(
        self,
        audio_16k: FloatAudio,
        *,
        language: str | None = "en",
        candidates: Sequence[str] = (),
        prompt: str | None = None,
    ) -> Transcription:
        """Transcribe 16 kHz mono float32 audio in `language`; with None, detect it first (among
        `candidates` when given: the languages the business serves). `prompt`: words the audio may hold
        (the business's name, its people), which the model then spells as written."""
        ...


class LanguageModel(Protocol):
    model_name: str

    def stream_reply(
        self, messages: Sequence[ChatMessage], *, max_tokens: int = 96, temperature: float = 0.3
    ) -> AsyncIterator[str]:
        """Stream the assistant's reply as text deltas. Closing the iterator stops generation."""
        ...

    async def complete_json(
        self, messages: Sequence[ChatMessage], *, schema: Mapping[str, Any], max_tokens: int = 400
    ) -> str:
        """Return text constrained by the JSON schema (the caller still validates it)."""
        ...


class TextToSpeech(Protocol):
    model_name: str
    sample_rate: int

    async def synthesize(self, text: str, *, voice: str | None = None) -> SpeechAudio:
        """Synthesize one short clause."""
        ...


class VadStream(Protocol):
    """Voice activity for one call (the model keeps state between frames)."""

    frame_samples: int  # samples per frame at 8 kHz

    def speech_probability(self, frame_8k: FloatAudio) -> float: ...


class VoiceActivityDetector(Protocol):
    model_name: str

    def new_stream(self) -> VadStream: ...


class TurnDetector(Protocol):
    model_name: str

    async def end_of_turn_probability(self, audio_16k: FloatAudio) -> float:
        """Probability that the caller has finished their turn, from the turn's audio (≤ 8 s used)."""
        ...


@dataclass(frozen=True)
class ModelSet:
    """Every model a worker process loads once at start-up and shares between calls."""

    stt: SpeechToText
    llm: LanguageModel
    tts: TextToSpeech
    vad: VoiceActivityDetector
    turn: TurnDetector

    def names(self) -> dict[str, str]:
        return {
            "stt": self.stt.model_name,
            "llm": self.llm.model_name,
            "tts": self.tts.model_name,
            "vad": self.vad.model_name,
            "turn": self.turn.model_name,
        }
