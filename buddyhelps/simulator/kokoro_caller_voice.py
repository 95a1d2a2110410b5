"""A simulated caller speaking with a Kokoro voice the agent never uses (em_santa for Spanish callers,
bf_emma, bm_george, af_nicole, am_adam), as 8 kHz mu-law, cached per sentence like the Piper voice."""

from __future__ import annotations

import asyncio
import hashlib
import threading
from pathlib import Path

from buddyhelps.simulator.caller_voice import CALLER_LEVEL, CallerVoice, PiperCallerVoice
from gpu_worker.models.text_to_speech import KokoroOnnxTextToSpeech
from gpu_worker.telephony.audio_codec import TELEPHONE_RATE, float_to_mulaw, resample
from shared.settings import Settings


class KokoroCallerVoice:
    def __init__(self, *, settings: Settings, voice: str, cache_dir: Path) -> None:
        self.voice_id = f"kokoro:{voice}"
        self.cache_dir = cache_dir
        self._settings, self._voice = settings, voice
        self._tts: KokoroOnnxTextToSpeech | None = None
        self._lock = threading.Lock()

    async def speak(self, text: str) -> bytes:
        digest = hashlib.sha256(f"{self.voice_id}\n{text}".encode()).hexdigest()[:32]
        path = self.cache_dir / f"{digest}.ulaw"
        if path.is_file():
            return await asyncio.to_thread(path.read_bytes)
        audio = await self._engine().synthesize(text, voice=self._voice)
        mulaw = float_to_mulaw(resample(audio.samples * CALLER_LEVEL, audio.sample_rate, TELEPHONE_RATE))
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{threading.get_ident()}.tmp")
        partial.write_bytes(mulaw)
        partial.replace(path)
        return mulaw

    def _engine(self) -> KokoroOnnxTextToSpeech:
        with self._lock:
            if self._tts is None:
                self._tts = KokoroOnnxTextToSpeech.from_settings(self._settings)
            return self._tts


def caller_voice_for(voice: str, *, settings: Settings, cache_dir: Path) -> CallerVoice:
    """The scenario's caller voice: Piper's joe by default, else the named Kokoro voice."""
    if voice.startswith("kokoro:"):
        return KokoroCallerVoice(settings=settings, voice=voice.removeprefix("kokoro:"), cache_dir=cache_dir)
    return PiperCallerVoice(cache_dir=cache_dir)
