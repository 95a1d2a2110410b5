"""SmartTurnDetector: Whisper log-mel features in numpy and the Smart Turn v3.2 model on real speech."""

from __future__ import annotations

import time

import numpy as np
import pytest

from gpu_worker.models.turn_detector import (
    N_MELS,
    WINDOW_SAMPLES,
    SmartTurnDetector,
    last_window,
    log_mel_features,
    mel_filterbank,
)
from tests.gpu_worker.spoken_audio import CALLER_SENTENCE, PhoneSpeech, model_settings, spoken


@pytest.fixture(scope="module")
def detector() -> SmartTurnDetector:
    return SmartTurnDetector.from_settings(model_settings())


@pytest.fixture(scope="module")
def speech() -> PhoneSpeech:
    return spoken(CALLER_SENTENCE)


def test_short_turns_are_padded_in_front_and_long_ones_keep_their_end():
    # GIVEN a 1 s turn and a 10 s turn
    short = np.ones(16000, np.float32)
    long = np.arange(160000, dtype=np.float32)
    # WHEN the model's 8 s window is taken
    # THEN the short one ends the window, with silence before it, and the long one keeps its last 8 s
    assert np.all(last_window(short)[:-16000] == 0)
    assert np.all(last_window(short)[-16000:] == 1)
    assert last_window(long)[0] == 160000 - WINDOW_SAMPLES
    assert last_window(long)[-1] == 159999


def test_features_have_whisper_shape_and_scale():
    # GIVEN 8 s of a 440 Hz tone
    window = (0.3 * np.sin(2 * np.pi * 440 * np.arange(WINDOW_SAMPLES) / 16000)).astype(np.float32)
    # WHEN its log-mel features are computed
    features = log_mel_features(window)
    # THEN they are 80 mels by 800 frames, clamped to Whisper's 8-decade range (2.0 once scaled),
    # loudest in the mel band near 440 Hz
    assert features.shape == (N_MELS, 800)
    assert features.dtype == np.float32
    assert features.max() - features.min() == pytest.approx(2.0, abs=1e-5)
    loudest_band = int(np.argmax(features.mean(axis=1)))
    assert 8 <= loudest_band <= 14  # 440 Hz on an 80-band Slaney scale up to 8 kHz


def test_mel_filters_cover_the_spectrum_without_gaps():
    # GIVEN the filterbank
    filters = mel_filterbank()
    # THEN there are 80 non-negative filters over 201 FFT bins, each with some response
    assert filters.shape == (201, N_MELS)
    assert filters.min() >= 0
    assert np.all(filters.max(axis=0) > 0)


def cut_mid_word(audio: np.ndarray) -> np.ndarray:
    """Cut in the middle of the loudest 20 ms (inside a vowel) of the first clause ("my water heater")."""
    loudness = np.sqrt(np.mean(audio[: len(audio) // 320 * 320].reshape(-1, 320) ** 2, axis=1))
    start, end = int(len(loudness) * 0.25), int(len(loudness) * 0.40)
    loudest = start + int(np.argmax(loudness[start:end]))
    return audio[: loudest * 320 + 160]


@pytest.mark.slow
async def test_a_finished_sentence_scores_higher_than_one_cut_mid_word(detector, speech):
    # GIVEN a caller's complete sentence, and the same audio cut off inside a word
    complete = speech.audio_16k
    cut = cut_mid_word(complete)
    # WHEN both are scored
    started = time.perf_counter()
    p_complete = await detector.end_of_turn_probability(complete)
    elapsed = time.perf_counter() - started
    p_cut = await detector.end_of_turn_probability(cut)
    print(f"\ncomplete {p_complete:.3f}, cut {p_cut:.3f}, {elapsed * 1000:.0f} ms per call")
    # THEN the finished one looks finished and the cut one does not
    assert p_complete > 0.5 > p_cut
    assert p_complete > p_cut + 0.3
