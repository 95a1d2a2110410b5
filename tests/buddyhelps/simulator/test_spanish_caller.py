"""The Spanish scenarios' caller: Kokoro em_santa on a phone line, heard by the worker's Whisper base as
Spanish on the first turn, sure enough for the call to switch (the real models, no fakes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from buddyhelps.simulator.kokoro_caller_voice import KokoroCallerVoice, caller_voice_for
from buddyhelps.simulator.scenario import load_scenario
from gpu_worker.conversation.language_switch import FIRST_TURN_PROBABILITY, Heard, LanguageSwitch
from gpu_worker.models.model_files import ModelFilesMissing, model_path
from gpu_worker.models.speech_to_text import WhisperSpeechToText
from gpu_worker.telephony.audio_codec import mulaw_to_float, resample
from shared.settings import load_settings

SPANISH_SCENARIOS = ("spanish-burst-pipe", "spanish-routine-leak", "spanish-keypad")


def test_the_spanish_scenarios_use_a_voice_no_agent_uses() -> None:
    for name in SPANISH_SCENARIOS:
        scenario = load_scenario(name)
        assert scenario.language == "es"
        assert scenario.voice == "kokoro:em_santa"
    voice = caller_voice_for("kokoro:em_santa", settings=load_settings(), cache_dir=Path("unused"))
    assert isinstance(voice, KokoroCallerVoice)


@pytest.mark.slow
async def test_whisper_hears_the_first_spanish_turn_as_spanish_and_the_call_switches(tmp_path: Path) -> None:
    settings = load_settings()
    try:
        folder = model_path(settings, "whisper-base")
        model_path(settings, "kokoro-model")
    except ModelFilesMissing as error:
        pytest.skip(str(error))
    first = load_scenario("spanish-burst-pipe").lines[0].text
    # GIVEN the scenario's first line in em_santa's voice as it arrives over the phone (8 kHz mu-law)
    mulaw = await KokoroCallerVoice(settings=settings, voice="em_santa", cache_dir=tmp_path).speak(first)
    audio = resample(mulaw_to_float(mulaw), 8000, 16000)
    # WHEN the worker's speech-to-text detects its language among those the business serves
    heard = await WhisperSpeechToText(model=str(folder)).transcribe(audio, language=None, candidates=("en", "es"))
    # THEN it is Spanish, sure enough to switch on the first turn, with the accents kept
    assert heard.language == "es"
    assert heard.language_probability >= FIRST_TURN_PROBABILITY
    assert "cocina" in heard.text.lower()
    switch = LanguageSwitch(enabled=("en", "es"))
    assert switch.judge(Heard(heard.text, heard.language, heard.language_probability)) is not None
