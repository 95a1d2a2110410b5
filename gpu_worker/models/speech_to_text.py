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
        audio_s = len(audio) / SAMPLE_RATE
        if not self._short_window or audio_s > LONGEST_SHORT_CLIP_S:
            language, probability = detect_language(self._model, audio, spoken)
            text, confidence = self._full_window(audio, language, chosen_prompt)
            return Transcription(text, audio_s, time.perf_counter() - started, language, probability, confidence)
        short = transcribe_short(self._model, audio, prompt=chosen_prompt, spoken=spoken)
        text, confidence = short.text, short.confidence
        if cut_short(text, audio_s):
            # The short window stopped after a word or two of a longer utterance ("Hi" for "Hi, could you put
            # me through to Marco, please?"): the full window, slower, hears it all.
            again, again_confidence = self._full_window(audio, short.language, chosen_prompt)
            if len(again.split()) > len(text.split()):
                text, confidence = again, again_confidence
        elapsed = time.perf_counter() - started
        return Transcription(text, audio_s, elapsed, short.language, short.probability, confidence)

    def _full_window(self, audio: FloatAudio, language: str, prompt: str | None) -> tuple[str, float | None]:
        """faster-whisper's own 30 s window: the words and their mean log-probability per token."""
        segments, _info = self._model.transcribe(
            audio,
            language=language,
            beam_size=1,
            vad_filter=False,
            condition_on_previous_text=False,
            without_timestamps=True,
            initial_prompt=prompt,
        )
        # The segments are a lazy generator: decoding happens while it is iterated, here in the thread.
        decoded = list(segments)
        text = " ".join(segment.text.strip() for segment in decoded).strip()
        return text, (sum(s.avg_logprob for s in decoded) / len(decoded) if decoded else None)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


SHORT_TEXT_WORDS = 2
LONG_CLIP_S = 2.0  # with the padding a turn carries, at least two seconds of it is more than a word or two


def cut_short(text: str, audio_s: float) -> bool:
    """A transcript of a word or two for two seconds or more of a caller's turn: the short window's decoder
    ended early (it does, on some onsets), not a caller who said only "Hi"."""
    return audio_s >= LONG_CLIP_S and len(text.split()) <= SHORT_TEXT_WORDS
