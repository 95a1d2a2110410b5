"""Transcribes what the caller actually heard from the agent, with faster-whisper on the CPU."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from gpu_worker.telephony.audio_codec import TELEPHONE_RATE, FloatAudio, resample

logger = logging.getLogger(__name__)

WHISPER_RATE = 16000


class AgentTranscriber:
    """One Whisper model shared by concurrent simulated calls (calls into it are serialised)."""

    def __init__(self, *, model_dir: Path, cpu_threads: int = 2, language: str = "en") -> None:
        if not (model_dir / "model.bin").is_file():
            raise FileNotFoundError(f"no Whisper model at {model_dir} (run `make models`)")
        from faster_whisper import WhisperModel  # imported lazily: heavy

        self.model_name = model_dir.name
        self._model: Any = WhisperModel(str(model_dir), device="cpu", compute_type="int8", cpu_threads=cpu_threads)
        self._lock = threading.Lock()
        self._language = language  # the agent's language on these calls (Spanish needs the multilingual base)

    def transcribe(self, audio_8k: FloatAudio) -> str:
        """Blocking: run it in a thread. Returns the text of 8 kHz mono float audio."""
        if len(audio_8k) < TELEPHONE_RATE // 10:
            return ""
        audio_16k = resample(audio_8k, TELEPHONE_RATE, WHISPER_RATE)
        with self._lock:
            segments, _ = self._model.transcribe(
                audio_16k, language=self._language, beam_size=1, condition_on_previous_text=False, vad_filter=False
            )
            return " ".join(segment.text.strip() for segment in segments).strip()
