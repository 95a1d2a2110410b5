"""A recording's words from a GPU worker's Whisper: `POST /transcribe` with the worker's bearer token.

Workers are tried in the console's usual order (healthy first, then the default). A worker down, full,
still loading or refusing the token is worth another attempt later (`retryable`); a recording a worker
refuses for what it is (too long, not a WAV) is not.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import httpx

from shared.database import Database
from shared.jobs.attempt_failure import AttemptFailed
from shared.settings import Settings

log = logging.getLogger(__name__)
TRANSCRIBE_PATH = "/transcribe"
TRANSCRIBE_TIMEOUT_S = 180.0  # two minutes of audio with Whisper base on a busy 2-core CPU
REFUSALS = frozenset({400, 413, 415, 422})


@dataclass(frozen=True)
class Transcript:
    text: str
    language: str
    audio_s: float
    elapsed_ms: float
    worker_url: str


async def transcribe(
    db: Database,
    settings: Settings,
    wav: bytes,
    *,
    languages: Sequence[str] = ("en", "es"),
    client: httpx.AsyncClient | None = None,
) -> Transcript:
    # Here, not at the top: the console's package imports the voicemail jobs (its jobs page).
    from functions.admin.worker_client import worker_urls

    reasons: list[str] = []
    own = client is None
    http = client or httpx.AsyncClient(timeout=TRANSCRIBE_TIMEOUT_S)
    try:
        for base_url in await worker_urls(db, settings):
            try:
                return await _ask(http, settings, base_url, wav, languages)
            except httpx.HTTPError as error:
                reason = type(error).__name__
                log.warning("worker could not transcribe", extra={"worker_url": base_url, "reason": reason})
                reasons.append(f"{base_url}: {reason}")
            except _WorkerAnswered as answered:
                reasons.append(f"{base_url}: {answered}")
    finally:
        if own:
            await http.aclose()
    raise AttemptFailed("no worker could transcribe the recording (" + "; ".join(reasons) + ")", retryable=True)


class _WorkerAnswered(Exception):
    """A worker's answer that is not a transcript, but another worker (or a later attempt) might give one."""


async def _ask(
    http: httpx.AsyncClient, settings: Settings, base_url: str, wav: bytes, languages: Sequence[str]
) -> Transcript:
    headers = {"Content-Type": "audio/wav", "Authorization": f"Bearer {settings.worker_api_token}"}
    response = await http.post(
        base_url.rstrip("/") + TRANSCRIBE_PATH, content=wav, headers=headers, params={"languages": ",".join(languages)}
    )
    if response.status_code in REFUSALS:
        raise AttemptFailed(f"the worker refused the recording: {_detail(response)}", retryable=False)
    if response.status_code in (401, 403):
        raise _WorkerAnswered("refused the functions' token (check WORKER_API_TOKEN on both sides)")
    if response.status_code == 404:
        raise _WorkerAnswered("has no /transcribe (an older worker): deploy the current one")
    if response.status_code != 200:
        raise _WorkerAnswered(f"HTTP {response.status_code} {_detail(response)}".strip())
    try:
        body = response.json()
        return Transcript(
            text=str(body["text"]).strip(),
            language=str(body["language"]),
            audio_s=float(body["audio_s"]),
            elapsed_ms=float(body["elapsed_ms"]),
            worker_url=base_url,
        )
    except (ValueError, KeyError, TypeError) as error:
        raise _WorkerAnswered(f"sent an answer without a transcript ({type(error).__name__})") from error


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    return str(body.get("detail", ""))[:300] if isinstance(body, dict) else ""
