"""The short window's decoder sometimes ends after the first word of a longer turn ("Hi" for "Hi. Could you
put me through to Marco, please?", seen in a real-model call): such a transcript is decoded again in the
full window, so the caller's request is not lost."""

from __future__ import annotations

from pathlib import Path

import pytest

from gpu_worker.conversation.turn_taking import Paused, TurnTaker
from gpu_worker.models.model_files import ModelFilesMissing
from gpu_worker.models.speech_to_text import WhisperSpeechToText, cut_short
from gpu_worker.telephony.audio_codec import mulaw_to_float, resample
from tests.gpu_worker.spoken_audio import model_settings


@pytest.mark.parametrize(
    ("text", "audio_s", "suspect"),
    [
        ("Hi", 2.64, True),  # two and a half seconds of a turn are more than "Hi"
        ("Yes.", 1.4, False),  # a short answer, with its padding
        ("Hi, could you put me through to Marco, please?", 2.64, False),
        ("", 3.0, True),
    ],
)
def test_a_word_or_two_for_a_long_turn_is_suspect(text: str, audio_s: float, suspect: bool) -> None:
    assert cut_short(text, audio_s) is suspect


# Leading silences whose frame alignment made the short window say only "Hi" here (4 in 20 offsets did).
@pytest.mark.parametrize("silence_ms", [2080, 2240])
async def test_the_request_that_came_back_as_hi_is_heard_whole(silence_ms: int) -> None:
    from buddyhelps.simulator.kokoro_caller_voice import KokoroCallerVoice
    from gpu_worker.models.voice_activity import SileroVoiceActivityDetector

    settings = model_settings()
    try:
        stt = WhisperSpeechToText.from_settings(settings)
    except ModelFilesMissing as error:
        pytest.skip(str(error))
    # GIVEN the caller's words as the worker gets them: Kokoro's bf_emma over a phone line, after the
    # greeting's silence, cut into a turn by the worker's own VAD and turn-taking
    voice = KokoroCallerVoice(settings=settings, voice="bf_emma", cache_dir=Path("data/caller-voice-cache"))
    said = "Hi. Could you put me through to Marco, please?"
    audio = mulaw_to_float(b"\xff" * 8 * silence_ms + await voice.speak(said) + b"\xff" * 8000)
    taker = TurnTaker(vad=SileroVoiceActivityDetector(pool_size=1).new_stream())
    pauses = [
        event
        for start in range(0, len(audio) - 160, 160)
        for event in taker.push_frame(audio[start : start + 160])
        if isinstance(event, Paused)
    ]
    # WHEN the turn so far is transcribed at its pause
    heard = await stt.transcribe(resample(pauses[-1].audio_8k, 8000, 16000), language=None, candidates=("en", "es"))
    # THEN the whole request is heard, Marco included
    assert "marco" in heard.text.lower()
    assert len(heard.text.split()) >= 6
