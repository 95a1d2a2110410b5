"""Text-to-speech with Kokoro-82M: int8 ONNX on CPU (kokoro-onnx), PyTorch KPipeline on CUDA.

Both give 24 kHz mono float32. Synthesis runs on one worker thread per model, one clause at a time:
on CPU one synthesis already uses every core, so clauses of different calls queue in FIFO order
instead of slowing each other down.
"""

from __future__ import annotations

import asyncio
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from gpu_worker.models.model_files import model_path
from gpu_worker.models.stages import SpeechAudio
from shared.settings import Settings

logger = logging.getLogger(__name__)

KOKORO_SAMPLE_RATE = 24000
# A Kokoro voice's first letter is its language; kokoro-onnx phonemizes with espeak-ng's language code.
VOICE_LANGUAGES = {"a": "en-us", "b": "en-gb", "e": "es", "f": "fr-fr", "i": "it", "p": "pt-br", "h": "hi"}


def espeak_language(voice: str) -> str:
    """ "ef_dora" → "es", "af_heart" → "en-us": the phonemizer language a voice was trained for."""
    return VOICE_LANGUAGES.get(voice[:1], "en-us")


class SpeechSynthesisError(RuntimeError):
    """The text could not be synthesized (unknown voice, nothing speakable)."""


class KokoroOnnxTextToSpeech:
    """TextToSpeech over kokoro-onnx with the int8 model and the voices prepared by model_files."""

    sample_rate = KOKORO_SAMPLE_RATE

    def __init__(
        self, *, model: Path, voices: Path, voice: str = "af_heart", cpu_threads: int = 2, speed: float = 1.0
    ) -> None:
        import onnxruntime as ort
        from kokoro_onnx import Kokoro

        options = ort.SessionOptions()
        options.intra_op_num_threads = cpu_threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        session = ort.InferenceSession(str(model), sess_options=options, providers=["CPUExecutionProvider"])
        self._kokoro = Kokoro.from_session(session, str(voices))
        self.voices: tuple[str, ...] = tuple(sorted(self._kokoro.voices.files))
        if voice not in self.voices:
            raise SpeechSynthesisError(f"voice {voice!r} is not among {', '.join(self.voices)}")
        self.model_name = f"kokoro-onnx:int8:{voice}"
        self._voice = voice
        self._speed = speed
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tts")

    @classmethod
    def from_settings(cls, settings: Settings) -> KokoroOnnxTextToSpeech:
        return cls(
            model=model_path(settings, "kokoro-model"),
            voices=model_path(settings, "kokoro-voices"),
            voice=settings.tts_voice,
            cpu_threads=settings.cpu_threads,
        )

    async def synthesize(self, text: str, *, voice: str | None = None) -> SpeechAudio:
        chosen = voice or self._voice
        if chosen not in self.voices:
            raise SpeechSynthesisError(f"voice {chosen!r} is not among {', '.join(self.voices)}")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._synthesize_blocking, text, chosen)

    def _synthesize_blocking(self, text: str, voice: str) -> SpeechAudio:
        if not text.strip():
            raise SpeechSynthesisError("nothing to synthesize: the text is empty")
        started = time.perf_counter()
        try:
            samples, rate = self._kokoro.create(text, voice=voice, speed=self._speed, lang=espeak_language(voice))
        except ValueError as error:
            raise SpeechSynthesisError(str(error)) from error
        audio = SpeechAudio(samples=np.asarray(samples, dtype=np.float32), sample_rate=int(rate))
        elapsed = time.perf_counter() - started
        logger.debug(
            "synthesized",
            extra={"chars": len(text), "audio_s": round(audio.duration_s, 3), "elapsed_s": round(elapsed, 3)},
        )
        return audio

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


class KokoroTorchTextToSpeech:
    """TextToSpeech over the `kokoro` PyTorch package on CUDA (GPU image; its weights are baked in)."""

    sample_rate = KOKORO_SAMPLE_RATE

    def __init__(self, *, voice: str = "af_heart", device: str = "cuda", speed: float = 1.0) -> None:
        from kokoro import KPipeline  # only in the GPU image

        # One pipeline per language (its G2P differs); the default voice's is made at start-up.
        self._device = device
        self._pipelines: dict[str, Any] = {voice[0]: KPipeline(lang_code=voice[0], device=device)}
        self.model_name = f"kokoro-torch:{device}:{voice}"
        self._voice = voice
        self._speed = speed
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tts")

    @classmethod
    def from_settings(cls, settings: Settings) -> KokoroTorchTextToSpeech:
        return cls(voice=settings.tts_voice)

    async def synthesize(self, text: str, *, voice: str | None = None) -> SpeechAudio:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._synthesize_blocking, text, voice or self._voice)

    def _synthesize_blocking(self, text: str, voice: str) -> SpeechAudio:
        if not text.strip():
            raise SpeechSynthesisError("nothing to synthesize: the text is empty")
        pipeline = self._pipeline_for(voice)
        pieces = [
            np.asarray(result.audio.detach().cpu().numpy(), dtype=np.float32)
            for result in pipeline(text, voice=voice, speed=self._speed)
            if result.audio is not None
        ]
        if not pieces:
            raise SpeechSynthesisError(f"nothing speakable in {text!r}")
        return SpeechAudio(samples=np.concatenate(pieces), sample_rate=KOKORO_SAMPLE_RATE)

    def _pipeline_for(self, voice: str) -> Any:
        if voice[0] not in self._pipelines:  # runs on the TTS thread: no race between two creations
            from kokoro import KPipeline

            self._pipelines[voice[0]] = KPipeline(lang_code=voice[0], device=self._device)
        return self._pipelines[voice[0]]

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


def text_to_speech_from_settings(settings: Settings) -> KokoroOnnxTextToSpeech | KokoroTorchTextToSpeech:
    if settings.tts_backend == "kokoro-torch":
        return KokoroTorchTextToSpeech.from_settings(settings)
    return KokoroOnnxTextToSpeech.from_settings(settings)
