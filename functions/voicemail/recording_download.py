"""A voicemail's audio, fetched from Twilio's Recordings media URL with the account's credentials.

Only a URL of this account's Recordings on Twilio's API (or TWILIO_API_BASE_URL, the simulator in tests)
is fetched: the URL arrives in a webhook form and must never make us fetch anything else. Twilio serves
the WAV (8 kHz, 16-bit PCM, mono) at the URL + `.wav`, possibly through a redirect to its storage (httpx
drops the credentials on a redirect to another host).

Limits, refused at once and said plainly: over 10 MB (by Content-Length, or as it streams in) or over
5 minutes (by the callback's RecordingDuration before fetching, then by the WAV itself). A 404 (Twilio
still processing), a 5xx or a network failure is worth trying again.
"""

from __future__ import annotations

import io
import re
import wave
from dataclasses import dataclass

import httpx

from shared.jobs.attempt_failure import AttemptFailed
from shared.settings import Settings

TWILIO_API = "https://api.twilio.com"
API_VERSION = "2010-04-01"
MAX_RECORDING_BYTES = 10 * 1024 * 1024
MAX_RECORDING_S = 300
DOWNLOAD_TIMEOUT_S = 30.0
_RECORDING_SID = re.compile(r"RE[0-9a-fA-F]{32}")


@dataclass(frozen=True)
class Recording:
    wav: bytes
    duration_s: float


def media_url(settings: Settings, recording_url: str) -> str:
    """The WAV media URL of a recording of this account, or AttemptFailed (not retryable) for any other URL."""
    base = (settings.twilio_api_base_url or TWILIO_API).rstrip("/")
    prefix = f"{base}/{API_VERSION}/Accounts/{settings.twilio_account_sid}/Recordings/"
    sid = recording_url.removeprefix(prefix).removesuffix(".wav").removesuffix(".mp3").removesuffix(".json")
    if not recording_url.startswith(prefix) or not _RECORDING_SID.fullmatch(sid):
        raise AttemptFailed("the recording URL is not one of this Twilio account's recordings", retryable=False)
    return f"{prefix}{sid}.wav"


def _too_long(seconds: float) -> AttemptFailed:
    return AttemptFailed(
        f"the recording is {seconds:.0f} s long; voicemails over {MAX_RECORDING_S // 60} minutes are not transcribed",
        retryable=False,
    )


def _too_big(size: int | None = None) -> AttemptFailed:
    what = f"{size / (1024 * 1024):.1f} MB" if size is not None else f"over {MAX_RECORDING_BYTES // (1024 * 1024)} MB"
    return AttemptFailed(
        f"the recording is {what}; at most {MAX_RECORDING_BYTES // (1024 * 1024)} MB is transcribed",
        retryable=False,
    )


def wav_duration_s(data: bytes) -> float:
    try:
        with wave.open(io.BytesIO(data)) as wav:
            rate = wav.getframerate()
            return wav.getnframes() / rate if rate else 0.0
    except (wave.Error, EOFError) as error:
        raise AttemptFailed(f"Twilio's recording is not a readable WAV file ({error})", retryable=False) from error


async def download_recording(
    settings: Settings,
    recording_url: str,
    *,
    declared_duration_s: int | None = None,
    client: httpx.AsyncClient | None = None,
) -> Recording:
    if declared_duration_s is not None and declared_duration_s > MAX_RECORDING_S:
        raise _too_long(declared_duration_s)
    url = media_url(settings, recording_url)
    auth = (settings.twilio_account_sid, settings.twilio_auth_token)
    own = client is None
    http = client or httpx.AsyncClient(timeout=DOWNLOAD_TIMEOUT_S, follow_redirects=True)
    try:
        data = await _fetch(http, url, auth)
    except httpx.HTTPError as error:
        reason = f"Twilio could not be reached for the recording ({type(error).__name__})"
        raise AttemptFailed(reason, retryable=True) from error
    finally:
        if own:
            await http.aclose()
    seconds = wav_duration_s(data)
    if seconds > MAX_RECORDING_S:
        raise _too_long(seconds)
    return Recording(wav=data, duration_s=seconds)


async def _fetch(http: httpx.AsyncClient, url: str, auth: tuple[str, str]) -> bytes:
    async with http.stream("GET", url, auth=auth) as response:
        if response.status_code == 404:
            raise AttemptFailed("Twilio has no such recording (yet): HTTP 404", retryable=True)
        if response.status_code in (401, 403):
            raise AttemptFailed(
                f"Twilio refused the account's credentials for the recording (HTTP {response.status_code}):"
                " check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN",
                retryable=False,
            )
        if response.status_code != 200:
            raise AttemptFailed(f"Twilio answered HTTP {response.status_code} for the recording", retryable=True)
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_RECORDING_BYTES:
            raise _too_big(int(declared))
        body = bytearray()
        async for chunk in response.aiter_bytes():
            body += chunk
            if len(body) > MAX_RECORDING_BYTES:
                raise _too_big()
        return bytes(body)
