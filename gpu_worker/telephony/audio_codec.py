"""Telephone audio: G.711 mu-law ↔ PCM16/float32, resampling, and 20 ms Twilio frames.

Pure and vectorised: encoding and decoding are table lookups built once at import (no per-sample
Python loop, no `audioop`, which Python 3.13 removed). Resampling uses soxr.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import soxr

TELEPHONE_RATE = 8000
FRAME_MS = 20
FRAME_SAMPLES = TELEPHONE_RATE * FRAME_MS // 1000  # 160 samples = 160 mu-law bytes
MULAW_SILENCE = 0xFF  # mu-law encoding of 0
SILENT_FRAME = bytes([MULAW_SILENCE]) * FRAME_SAMPLES

_BIAS = 0x84
_CLIP = 32635
_PCM16_SCALE = 32768.0

FloatAudio = npt.NDArray[np.float32]
Pcm16Audio = npt.NDArray[np.int16]


def _build_decode_table() -> npt.NDArray[np.int16]:
    codes = ~np.arange(256, dtype=np.int32) & 0xFF
    sign = codes & 0x80
    exponent = (codes >> 4) & 0x07
    mantissa = codes & 0x0F
    magnitude = (((mantissa << 3) + _BIAS) << exponent) - _BIAS
    return np.where(sign != 0, -magnitude, magnitude).astype(np.int16)


def _build_encode_table() -> npt.NDArray[np.uint8]:
    """Mu-law byte for every int16 value, indexed by the value viewed as uint16 (ITU-T G.711)."""
    pcm = np.arange(65536, dtype=np.int32)
    pcm = np.where(pcm >= 32768, pcm - 65536, pcm)
    sign = np.where(pcm < 0, 0x80, 0x00)
    magnitude = np.minimum(np.abs(pcm), _CLIP) + _BIAS
    # exponent = position of the highest set bit among bits 7..14, as 0..7
    _, highest_bit = np.frexp((magnitude >> 7).astype(np.float64))  # exact for integers
    exponent = np.clip(highest_bit.astype(np.int32) - 1, 0, 7)
    mantissa = (magnitude >> (exponent + 3)) & 0x0F
    table: npt.NDArray[np.uint8] = (~(sign | (exponent << 4) | mantissa) & 0xFF).astype(np.uint8)
    return table


_DECODE = _build_decode_table()
_ENCODE = _build_encode_table()


def mulaw_to_pcm16(data: bytes) -> Pcm16Audio:
    """Decode mu-law bytes to int16 samples."""
    codes = np.frombuffer(data, dtype=np.uint8)
    return _DECODE[codes]


def pcm16_to_mulaw(samples: Pcm16Audio) -> bytes:
    """Encode int16 samples to mu-law bytes."""
    return _ENCODE[np.asarray(samples, dtype=np.int16).view(np.uint16)].tobytes()


def mulaw_to_float(data: bytes) -> FloatAudio:
    """Decode mu-law bytes to float32 samples in [-1, 1)."""
    return (mulaw_to_pcm16(data).astype(np.float32) / np.float32(_PCM16_SCALE)).astype(np.float32)


def float_to_pcm16(samples: npt.ArrayLike) -> Pcm16Audio:
    scaled = np.round(np.asarray(samples, dtype=np.float32) * _PCM16_SCALE)
    return np.clip(scaled, -32768, 32767).astype(np.int16)


def float_to_mulaw(samples: npt.ArrayLike) -> bytes:
    """Encode float samples in [-1, 1] (clipped) to mu-law bytes."""
    return pcm16_to_mulaw(float_to_pcm16(samples))


def resample(samples: npt.ArrayLike, from_rate: int, to_rate: int) -> FloatAudio:
    """Resample a whole mono float clip (e.g. 24 kHz or 22.05 kHz TTS → 8 kHz, 8 kHz → 16 kHz)."""
    audio = np.asarray(samples, dtype=np.float32)
    if from_rate == to_rate or audio.size == 0:
        return audio.copy()
    out: FloatAudio = soxr.resample(audio, from_rate, to_rate, quality="HQ").astype(np.float32)
    return out


class StreamingResampler:
    """Resamples a mono float stream chunk by chunk (e.g. 20 ms frames) with state across chunks."""

    def __init__(self, *, from_rate: int, to_rate: int) -> None:
        self.from_rate = from_rate
        self.to_rate = to_rate
        self._stream = soxr.ResampleStream(from_rate, to_rate, 1, dtype="float32", quality="HQ")

    def process(self, chunk: npt.ArrayLike, *, last: bool = False) -> FloatAudio:
        audio = np.ascontiguousarray(chunk, dtype=np.float32)
        out: FloatAudio = self._stream.resample_chunk(audio, last=last)
        return out

    def flush(self) -> FloatAudio:
        return self.process(np.zeros(0, dtype=np.float32), last=True)


def mulaw_frames(samples_8k: npt.ArrayLike) -> list[bytes]:
    """Cut 8 kHz float audio into 20 ms (160-byte) mu-law frames, padding the last with silence."""
    encoded = float_to_mulaw(samples_8k)
    return frame_mulaw(encoded)


def frame_mulaw(encoded: bytes) -> list[bytes]:
    """Cut mu-law bytes into 160-byte frames, padding the last with mu-law silence."""
    frames = [encoded[i : i + FRAME_SAMPLES] for i in range(0, len(encoded), FRAME_SAMPLES)]
    if frames and len(frames[-1]) < FRAME_SAMPLES:
        frames[-1] = frames[-1] + SILENT_FRAME[: FRAME_SAMPLES - len(frames[-1])]
    return frames
