"""G.711 mu-law, resampling and 20 ms framing."""

from __future__ import annotations

import numpy as np
import pytest

from gpu_worker.telephony import audio_codec as ac


def _reference_encode(sample: int) -> int:
    """Scalar ITU-T G.711 mu-law encoder (the classic Sun g711.c algorithm)."""
    sign = 0x80 if sample < 0 else 0x00
    magnitude = min(abs(sample), 32635) + 0x84
    exponent = max(0, min(7, magnitude.bit_length() - 8))
    mantissa = (magnitude >> (exponent + 3)) & 0x0F
    return ~(sign | (exponent << 4) | mantissa) & 0xFF


@pytest.mark.parametrize(
    ("pcm", "code"),
    [(0, 0xFF), (-1, 0x7F), (32767, 0x80), (-32768, 0x00), (100, 0xF2), (-100, 0x72), (1000, 0xCE)],
)
def test_known_encodings(pcm: int, code: int) -> None:
    # GIVEN a PCM sample with a known G.711 mu-law code
    # WHEN it is encoded
    encoded = ac.pcm16_to_mulaw(np.array([pcm], dtype=np.int16))
    # THEN the byte is the ITU code
    assert encoded == bytes([code])


def test_encoder_matches_reference_for_every_int16() -> None:
    # GIVEN every possible int16 value
    values = np.arange(-32768, 32768, dtype=np.int32)
    # WHEN encoded with the table
    encoded = np.frombuffer(ac.pcm16_to_mulaw(values.astype(np.int16)), dtype=np.uint8)
    # THEN a sample of them match the scalar reference algorithm
    for index in range(0, 65536, 97):
        assert encoded[index] == _reference_encode(int(values[index]))


@pytest.mark.parametrize(("code", "pcm"), [(0xFF, 0), (0x7F, 0), (0x80, 32124), (0x00, -32124), (0xF2, 104)])
def test_known_decodings(code: int, pcm: int) -> None:
    # GIVEN a mu-law byte WHEN decoded THEN it is the G.711 reconstruction level
    assert int(ac.mulaw_to_pcm16(bytes([code]))[0]) == pcm


def test_float_round_trip_error_is_within_mulaw_quantisation() -> None:
    # GIVEN a speech-level sine in float
    t = np.arange(8000) / 8000
    signal = (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    # WHEN it goes through mu-law and back
    decoded = ac.mulaw_to_float(ac.float_to_mulaw(signal))
    # THEN each sample is within the logarithmic step (~3 % of its magnitude, plus a small floor)
    error = np.abs(decoded - signal)
    assert np.all(error <= 0.035 * np.abs(signal) + 0.002)
    assert decoded.dtype == np.float32
    # AND the signal-to-noise ratio is telephone quality (> 30 dB)
    snr = 10 * np.log10(np.sum(signal**2) / np.sum(error**2))
    assert snr > 30


def test_encoding_clips_out_of_range_floats() -> None:
    # GIVEN floats beyond full scale WHEN encoded THEN they saturate instead of wrapping
    encoded = ac.float_to_mulaw(np.array([1.7, -3.0], dtype=np.float32))
    assert encoded == bytes([0x80, 0x00])


@pytest.mark.parametrize(("rate_in", "rate_out"), [(8000, 16000), (16000, 8000), (24000, 8000), (22050, 8000)])
def test_resample_keeps_a_sine(rate_in: int, rate_out: int) -> None:
    # GIVEN one second of a 440 Hz sine at the input rate
    signal = np.sin(2 * np.pi * 440 * np.arange(rate_in) / rate_in).astype(np.float32)
    # WHEN resampled
    out = ac.resample(signal, rate_in, rate_out)
    # THEN the length scales with the rate and the sine matches the ideal one (away from the edges)
    assert abs(len(out) - rate_out) <= 1
    ideal = np.sin(2 * np.pi * 440 * np.arange(len(out)) / rate_out)
    middle = slice(rate_out // 10, -rate_out // 10)
    assert np.max(np.abs(out[middle] - ideal[middle])) < 0.01


def test_resample_round_trip_8k_16k_8k() -> None:
    # GIVEN an 8 kHz sine
    signal = (0.6 * np.sin(2 * np.pi * 300 * np.arange(8000) / 8000)).astype(np.float32)
    # WHEN upsampled and downsampled again
    back = ac.resample(ac.resample(signal, 8000, 16000), 16000, 8000)
    # THEN it is the same signal
    assert np.max(np.abs(back[800:-800] - signal[800:-800])) < 0.01


def test_streaming_resampler_matches_whole_clip() -> None:
    # GIVEN 8 kHz audio fed as 20 ms frames to a streaming resampler
    signal = np.sin(2 * np.pi * 250 * np.arange(8000) / 8000).astype(np.float32)
    resampler = ac.StreamingResampler(from_rate=8000, to_rate=16000)
    pieces = [resampler.process(signal[i : i + 160]) for i in range(0, 8000, 160)]
    pieces.append(resampler.flush())
    streamed = np.concatenate(pieces)
    # THEN it produces the whole clip at 16 kHz, equal to a one-shot resample
    assert abs(len(streamed) - 16000) <= 2
    whole = ac.resample(signal, 8000, 16000)
    assert np.max(np.abs(streamed[1000:15000] - whole[1000:15000])) < 0.01


def test_mulaw_frames_cut_20ms_and_pad_the_last() -> None:
    # GIVEN 410 samples of 8 kHz audio (51.25 ms)
    audio = np.full(410, 0.25, dtype=np.float32)
    # WHEN cut into frames
    frames = ac.mulaw_frames(audio)
    # THEN there are three 160-byte frames and the tail of the last is mu-law silence
    assert [len(frame) for frame in frames] == [160, 160, 160]
    assert frames[2][90:] == bytes([0xFF]) * 70
    assert frames[2][:90] == frames[0][:90]


def test_mulaw_frames_of_nothing_is_no_frame() -> None:
    assert ac.mulaw_frames(np.zeros(0, dtype=np.float32)) == []
    assert bytes([0xFF]) * 160 == ac.SILENT_FRAME
