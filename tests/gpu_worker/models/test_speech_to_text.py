"""WhisperSpeechToText on real speech that went through a phone line (mu-law at 8 kHz)."""

from __future__ import annotations

import asyncio

import pytest

from gpu_worker.models.speech_to_text import WhisperSpeechToText, resolve_stt_model
from tests.gpu_worker.spoken_audio import (
    CALLER_SENTENCE,
    PhoneSpeech,
    model_settings,
    spoken,
    words,
)

pytestmark = pytest.mark.slow

KEY_WORDS = {"water", "heater", "basement", "flooding", "plumber"}


@pytest.fixture(scope="module")
def caller_speech() -> PhoneSpeech:
    return spoken(CALLER_SENTENCE)


@pytest.fixture(scope="module")
def business_name_speech() -> PhoneSpeech:
    return spoken("Hi, I'd like to book Zyphlo Plumbing for a blocked drain.")


@pytest.fixture(scope="module", params=["tiny.en", "base"])
def stt(request: pytest.FixtureRequest) -> WhisperSpeechToText:
    return WhisperSpeechToText.from_settings(model_settings(STT_MODEL=request.param))


@pytest.fixture(scope="module")
def tiny_stt() -> WhisperSpeechToText:
    return WhisperSpeechToText.from_settings(model_settings(STT_MODEL="tiny.en"))


async def test_caller_words_come_back_from_phone_audio(stt, caller_speech):
    # GIVEN a caller's sentence as it arrives over the phone
    # WHEN it is transcribed
    result = await stt.transcribe(caller_speech.audio_16k)
    # THEN the words that matter to the plumber are there, and the timing is reported
    print(f"\n{stt.model_name}: {result.text!r} RTF {result.elapsed_s / result.audio_s:.2f}")
    assert words(result.text) >= KEY_WORDS
    # AND clear speech is heard with confidence (what lets speech over the agent stop it)
    assert result.confidence is not None
    assert -1.0 < result.confidence <= 0.0
    assert result.audio_s == pytest.approx(len(caller_speech.audio_16k) / 16000)
    assert 0 < result.elapsed_s < result.audio_s


async def test_four_calls_at_once_all_get_their_text(tiny_stt, caller_speech):
    # GIVEN four calls finishing a turn at the same moment
    # WHEN all four are transcribed concurrently
    results = await asyncio.gather(*(tiny_stt.transcribe(caller_speech.audio_16k) for _ in range(4)))
    # THEN each gets the same, complete text (queued, not garbled)
    assert len({r.text for r in results}) == 1
    assert words(results[0].text) >= KEY_WORDS


async def test_business_keywords_bias_recognition(tiny_stt, business_name_speech):
    # GIVEN a made-up business name Whisper cannot know
    plain = await tiny_stt.transcribe(business_name_speech.audio_16k)
    # WHEN the business's keywords are given as the prompt
    biased = await tiny_stt.transcribe(business_name_speech.audio_16k, prompt="Zyphlo Plumbing, blocked drain.")
    # THEN the name is spelled the business's way only with the prompt
    print(f"\nplain: {plain.text!r}\nbiased: {biased.text!r}")
    assert "Zyphlo" not in plain.text
    assert "Zyphlo" in biased.text


def test_bundled_names_resolve_to_prepared_folders():
    # GIVEN the two bundled model names
    # WHEN they are resolved
    # THEN each is a CTranslate2 folder under .models
    for name, folder in (("base", "whisper-base"), ("tiny.en", "whisper-tiny.en")):
        path = resolve_stt_model(model_settings(STT_MODEL=name))
        assert path.endswith(folder)


def cuda_devices() -> int:
    import ctranslate2

    return int(ctranslate2.get_cuda_device_count())


@pytest.mark.gpu
@pytest.mark.skipif(cuda_devices() == 0, reason="no CUDA device: the float16 GPU path runs on GPU workers only")
async def test_cuda_float16_transcribes_phone_audio(caller_speech):
    # GIVEN the GPU settings with the bundled base model
    stt = WhisperSpeechToText.from_settings(model_settings(STT_MODEL="base", STT_DEVICE="cuda"))
    # WHEN a caller's sentence is transcribed
    result = await stt.transcribe(caller_speech.audio_16k)
    # THEN the words come back as on CPU
    assert words(result.text) >= KEY_WORDS
    # AND clear speech is heard with confidence (what lets speech over the agent stop it)
    assert result.confidence is not None
    assert -1.0 < result.confidence <= 0.0
