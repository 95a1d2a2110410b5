"""SileroVoiceActivityDetector: speech vs silence and noise on 8 kHz phone audio, one stream per call."""

from __future__ import annotations

import gc

import numpy as np
import pytest

from gpu_worker.models.voice_activity import VAD_FRAME_SAMPLES, SileroVoiceActivityDetector
from tests.gpu_worker.spoken_audio import CALLER_SENTENCE, PhoneSpeech, spoken


@pytest.fixture(scope="module")
def vad() -> SileroVoiceActivityDetector:
    return SileroVoiceActivityDetector(pool_size=2)


@pytest.fixture(scope="module")
def speech() -> PhoneSpeech:
    return spoken(CALLER_SENTENCE)


def frames(audio: np.ndarray) -> list[np.ndarray]:
    usable = len(audio) // VAD_FRAME_SAMPLES * VAD_FRAME_SAMPLES
    return list(audio[:usable].reshape(-1, VAD_FRAME_SAMPLES))


@pytest.mark.slow
def test_spoken_frames_score_as_speech(vad, speech):
    # GIVEN a caller's sentence over the phone
    stream = vad.new_stream()
    # WHEN every 32 ms frame is scored
    scored = [(stream.speech_probability(f), float(np.sqrt(np.mean(f**2)))) for f in frames(speech.audio_8k)]
    # THEN the loud (voiced) frames are mostly speech
    voiced = [p for p, rms in scored if rms > 0.05]
    assert len(voiced) > 20
    assert np.mean(np.array(voiced) > 0.5) > 0.8


def test_silence_and_line_noise_are_not_speech(vad):
    # GIVEN two seconds of silence and two of faint line noise
    rng = np.random.default_rng(7)
    noise = (rng.standard_normal(16000) * 0.01).astype(np.float32)
    stream = vad.new_stream()
    # WHEN they are scored
    probabilities = [stream.speech_probability(f) for f in frames(np.zeros(16000, np.float32)) + frames(noise)]
    # THEN no frame counts as speech
    assert max(probabilities) < 0.5


def test_a_reused_model_starts_the_next_call_clean():
    # GIVEN a one-model pool whose model has just heard a loud tone in one call
    detector = SileroVoiceActivityDetector(pool_size=1)
    quiet = (0.005 * np.random.default_rng(3).standard_normal(VAD_FRAME_SAMPLES)).astype(np.float32)  # faint hiss
    clean = SileroVoiceActivityDetector(pool_size=1).new_stream().speech_probability(quiet)
    tone = (0.5 * np.sin(2 * np.pi * 220 * np.arange(VAD_FRAME_SAMPLES * 20) / 8000)).astype(np.float32)
    first_call = detector.new_stream()
    for f in frames(tone):
        first_call.speech_probability(f)
    assert first_call.speech_probability(quiet) != pytest.approx(clean, abs=1e-6)  # it carries state
    # WHEN that call ends and the next call gets the same model
    del first_call
    gc.collect()
    next_call = detector.new_stream()
    # THEN the next call scores a frame exactly as a model that never heard anything
    assert next_call.speech_probability(quiet) == pytest.approx(clean, abs=1e-6)


def test_finished_calls_return_their_model_to_the_pool():
    # GIVEN a detector with two pooled models
    detector = SileroVoiceActivityDetector(pool_size=2)
    streams = [detector.new_stream(), detector.new_stream(), detector.new_stream()]
    assert detector.idle_models == 0
    # WHEN the calls end and their streams are dropped
    del streams
    gc.collect()
    # THEN all three models are idle for the next calls
    assert detector.idle_models == 3


def test_a_wrong_frame_size_is_refused(vad):
    # GIVEN a 20 ms Twilio frame instead of a 32 ms VAD frame
    # WHEN it is scored
    # THEN the error says what size is expected
    with pytest.raises(ValueError, match="256"):
        vad.new_stream().speech_probability(np.zeros(160, np.float32))


@pytest.mark.slow
def test_a_soft_voice_after_a_long_digital_silence_is_still_heard(vad):
    # GIVEN a soft voice's sentence, heard by a fresh stream
    first = spoken("You can reach me at 555 555 0177.", voice="af_nicole").audio_8k
    answer = spoken("Yes, that's right. Thank you, goodbye.", voice="af_nicole").audio_8k
    fresh = vad.new_stream()
    heard_fresh = sum(fresh.speech_probability(f) > 0.5 for f in frames(answer))
    # WHEN the same stream first hears the caller, then 15 s of digital silence (mu-law 0xFF), then the answer
    stream = vad.new_stream()
    for frame in frames(np.concatenate([first, np.zeros(15 * 8000, np.float32)])):
        stream.speech_probability(frame)
    heard_after = sum(stream.speech_probability(f) > 0.5 for f in frames(answer))
    # THEN the answer is heard as well as by a fresh stream (it had scored 8 speech frames of 70)
    assert heard_after >= 0.8 * heard_fresh
