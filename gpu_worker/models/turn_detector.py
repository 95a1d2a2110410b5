"""End-of-turn detection with Smart Turn v3.2 (ONNX, a Whisper-tiny encoder with a classifier head).

The model reads the last 8 s of the turn at 16 kHz (shorter turns are zero-padded in front) as
Whisper log-mel features, 80 mels x 800 frames, and returns the probability that the speaker has
finished. The features are computed here with numpy, following Whisper's feature extractor:
zero-mean unit-variance waveform, centred STFT (400-sample periodic Hann window, hop 160, reflect
padding), power spectrum onto a Slaney-normalised mel filterbank (0-8 kHz), log10 floored at 1e-10,
last frame dropped, clamped to 8 below the maximum, then scaled as (x + 4) / 4.

Inference takes a few tens of ms on one thread; it runs on this model's own worker thread.
"""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from gpu_worker.models.model_files import model_path
from gpu_worker.models.stages import FloatAudio
from shared.settings import Settings

SAMPLE_RATE = 16000
WINDOW_S = 8
WINDOW_SAMPLES = SAMPLE_RATE * WINDOW_S
N_FFT = 400
HOP = 160
N_MELS = 80
LOG_FLOOR = 1e-10
NORM_EPS = 1e-7

Float64Array = npt.NDArray[np.float64]


def _hz_to_mel(hz: Float64Array) -> Float64Array:
    """Slaney mel scale: linear below 1 kHz, logarithmic above."""
    linear = 3.0 * hz / 200.0
    logarithmic = 15.0 + np.log(np.maximum(hz, 1e-12) / 1000.0) * (27.0 / np.log(6.4))
    return np.where(hz >= 1000.0, logarithmic, linear)


def _mel_to_hz(mel: Float64Array) -> Float64Array:
    linear = 200.0 * mel / 3.0
    logarithmic = 1000.0 * np.exp((mel - 15.0) * (np.log(6.4) / 27.0))
    return np.where(mel >= 15.0, logarithmic, linear)


@cache
def mel_filterbank() -> Float64Array:
    """Triangular filters, Slaney area-normalised: shape (N_FFT // 2 + 1, N_MELS)."""
    edges_mel = np.linspace(_hz_to_mel(np.array(0.0)), _hz_to_mel(np.array(SAMPLE_RATE / 2)), N_MELS + 2)
    edges_hz = _mel_to_hz(edges_mel)
    bins_hz = np.linspace(0.0, SAMPLE_RATE / 2, N_FFT // 2 + 1)
    widths = np.diff(edges_hz)
    offsets = edges_hz[np.newaxis, :] - bins_hz[:, np.newaxis]
    rising = -offsets[:, :-2] / widths[:-1]
    falling = offsets[:, 2:] / widths[1:]
    filters = np.maximum(0.0, np.minimum(rising, falling))
    return filters * (2.0 / (edges_hz[2:] - edges_hz[:-2]))[np.newaxis, :]


@cache
def _hann() -> Float64Array:
    return np.hanning(N_FFT + 1)[:-1]  # periodic


def last_window(audio_16k: FloatAudio) -> FloatAudio:
    """The last 8 s of the audio, zero-padded in front when shorter."""
    audio = np.asarray(audio_16k, dtype=np.float32)[-WINDOW_SAMPLES:]
    if len(audio) < WINDOW_SAMPLES:
        audio = np.concatenate([np.zeros(WINDOW_SAMPLES - len(audio), dtype=np.float32), audio])
    return audio


def log_mel_features(window: FloatAudio) -> npt.NDArray[np.float32]:
    """Whisper log-mel features of exactly 8 s of 16 kHz audio: shape (80, 800)."""
    x = (window - window.mean()) / np.sqrt(window.var() + NORM_EPS)
    padded = np.pad(x.astype(np.float64), N_FFT // 2, mode="reflect")
    frames = np.lib.stride_tricks.sliding_window_view(padded, N_FFT)[::HOP]
    power = np.abs(np.fft.rfft(frames * _hann(), axis=-1)) ** 2  # (frames, bins)
    log_mel = np.log10(np.maximum(power @ mel_filterbank(), LOG_FLOOR)).T[:, :-1]
    log_mel = np.maximum(log_mel, log_mel.max() - 8.0)
    features: npt.NDArray[np.float32] = ((log_mel + 4.0) / 4.0).astype(np.float32)
    return features


class SmartTurnDetector:
    """TurnDetector over the Smart Turn v3.2 CPU ONNX model."""

    def __init__(self, *, model: Path, threads: int = 1) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self._session: Any = ort.InferenceSession(str(model), sess_options=options, providers=["CPUExecutionProvider"])
        self._input = self._session.get_inputs()[0].name
        self.model_name = f"smart-turn:{model.stem}"
        self.last_elapsed_s = 0.0
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="turn")

    @classmethod
    def from_settings(cls, settings: Settings) -> SmartTurnDetector:
        return cls(model=model_path(settings, "smart-turn"))

    async def end_of_turn_probability(self, audio_16k: FloatAudio) -> float:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self.predict, audio_16k)

    def predict(self, audio_16k: FloatAudio) -> float:
        """Blocking probability that the turn is complete (used by the async method and benchmarks)."""
        started = time.perf_counter()
        features = log_mel_features(last_window(audio_16k))[np.newaxis, :, :]
        outputs = self._session.run(None, {self._input: features})
        self.last_elapsed_s = time.perf_counter() - started
        return float(np.asarray(outputs[0]).reshape(-1)[0])

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
