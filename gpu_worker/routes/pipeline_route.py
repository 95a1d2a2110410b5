"""POST /pipeline (one WAV utterance through STT → LLM → TTS, timed) and POST /chat (one text turn).

For testing, benchmarking and the console's "try it" box; they use the same models as live calls.
"""

from __future__ import annotations

import base64
import io
import time
import wave
from typing import Annotated

import numpy as np
from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel, Field

from gpu_worker.conversation.clause_splitter import ClauseSplitter
from gpu_worker.models.stages import ChatMessage, FloatAudio, ModelSet
from gpu_worker.telephony.audio_codec import float_to_pcm16, resample

router = APIRouter()
MAX_WAV_BYTES = 10 * 1024 * 1024
DEFAULT_SYSTEM = "You are a friendly phone receptionist for a plumbing business. Reply in one or two short sentences."


def models_of(request: Request) -> ModelSet:
    models: ModelSet | None = getattr(request.app.state, "models", None)
    if models is None:
        raise HTTPException(503, "models are not loaded yet")
    return models


ModelsDep = Annotated[ModelSet, Depends(models_of)]


def read_wav(data: bytes) -> tuple[FloatAudio, int]:
    try:
        with wave.open(io.BytesIO(data)) as wav:
            if wav.getsampwidth() != 2:
                raise HTTPException(415, "WAV must be 16-bit PCM")
            rate, channels = wav.getframerate(), wav.getnchannels()
            pcm = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
    except (wave.Error, EOFError) as error:
        raise HTTPException(400, f"not a readable WAV file: {error}") from error
    audio = pcm.reshape(-1, channels).mean(axis=1) / 32768.0 if channels > 1 else pcm / 32768.0
    return audio.astype(np.float32), rate


def write_wav(samples: FloatAudio, rate: int) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(float_to_pcm16(samples).tobytes())
    return buffer.getvalue()


async def read_limited(request: Request, limit: int) -> bytes:
    """The body, refused with 413 as soon as it passes `limit` (nothing more is read or kept)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise HTTPException(413, f"body larger than {limit // (1024 * 1024)} MB")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise HTTPException(413, f"body larger than {limit // (1024 * 1024)} MB")
    return bytes(body)


@router.post("/pipeline")
async def pipeline(request: Request, models: ModelsDep) -> dict[str, object]:
    audio, rate = read_wav(await read_limited(request, MAX_WAV_BYTES))
    if len(audio) < rate // 10:
        raise HTTPException(400, "audio shorter than 100 ms")
    started = time.perf_counter()
    transcript = await models.stt.transcribe(resample(audio, rate, 16000))
    after_stt = time.perf_counter()
    messages = [ChatMessage(role="system", content=DEFAULT_SYSTEM), ChatMessage(role="user", content=transcript.text)]
    reply, first_token, first_clause = await _reply(models, messages)
    after_llm = time.perf_counter()
    speech = await models.tts.synthesize(first_clause or reply or "Sorry?")
    first_audio = time.perf_counter()
    rest = reply[len(first_clause) :].strip()
    chunks = [speech.samples] + ([(await models.tts.synthesize(rest)).samples] if rest else [])
    return {
        "transcript": transcript.text,
        "reply": reply,
        "reply_wav_base64": base64.b64encode(write_wav(np.concatenate(chunks), speech.sample_rate)).decode(),
        "timings_ms": {
            "stt": round((after_stt - started) * 1000, 1),
            "llm_first_token": round((first_token - after_stt) * 1000, 1) if first_token else None,
            "llm_total": round((after_llm - after_stt) * 1000, 1),
            "tts_first_audio": round((first_audio - after_llm) * 1000, 1),
            # The unstreamed baseline: STT, the whole reply, then TTS of its first clause.
            "to_first_audio": round((first_audio - started) * 1000, 1),
        },
    }


async def _reply(models: ModelSet, messages: list[ChatMessage]) -> tuple[str, float | None, str]:
    parts: list[str] = []
    first_token: float | None = None
    splitter = ClauseSplitter()
    first_clause = ""
    async for delta in models.llm.stream_reply(messages, max_tokens=80):
        first_token = first_token or time.perf_counter()
        parts.append(delta)
        for clause in splitter.push(delta):
            first_clause = first_clause or clause
    text = "".join(parts).strip()
    return text, first_token, first_clause or text


class ChatTurn(BaseModel):
    system_prompt: str = Field(min_length=1, max_length=8000)
    messages: list[dict[str, str]] = Field(default_factory=list, max_length=50)
    text: str = Field(min_length=1, max_length=2000)


@router.post("/chat")
async def chat(turn: ChatTurn, models: ModelsDep) -> dict[str, object]:
    history = [
        ChatMessage(role="assistant" if m.get("role") == "assistant" else "user", content=m.get("content", "")[:2000])
        for m in turn.messages
    ]
    messages = [
        ChatMessage(role="system", content=turn.system_prompt),
        *history,
        ChatMessage(role="user", content=turn.text),
    ]
    started = time.perf_counter()
    reply, _, _ = await _reply(models, messages)
    return {"reply": reply, "elapsed_ms": round((time.perf_counter() - started) * 1000)}
