"""Whisper on a short encoder window: the same words as the 30 s window, without the decoder loops."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gpu_worker.models.model_files import ModelFilesMissing, model_path
from gpu_worker.models.speech_to_text import WhisperSpeechToText
from gpu_worker.models.whisper_window import cut_repetition, token_budget, window_frames
from gpu_worker.telephony.audio_codec import mulaw_to_float, resample
from shared.settings import load_settings


def test_the_window_is_the_speech_plus_three_seconds_of_silence_in_whole_seconds() -> None:
    assert window_frames(1.8) == 500
    assert window_frames(4.0) == 700
    assert window_frames(40.0) == 3000  # never more than Whisper's 30 s


def test_a_short_clip_gets_a_small_token_budget() -> None:
    assert token_budget(2.0) < token_budget(10.0) <= 448


@pytest.mark.parametrize(
    ("decoded", "kept"),
    [
        ("My name is Ana. My name is Ana. My name is", "My name is Ana."),
        ("Yes. Yes.", "Yes. Yes."),  # one-word sentences repeat in real speech
        ("It's 42 Oak Street. Call me at 555 0123.", "It's 42 Oak Street. Call me at 555 0123."),
        ("Hi, a pipe burst. Hi, a pipe burst. Hi, a", "Hi, a pipe burst."),
        ("i i i i i i i i i you can call me back at 555 0123.", "i you can call me back at 555 0123."),
        ("thank you thank you thank you thank you thank you", "thank you"),
        ("It's 555 555 5555 and bye bye.", "It's 555 555 5555 and bye bye."),  # numbers and a real "bye bye" stay
        ("Five five five, five five five, zero one two three.", "Five five five, five five five, zero one two three."),
        ("This is pre-----------------", "This is pre"),  # a loop on one mark ("Priya")
        ("Call me at 555-555-0177 -- thanks", "Call me at 555-555-0177 -- thanks"),  # two marks are no loop
    ],
)
def test_a_decoder_loop_is_cut_at_the_first_repeated_sentence(decoded: str, kept: str) -> None:
    assert cut_repetition(decoded) == kept


LINES = [
    "My name is Maria Lopez.",
    "Hi, a pipe just burst under my kitchen sink and there's water everywhere.",
    "I turned off the valve but the floor is flooding. Can someone come out today?",
]


def _words(text: str) -> list[str]:
    return re.sub(r"[^a-z0-9 ]", " ", text.lower()).split()


@pytest.mark.slow
@pytest.mark.parametrize("line", LINES)
async def test_short_and_full_windows_hear_the_same_words_on_a_phone_line(line: str) -> None:
    from buddyhelps.simulator.caller_voice import PiperCallerVoice

    settings = load_settings()
    try:
        folder = model_path(settings, "whisper-base")
    except ModelFilesMissing as error:
        pytest.skip(str(error))
    # GIVEN a caller's sentence as it arrives over the phone: Piper's voice, 8 kHz mu-law, back to 16 kHz
    mulaw = await PiperCallerVoice(cache_dir=Path("data/caller-voice-cache")).speak(line)
    audio = resample(mulaw_to_float(mulaw), 8000, 16000)
    short = WhisperSpeechToText(model=str(folder), short_window=True)
    full = WhisperSpeechToText(model=str(folder), short_window=False)
    # WHEN both transcribe it
    fast, slow = await short.transcribe(audio), await full.transcribe(audio)
    # THEN they agree (two decoders may differ on one borderline word), and the short window did not loop
    assert _word_edits(_words(fast.text), _words(slow.text)) <= 1
    assert len(_words(fast.text)) <= len(_words(line)) + 2


def _word_edits(a: list[str], b: list[str]) -> int:
    """Levenshtein distance over words."""
    previous = list(range(len(b) + 1))
    for i, word in enumerate(a, 1):
        current = [i]
        for j, other in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (word != other)))
        previous = current
    return previous[-1]
