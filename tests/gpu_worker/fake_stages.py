"""Fakes of the model stages (same Protocols as the real ones) and of Twilio's side of the socket.

For fast tests of session logic: 'speech' is any frame louder than a threshold, STT answers from a
script, the LLM streams scripted replies, TTS makes 60 ms of tone per word.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any

import numpy as np

from gpu_worker.models.stages import ChatMessage, FloatAudio, ModelSet, SpeechAudio, Transcription
from gpu_worker.telephony.audio_codec import float_to_mulaw


class FakeVadStream:
    frame_samples = 256

    def speech_probability(self, frame_8k: FloatAudio) -> float:
        return 0.95 if float(np.abs(frame_8k).mean()) > 0.05 else 0.02


class FakeVad:
    model_name = "fake-vad"

    def new_stream(self) -> FakeVadStream:
        return FakeVadStream()


class FakeTurn:
    """Answers late, as the real model does: silent frames keep arriving while it thinks (about 100 ms,
    five frames of `TwilioLine.frames`, which lets the loop run 30 rounds per frame)."""

    model_name = "fake-turn"

    def __init__(self, probability: float = 0.9, *, late_rounds: int = 150) -> None:
        self.probability = probability
        self.late_rounds = late_rounds
        self.calls = 0

    async def end_of_turn_probability(self, audio_16k: FloatAudio) -> float:
        self.calls += 1
        for _ in range(self.late_rounds):
            await asyncio.sleep(0)
        return self.probability


class FakeStt:
    """Answers from a script, late, as Whisper does: the words at a pause or a turn's end after
    `answer_rounds`; a look at the words while the caller is still talking (barge-in) answers
    late too (~200 ms on 2 cores: `peek_rounds` of the loop, about ten frames of
    `TwilioLine.frames`), with the utterance's line, which the transcription at its pause then gives again."""

    model_name = "fake-stt"

    def __init__(self, lines: Sequence[str], *, peek_rounds: int = 300, answer_rounds: int = 300) -> None:
        self.lines = list(lines)
        self.calls = 0
        self.peeks = 0
        self.peek_rounds = peek_rounds
        self.answer_rounds = answer_rounds  # a pause's or a turn's words come about ten frames later too
        self.prompts: list[str | None] = []  # the vocabulary each transcription was given

    async def transcribe(
        self,
        audio_16k: FloatAudio,
        *,
        language: str | None = "en",
        candidates: Sequence[str] = (),
        prompt: str | None = None,
    ) -> Transcription:
        self.calls += 1
        self.prompts.append(prompt)
        if _ends_in_speech(audio_16k):
            self.peeks += 1
            for _ in range(self.peek_rounds):
                await asyncio.sleep(0)
            text = self.lines[0] if self.lines else ""
        else:
            for _ in range(self.answer_rounds):
                await asyncio.sleep(0)
            text = self.lines.pop(0) if self.lines else ""
        return Transcription(text=text, audio_s=len(audio_16k) / 16000, elapsed_s=0.001, language=language or "en")


def _ends_in_speech(audio_16k: FloatAudio) -> bool:
    """The last 60 ms are loud: taken mid-utterance (a pause or a turn's end has quiet frames at its end)."""
    tail = audio_16k[-960:]
    return len(audio_16k) >= 960 and float(np.abs(tail).mean()) > 0.05


class FakeLlm:
    model_name = "fake-llm"

    def __init__(self, replies: Sequence[str] = (), *, delay_s: float = 0.0, fail: bool = False) -> None:
        self.replies = list(replies)
        self.delay_s = delay_s
        self.fail = fail
        self.requests: list[list[ChatMessage]] = []
        self.closed_early = 0

    async def stream_reply(
        self, messages: Sequence[ChatMessage], *, max_tokens: int = 96, temperature: float = 0.3
    ) -> AsyncIterator[str]:
        self.requests.append(list(messages))
        if self.fail:
            raise RuntimeError("model exploded")
        text = self.replies.pop(0) if self.replies and max_tokens > 1 else "Okay."
        finished = False
        try:
            for word in text.split(" "):
                if self.delay_s:
                    await asyncio.sleep(self.delay_s)
                yield word + " "
            finished = True
        finally:
            if not finished:
                self.closed_early += 1

    async def complete_json(
        self, messages: Sequence[ChatMessage], *, schema: Mapping[str, Any], max_tokens: int = 400
    ) -> str:
        return json.dumps(
            {
                "customer_name": "Bob",
                "problem": "leak",
                "urgency": "routine",
                "location": "",
                "callback_phone": "",
                "notes": "",
            }
        )


class FakeTts:
    model_name = "fake-tts"
    sample_rate = 8000

    def __init__(self, *, fail_on: str | None = None, word_s: float = 0.06) -> None:
        self.texts: list[str] = []
        self.fail_on = fail_on
        self.word_s = word_s

    async def synthesize(self, text: str, *, voice: str | None = None) -> SpeechAudio:
        if self.fail_on and self.fail_on in text:
            raise RuntimeError("tts exploded")
        self.texts.append(text)
        samples = int(self.word_s * 8000 * max(1, len(text.split())))
        tone = (0.3 * np.sin(np.arange(samples) * 0.3)).astype(np.float32)
        return SpeechAudio(samples=tone, sample_rate=8000)


def fake_models(
    *, caller_lines: Sequence[str], replies: Sequence[str] = (), tts_word_s: float = 0.06, **llm_options: Any
) -> ModelSet:
    return ModelSet(
        stt=FakeStt(caller_lines),
        llm=FakeLlm(replies, **llm_options),
        tts=FakeTts(word_s=tts_word_s),
        vad=FakeVad(),
        turn=FakeTurn(),
    )


SPEECH = float_to_mulaw((0.4 * np.sin(np.arange(160) * 0.5)).astype(np.float32))
SILENCE = bytes([0xFF]) * 160
