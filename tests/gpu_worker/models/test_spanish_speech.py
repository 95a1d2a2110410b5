"""Spanish on the phone: Kokoro's Spanish voice speaks it, Whisper base hears which language it is and
the words, after the 8 kHz mu-law line — with accents kept."""

from __future__ import annotations

import pytest

from gpu_worker.models.speech_to_text import WhisperSpeechToText
from gpu_worker.models.text_to_speech import espeak_language
from tests.gpu_worker.spoken_audio import CALLER_SENTENCE, PhoneSpeech, model_settings, spoken, words

pytestmark = pytest.mark.slow

SPANISH = "Hola, se me rompió una tubería en la cocina y hay agua por todas partes."


@pytest.fixture(scope="module")
def spanish_santa() -> PhoneSpeech:
    return spoken(SPANISH, voice="em_santa")


@pytest.fixture(scope="module")
def spanish_alex() -> PhoneSpeech:
    return spoken(SPANISH, voice="em_alex")


@pytest.fixture(scope="module")
def english_emma() -> PhoneSpeech:
    return spoken(CALLER_SENTENCE, voice="bf_emma")


@pytest.fixture(scope="module")
def base_stt() -> WhisperSpeechToText:
    return WhisperSpeechToText.from_settings(model_settings(STT_MODEL="base"))


def test_a_voice_speaks_its_own_language() -> None:
    assert espeak_language("ef_dora") == "es"
    assert espeak_language("af_heart") == "en-us"
    assert espeak_language("bm_george") == "en-gb"


async def test_spanish_is_detected_and_transcribed_with_accents(
    base_stt: WhisperSpeechToText, spanish_santa: PhoneSpeech
) -> None:
    # GIVEN a Spanish caller (a voice no agent uses) over the phone line
    caller = spanish_santa
    # WHEN transcribed with the language left to Whisper, among the business's languages
    result = await base_stt.transcribe(caller.audio_16k, language=None, candidates=("en", "es"))
    # THEN it is Spanish, confidently, and the words are Spanish with their accents
    print(f"\n{result.language} p={result.language_probability:.2f}: {result.text!r}")
    assert result.language == "es"
    assert result.language_probability > 0.5
    assert words(result.text) >= {"tubería", "cocina", "agua"}


async def test_english_stays_english_when_both_are_allowed(
    base_stt: WhisperSpeechToText, english_emma: PhoneSpeech
) -> None:
    caller = english_emma
    result = await base_stt.transcribe(caller.audio_16k, language=None, candidates=("en", "es"))
    assert result.language == "en"
    assert {"water", "basement"} <= words(result.text)


async def test_a_given_language_is_not_second_guessed(base_stt: WhisperSpeechToText, spanish_alex: PhoneSpeech) -> None:
    caller = spanish_alex
    result = await base_stt.transcribe(caller.audio_16k, language="es")
    assert result.language == "es"
    assert result.language_probability == 1.0
    assert "agua" in words(result.text)
