"""Agent speech on the phone line: TTS audio → 8 kHz mu-law 20 ms frames, and cached greetings."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Protocol

from gpu_worker.models.stages import SpeechAudio, TextToSpeech
from gpu_worker.telephony.audio_codec import TELEPHONE_RATE, mulaw_frames, resample

log = logging.getLogger(__name__)


def speech_to_frames(audio: SpeechAudio) -> list[bytes]:
    samples = resample(audio.samples, audio.sample_rate, TELEPHONE_RATE)
    return mulaw_frames(samples)


class Phrases(Protocol):
    """Where a reply looks for a clause's frames before synthesizing it."""

    def cached(self, text: str, voice: str) -> list[bytes] | None: ...

    async def frames(self, text: str, voice: str) -> list[bytes]: ...


class PhraseCache:
    """Frames of fixed phrases (greetings, fallback lines) synthesized once per (text, voice)."""

    def __init__(self, *, tts: TextToSpeech, max_entries: int = 256) -> None:
        self._tts = tts
        self._frames: dict[tuple[str, str], list[bytes]] = {}
        self._locks: dict[tuple[str, str], asyncio.Lock] = {}
        self._max_entries = max_entries

    def cached(self, text: str, voice: str) -> list[bytes] | None:
        return self._frames.get((text, voice))

    async def prepare(self, line: str, voice: str) -> None:
        """Synthesize a fixed line as the clauses a reply will be cut into, so each is found here."""
        from gpu_worker.conversation.clause_splitter import clauses_of

        for clause in clauses_of(line):
            await self.frames(clause, voice)

    async def frames(self, text: str, voice: str) -> list[bytes]:
        key = (text, voice)
        found = self._frames.get(key)
        if found is not None:
            return found
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            found = self._frames.get(key)
            if found is None:
                started = time.perf_counter()
                found = speech_to_frames(await self._tts.synthesize(text, voice=voice))
                if len(self._frames) >= self._max_entries:
                    self._frames.pop(next(iter(self._frames)))
                self._frames[key] = found
                log.info(
                    "phrase synthesized",
                    extra={"chars": len(text), "ms": round((time.perf_counter() - started) * 1000)},
                )
        return found


class CallPhrases:
    """One call's own lines (its caller-ID question) over the worker's shared cache of fixed lines. Kept
    apart so that a stream of calls never pushes the fixed lines out of the shared cache."""

    def __init__(self, shared: PhraseCache, *, max_entries: int = 16) -> None:
        self._shared = shared
        self._own: dict[tuple[str, str], list[bytes]] = {}
        self._max_entries = max_entries

    def cached(self, text: str, voice: str) -> list[bytes] | None:
        return self._own.get((text, voice)) or self._shared.cached(text, voice)

    async def frames(self, text: str, voice: str) -> list[bytes]:
        return self.cached(text, voice) or await self._shared.frames(text, voice)

    async def prepare_own(self, line: str, voice: str, tts: TextToSpeech) -> None:
        """Synthesize this call's line clause by clause (clauses the shared cache has are not made again)."""
        from gpu_worker.conversation.clause_splitter import clauses_of

        for clause in clauses_of(line):
            if self.cached(clause, voice) is None and len(self._own) < self._max_entries:
                self._own[(clause, voice)] = speech_to_frames(await tts.synthesize(clause, voice=voice))
