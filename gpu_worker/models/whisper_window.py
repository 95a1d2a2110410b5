"""Whisper on a short encoder window: the caller's utterance plus 3 s of silence, not 30 s.

faster-whisper always encodes a 30-second window, so a 2-second "My name is Maria" costs as much
as half a minute of audio (about 0.8 s for Whisper base on 2 cores). CTranslate2's encoder accepts
shorter inputs, and its cost falls with the window (whisper.cpp's `audio_ctx` trick): measured here,
0.2–0.3 s for the same utterances with the same words out. Two guards keep it honest: at least 3 s
of silence after the speech (with less, Whisper loops on the last sentence), and a token budget
proportional to the audio, plus a cut at the first repeated sentence should a loop happen anyway.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from gpu_worker.models.stages import FloatAudio
from shared.agents.fields.lexicons import lexicon_for

SAMPLE_RATE = 16000
FRAMES_PER_SECOND = 100  # Whisper's mel frames (10 ms hop)
MIN_SILENCE_S = 3.0
MAX_WINDOW_FRAMES = 3000  # Whisper's full 30 s
LONGEST_SHORT_CLIP_S = 25.0
_SENTENCE = re.compile(r"[^.!?]+[.!?]?")


def window_frames(audio_s: float) -> int:
    """Encoder frames for a clip: the clip plus MIN_SILENCE_S, rounded up to whole seconds."""
    seconds = math.ceil(audio_s + MIN_SILENCE_S)
    return min(MAX_WINDOW_FRAMES, seconds * FRAMES_PER_SECOND)


def token_budget(audio_s: float) -> int:
    """Enough tokens for fast speech (~4 tokens/s) with room, never Whisper's 448 for a short clip."""
    return min(448, 24 + int(8 * audio_s))


_MARK_LOOP = re.compile(r"([^\w\s])\1{3,}")  # "Pre-----------------" for "Priya": a loop on one mark, not speech
_WORD_LOOP = re.compile(r"\b([^\W\d]+(?:\s+[^\W\d]+){0,2}?)(?:[\s,]+\1\b){3,}", re.IGNORECASE)


def cut_repetition(text: str, language: str = "en") -> str:
    """'My name is Ana. My name is Ana. My name…' → 'My name is Ana.'; 'i i i i i i' → 'i'; 'Pre------' →
    'Pre' (decoder loops, not speech). Numbers may repeat ("five five five, five five five" is a phone
    number): never collapsed."""
    lexicon = lexicon_for(language)
    numbers = set(lexicon.numbers) | set(lexicon.zero_letters)

    def collapse(loop: re.Match[str]) -> str:
        unit = loop.group(1)
        return loop.group(0) if numbers & set(unit.lower().split()) else unit

    text = _MARK_LOOP.sub("", _WORD_LOOP.sub(collapse, text))
    sentences = [s.strip() for s in _SENTENCE.findall(text) if s.strip()]
    seen: set[str] = set()
    kept: list[str] = []
    for sentence in sentences:
        key = re.sub(r"[^a-z0-9 ]", "", sentence.lower()).strip()
        if len(key.split()) >= 2 and key in seen:
            break
        seen.add(key)
        kept.append(sentence)
    return " ".join(kept)


@dataclass(frozen=True)
class Spoken:
    """The language to transcribe in, or None to detect it (among `candidates` when any are given)."""

    language: str | None = "en"
    candidates: tuple[str, ...] = ()


@dataclass(frozen=True)
class ShortResult:
    text: str
    language: str
    probability: float
    confidence: float | None = None  # mean log-probability per token


def _features(model: Any, audio_16k: FloatAudio, frames: int) -> Any:
    # As faster-whisper does: log-mel of the clip itself, then zero-padded in feature space.
    clip = model.feature_extractor(np.ascontiguousarray(audio_16k, dtype=np.float32))[:, :frames]
    features = np.zeros((clip.shape[0], frames), dtype=np.float32)
    features[:, : clip.shape[1]] = clip
    return features


def detect_language(model: Any, audio_16k: FloatAudio, spoken: Spoken) -> tuple[str, float]:
    """Whisper's own language id on the clip's short window; an English-only model is always English."""
    if spoken.language is not None:
        return spoken.language, 1.0
    if not model.model.is_multilingual:
        return "en", 1.0
    from faster_whisper.transcribe import get_ctranslate2_storage

    features = _features(model, audio_16k, window_frames(len(audio_16k) / SAMPLE_RATE))
    storage = get_ctranslate2_storage(np.ascontiguousarray(features[None], dtype=np.float32))
    scores = [(token[2:-2], float(p)) for token, p in model.model.detect_language(storage)[0]]
    allowed = [(code, p) for code, p in scores if not spoken.candidates or code in spoken.candidates]
    return max(allowed or scores, key=lambda pair: pair[1])


def transcribe_short(
    model: Any, audio_16k: FloatAudio, *, prompt: str | None, spoken: Spoken = Spoken()
) -> ShortResult:
    """Greedy transcription of one short utterance with a faster-whisper `WhisperModel`."""
    from faster_whisper.tokenizer import Tokenizer
    from faster_whisper.transcribe import get_ctranslate2_storage, get_suppressed_tokens

    audio_s = len(audio_16k) / SAMPLE_RATE
    frames = window_frames(audio_s)
    features = _features(model, audio_16k, frames)
    language, probability = detect_language(model, audio_16k, spoken)
    multilingual = model.model.is_multilingual
    tokenizer = Tokenizer(
        model.hf_tokenizer, multilingual, task="transcribe", language=language if multilingual else "en"
    )
    tokens: list[int] = []
    if prompt:
        tokens = [tokenizer.sot_prev, *tokenizer.encode(" " + prompt.strip())[-200:]]
    tokens += [*tokenizer.sot_sequence, tokenizer.no_timestamps]
    result = model.model.generate(
        get_ctranslate2_storage(np.ascontiguousarray(features[None], dtype=np.float32)),
        [tokens],
        beam_size=1,
        max_length=token_budget(audio_s) + len(tokens),
        suppress_blank=True,
        suppress_tokens=get_suppressed_tokens(tokenizer, (-1,)),  # non-speech symbols, as faster-whisper does
        return_scores=True,  # the mean log-probability per token (length_penalty 1)
    )
    ids = [token for token in result[0].sequences_ids[0] if token < tokenizer.eot]
    score = float(result[0].scores[0]) if result[0].scores else None
    return ShortResult(cut_repetition(tokenizer.decode(ids).strip(), language), language, probability, score)
