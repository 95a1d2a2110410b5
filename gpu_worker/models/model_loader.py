"""Load and warm every model of a worker once, at start-up, choosing backends from Settings.

Warm-up runs one real inference per model so the first call does not pay for lazy initialisation
(ONNX Runtime graph optimisation, CTranslate2 buffers, llama.cpp prompt path, espeak start-up).
Load and warm-up times are logged per model.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import numpy as np

from gpu_worker.models.speech_to_text import WhisperSpeechToText
from gpu_worker.models.stages import ChatMessage, LanguageModel, ModelSet
from gpu_worker.models.text_to_speech import text_to_speech_from_settings
from gpu_worker.models.turn_detector import SmartTurnDetector
from gpu_worker.models.voice_activity import VAD_FRAME_SAMPLES, SileroVoiceActivityDetector
from shared.settings import Settings

logger = logging.getLogger(__name__)

T = TypeVar("T")

WARM_UP_TEXT = "Thanks for calling."
WARM_UP_MESSAGES = (
    ChatMessage(role="system", content="You are a receptionist. Answer briefly."),
    ChatMessage(role="user", content="Hello?"),
)


def language_model_from_settings(settings: Settings) -> LanguageModel:
    if settings.llm_backend == "vllm":
        from gpu_worker.models.vllm_language_model import VllmLanguageModel

        return VllmLanguageModel.from_settings(settings)
    from gpu_worker.models.language_model import LlamaCppLanguageModel

    return LlamaCppLanguageModel.from_settings(settings)


async def _timed(stage: str, load: Callable[[], T], warm: Callable[[T], Awaitable[object]]) -> T:
    started = time.perf_counter()
    model = await asyncio.to_thread(load)
    loaded = time.perf_counter()
    await warm(model)
    warmed = time.perf_counter()
    logger.info(
        "model ready",
        extra={
            "stage": stage,
            "model": getattr(model, "model_name", stage),
            "load_s": round(loaded - started, 3),
            "warm_up_s": round(warmed - loaded, 3),
        },
    )
    return model


async def _warm_llm(llm: LanguageModel) -> None:
    async for _ in llm.stream_reply(WARM_UP_MESSAGES, max_tokens=4, temperature=0.0):
        pass


async def _warm_vad(vad: SileroVoiceActivityDetector) -> None:
    vad.new_stream().speech_probability(np.zeros(VAD_FRAME_SAMPLES, dtype=np.float32))


async def load_models(settings: Settings) -> ModelSet:
    """Every model a worker needs, loaded one after another (they share the cores) and warmed."""
    started = time.perf_counter()
    silence_16k = np.zeros(16000, dtype=np.float32)
    stt = await _timed(
        "stt",
        lambda: WhisperSpeechToText.from_settings(settings),
        lambda m: m.transcribe(silence_16k),
    )
    llm = await _timed("llm", lambda: language_model_from_settings(settings), _warm_llm)
    tts = await _timed("tts", lambda: text_to_speech_from_settings(settings), lambda m: m.synthesize(WARM_UP_TEXT))
    vad = await _timed("vad", lambda: SileroVoiceActivityDetector(pool_size=settings.worker_capacity), _warm_vad)
    turn = await _timed(
        "turn",
        lambda: SmartTurnDetector.from_settings(settings),
        lambda m: m.end_of_turn_probability(silence_16k),
    )
    models = ModelSet(stt=stt, llm=llm, tts=tts, vad=vad, turn=turn)
    logger.info(
        "all models ready", extra={"models": models.names(), "total_s": round(time.perf_counter() - started, 3)}
    )
    return models
