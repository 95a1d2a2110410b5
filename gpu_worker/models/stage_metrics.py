"""Counting wrappers around the shared models: per-stage queue depth, latency and real-time factor.

They implement the same Protocols, so sessions never know; /health, /stt/stats and the benchmark
read the numbers.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from gpu_worker.models.stages import (
    ChatMessage,
    FloatAudio,
    LanguageModel,
    ModelSet,
    SpeechAudio,
    SpeechToText,
    TextToSpeech,
    Transcription,
    TurnDetector,
)


@dataclass
class StageStats:
    in_flight: int = 0
    calls: int = 0
    failures: int = 0
    cancelled: int = 0  # e.g. speculative transcripts dropped because the caller went on talking
    audio_s: float = 0.0  # audio consumed (STT) or produced (TTS)
    recent_ms: deque[float] = field(default_factory=lambda: deque(maxlen=500))

    def summary(self) -> dict[str, Any]:
        ordered = sorted(self.recent_ms)
        busy_s = sum(ordered) / 1000
        return {
            "in_flight": self.in_flight,
            "calls": self.calls,
            "failures": self.failures,
            "cancelled": self.cancelled,
            "p50_ms": round(ordered[len(ordered) // 2], 1) if ordered else None,
            "p95_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))], 1) if ordered else None,
            "audio_s": round(self.audio_s, 2),
            "real_time_factor": round(busy_s / self.audio_s, 3)
            if self.audio_s and len(ordered) == self.calls
            else None,
        }


class _Timer:
    def __init__(self, stats: StageStats) -> None:
        self._stats = stats
        self._started = 0.0

    def __enter__(self) -> _Timer:
        self._stats.in_flight += 1
        self._started = time.perf_counter()
        return self

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        self._stats.in_flight -= 1
        self._stats.calls += 1
        self._stats.recent_ms.append((time.perf_counter() - self._started) * 1000)
        if isinstance(error, asyncio.CancelledError | GeneratorExit):
            self._stats.cancelled += 1
        elif error is not None:
            self._stats.failures += 1


class CountedSpeechToText:
    def __init__(self, inner: SpeechToText, stats: StageStats) -> None:
        self._inner, self.stats, self.model_name = inner, stats, inner.model_name

    async def transcribe(
        self,
        audio_16k: FloatAudio,
        *,
        language: str | None = "en",
        candidates: Sequence[str] = (),
        prompt: str | None = None,
    ) -> Transcription:
        with _Timer(self.stats):
            result = await self._inner.transcribe(audio_16k, language=language, candidates=candidates, prompt=prompt)
        self.stats.audio_s += len(audio_16k) / 16000
        return result


class CountedLanguageModel:
    def __init__(self, inner: LanguageModel, stats: StageStats) -> None:
        self._inner, self.stats, self.model_name = inner, stats, inner.model_name

    async def stream_reply(
        self, messages: Sequence[ChatMessage], *, max_tokens: int = 96, temperature: float = 0.3
    ) -> AsyncIterator[str]:
        with _Timer(self.stats):
            stream = self._inner.stream_reply(messages, max_tokens=max_tokens, temperature=temperature)
            try:
                async for delta in stream:
                    yield delta
            finally:
                await stream.aclose()  # type: ignore[attr-defined]

    async def complete_json(
        self, messages: Sequence[ChatMessage], *, schema: Mapping[str, Any], max_tokens: int = 400
    ) -> str:
        with _Timer(self.stats):
            return await self._inner.complete_json(messages, schema=schema, max_tokens=max_tokens)


class CountedTextToSpeech:
    def __init__(self, inner: TextToSpeech, stats: StageStats) -> None:
        self._inner, self.stats = inner, stats
        self.model_name, self.sample_rate = inner.model_name, inner.sample_rate

    async def synthesize(self, text: str, *, voice: str | None = None) -> SpeechAudio:
        with _Timer(self.stats):
            audio = await self._inner.synthesize(text, voice=voice)
        self.stats.audio_s += audio.duration_s
        return audio


class CountedTurnDetector:
    def __init__(self, inner: TurnDetector, stats: StageStats) -> None:
        self._inner, self.stats, self.model_name = inner, stats, inner.model_name

    async def end_of_turn_probability(self, audio_16k: FloatAudio) -> float:
        with _Timer(self.stats):
            return await self._inner.end_of_turn_probability(audio_16k)


@dataclass(frozen=True)
class CountedModels:
    models: ModelSet
    stats: Mapping[str, StageStats]

    def summary(self) -> dict[str, dict[str, Any]]:
        return {name: stats.summary() for name, stats in self.stats.items()}


def count_models(models: ModelSet) -> CountedModels:
    stats = {name: StageStats() for name in ("stt", "llm", "tts", "turn")}
    counted = ModelSet(
        stt=CountedSpeechToText(models.stt, stats["stt"]),
        llm=CountedLanguageModel(models.llm, stats["llm"]),
        tts=CountedTextToSpeech(models.tts, stats["tts"]),
        vad=models.vad,
        turn=CountedTurnDetector(models.turn, stats["turn"]),
    )
    return CountedModels(models=counted, stats=stats)
