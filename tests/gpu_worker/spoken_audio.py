"""Real speech for model tests: Kokoro speaks a sentence, then it goes through a phone line.

The phone line is what callers' audio goes through before the worker sees it: 24 kHz → 8 kHz,
G.711 mu-law encode/decode, then 8 kHz → 16 kHz for the models that take 16 kHz.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from gpu_worker.models.stages import FloatAudio
from gpu_worker.models.text_to_speech import KokoroOnnxTextToSpeech
from gpu_worker.telephony.audio_codec import float_to_mulaw, mulaw_to_float, resample
from shared.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parents[2]
CALLER_SENTENCE = "Hi, my water heater burst this morning and the basement is flooding. Can you send a plumber?"


def model_settings(**overrides: object) -> Settings:
    """Settings pointing at the repository's prepared .models folder (`make models`)."""
    return load_settings(BUDDYHELPS_MODELS_DIR=ROOT / ".models", **overrides)


@dataclass(frozen=True)
class PhoneSpeech:
    text: str
    audio_8k: FloatAudio
    audio_16k: FloatAudio


def through_phone_line(samples: FloatAudio, sample_rate: int) -> PhoneSpeech:
    audio_8k = mulaw_to_float(float_to_mulaw(resample(samples, sample_rate, 8000)))
    return PhoneSpeech(text="", audio_8k=audio_8k, audio_16k=resample(audio_8k, 8000, 16000))


async def speak_over_phone(tts: KokoroOnnxTextToSpeech, text: str, *, voice: str = "am_michael") -> PhoneSpeech:
    speech = await tts.synthesize(text, voice=voice)
    line = through_phone_line(speech.samples, speech.sample_rate)
    return PhoneSpeech(text=text, audio_8k=line.audio_8k, audio_16k=line.audio_16k)


@cache
def kokoro() -> KokoroOnnxTextToSpeech:
    """One Kokoro for the whole test session (loading it costs about a second)."""
    return KokoroOnnxTextToSpeech.from_settings(model_settings())


@cache
def spoken(text: str, voice: str = "am_michael") -> PhoneSpeech:
    """`text` spoken by Kokoro and passed through the phone line, synthesized once per session."""
    return asyncio.run(speak_over_phone(kokoro(), text, voice=voice))


def words(text: str) -> set[str]:
    return {w.strip(".,?!'\"").lower() for w in text.split()}


def silence(seconds: float, rate: int) -> FloatAudio:
    return np.zeros(int(seconds * rate), dtype=np.float32)
