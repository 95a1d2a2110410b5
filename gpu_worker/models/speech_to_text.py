"""Speech-to-text with faster-whisper (CTranslate2): int8 on CPU, float16 on CUDA.

Concurrency: on CPU one transcription already keeps every core busy (CTranslate2 runs the encoder
and decoder on `cpu_threads` threads), so calls run one at a time in FIFO order on one worker
thread. Running four at once on two cores would only make all four finish late (each at ~4x its
solo time) and thrash the caches; in FIFO order the first caller gets its text after 1x, the second
after 2x, and so on. On CUDA the model runs `max_concurrent` (default 2) transcriptions at once.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from gpu_worker.models.model_files import model_path
from gpu_worker.models.stages import FloatAudio, Transcription
from gpu_worker.models.whisper_window import LONGEST_SHORT_CLIP_S, Spoken, detect_language, transcribe_short
from shared.settings import Settings

logger = logging.getLogger(__name__)

SAMPLE_RATE = 16000
LOCAL_MODELS = {"base": "whisper-base", "tiny.en": "whisper-tiny.en"}


def resolve_stt_model(settings: Settings) -> str:
    """A folder under models_dir for the bundled names, a given folder, or a hub name (GPU image)."""
    if settings.stt_model in LOCAL_MODELS:
        return str(model_path(settings, LOCAL_MODELS[settings.stt_model]))
    return settings.stt_model


class WhisperSpeechToText:
    """SpeechToText over faster-whisper; `initial_prompt` biases recognition toward business words."""

    def __init__(
        self,
        *,
        model: str,
        device: str = "cpu",
        cpu_threads: int = 2,
        initial_prompt: str | None = None,
        max_concurrent: int | None = None,
        model_name: str | None = None,
        short_window: bool = True,
    ) -> None:
        from faster_whisper import WhisperModel  # heavy import, kept off module import

        # faster-whisper logs every clip's duration at INFO: one line per caller turn is noise here.
        logging.getLogger("faster_whisper").setLevel(logging.WARNING)
        workers = max_concurrent or (1 if device == "cpu" else 2)
        compute_type = "int8" if device == "cpu" else "float16"
        self.model_name = model_name or f"faster-whisper:{Path(model).name}:{compute_type}"
        self._initial_prompt = initial_prompt
        self._short_window = short_window  # see gpu_worker/models/whisper_window.py
        self._model = WhisperModel(
            model,
            device=device,
            compute_type=compute_type,
            cpu_threads=cpu_threads,
            num_workers=workers,
            local_files_only=True,  # weights are on disk (or baked into the image), never fetched here
        )
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="stt")

    @classmethod
    def from_settings(cls, settings: Settings, *, initial_prompt: str | None = None) -> WhisperSpeechToText:
        return cls(
            model=resolve_stt_model(settings),
            device=settings.stt_device,
            cpu_threads=settings.cpu_threads,
            initial_prompt=initial_prompt,
            model_name=f"faster-whisper:{settings.stt_model}",
        )

    async def transcribe(
        self,
        audio_16k: FloatAudio,
        *,
        prompt: str | None = None,
        language: str | None = "en",
        candidates: Sequence[str] = (),
    ) -> Transcription:
        """Transcribe 16 kHz mono float32 audio; `prompt` (business keywords) overrides the default;
        `language=None` detects the language (among `candidates` when given) before transcribing."""
        loop = asyncio.get_running_loop()
        spoken = Spoken(language, tuple(candidates))
        return await loop.run_in_executor(self._executor, self._transcribe_blocking, audio_16k, prompt, spoken)

    def _transcribe_blocking(self, audio_16k: FloatAudio, prompt: str | None, spoken: Spoken) -> Transcription:
        audio = np.ascontiguousarray(audio_16k, dtype=np.float32)
        started = time.perf_counter()
        chosen_prompt = prompt if prompt is not None else self._initial_prompt
        if self._short_window and len(audio) / SAMPLE_RATE <= LONGEST_SHORT_CLIP_S:
            short = transcribe_short(self._model, audio, prompt=chosen_prompt, spoken=spoken)
            elapsed = time.perf_counter() - started
            return Transcription(
                short.text, len(audio) / SAMPLE_RATE, elapsed, short.language, short.probability, short.confidence
            )
        language, probability = detect_language(self._model, audio, spoken)
        segments, _info = self._model.transcribe(
            audio,
            language=language,
            beam_size=1,
            vad_filter=False,
            condition_on_previous_text=False,
            without_timestamps=True,
            initial_prompt=chosen_prompt,
        )
        # The segments are a lazy generator: decoding happens while it is iterated, here in the thread.
        decoded = list(segments)
        text = " ".join(segment.text.strip() for segment in decoded).strip()
        confidence = sum(s.avg_logprob for s in decoded) / len(decoded) if decoded else None
        elapsed = time.perf_counter() - started
        return Transcription(text, len(audio) / SAMPLE_RATE, elapsed, language, probability, confidence)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
