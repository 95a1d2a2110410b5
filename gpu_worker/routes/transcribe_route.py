"""POST /transcribe on the worker: one recording (a voicemail) as a WAV body → its words and language.

The functions' voicemail job sends Twilio's recording here (bearer token, like every worker route but
/health). The worker's already-loaded Whisper does the work on its own thread (off the event loop, in
the same FIFO as live calls' turns), detecting the language among `languages` (English and Spanish by
default, as calls do). Refused with a clear status: no token 401, over 10 MB 413, over 5 minutes 413,
not 16-bit PCM WAV 415, unreadable 400, no speech-length audio 422, models still loading 503.
"""

from __future__ import annotations

import logging
import time
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request

from gpu_worker.routes.pipeline_route import ModelsDep, read_limited, read_wav
from gpu_worker.telephony.audio_codec import resample

log = logging.getLogger(__name__)
router = APIRouter()
TRANSCRIBE_PATH = "/transcribe"
MAX_RECORDING_BYTES = 10 * 1024 * 1024
MAX_RECORDING_S = 300.0
MIN_RECORDING_S = 0.1
SUPPORTED_LANGUAGES = frozenset({"en", "es"})


def _languages(raw: str) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(code.strip() for code in raw.split(",") if code.strip()))
    unknown = sorted(set(chosen) - SUPPORTED_LANGUAGES)
    if not chosen or unknown:
        raise HTTPException(422, f"languages must be among {', '.join(sorted(SUPPORTED_LANGUAGES))}")
    return chosen


@router.post(TRANSCRIBE_PATH)
async def transcribe(
    request: Request, models: ModelsDep, languages: Annotated[str, Query(max_length=20)] = "en,es"
) -> dict[str, object]:
    candidates = _languages(languages)
    audio, rate = read_wav(await read_limited(request, MAX_RECORDING_BYTES))
    seconds = len(audio) / rate if rate else 0.0
    if seconds > MAX_RECORDING_S:
        raise HTTPException(413, f"recording is {seconds:.0f} s long; at most {MAX_RECORDING_S:.0f} s is transcribed")
    if seconds < MIN_RECORDING_S:
        raise HTTPException(422, "recording shorter than 100 ms")
    started = time.perf_counter()
    language = candidates[0] if len(candidates) == 1 else None
    result = await models.stt.transcribe(resample(audio, rate, 16000), language=language, candidates=candidates)
    elapsed_ms = round((time.perf_counter() - started) * 1000, 1)
    log.info(
        "recording transcribed",
        extra={"audio_s": round(seconds, 2), "elapsed_ms": elapsed_ms, "language": result.language},
    )
    return {
        "text": result.text,
        "language": result.language,
        "language_probability": round(result.language_probability, 3),
        "audio_s": round(seconds, 2),
        "elapsed_ms": elapsed_ms,
        "model": models.stt.model_name,
    }
