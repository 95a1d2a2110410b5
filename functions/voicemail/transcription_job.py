"""One attempt at a "transcribe voicemail" job: Twilio's recording → a worker's Whisper → the call's message and
the owner's SMS and email.

A worker or Twilio failing is tried again after a growing delay (shared/jobs/job_store.py); a recording
refused for what it is (too long, too big, not this account's) fails at once. Either way, when the job
fails for good the owner is still told a voicemail was left, and why its words are missing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from functions.voicemail import recording_download, worker_transcription
from functions.voicemail.voicemail_report import VoicemailOutcome, store_and_notify
from shared.database import Database
from shared.jobs import job_store
from shared.jobs.attempt_failure import AttemptFailed
from shared.jobs.job_store import Job
from shared.repositories.calls import get_call_by_sid
from shared.settings import Settings
from shared.structured_logging import call_sid_var

log = logging.getLogger(__name__)
KIND = "transcribe_voicemail"


@dataclass(frozen=True)
class VoicemailRecording:
    """The job's payload: what Twilio's recording callback said."""

    call_sid: str
    recording_sid: str
    recording_url: str
    duration_s: int | None


def payload_of(recording: VoicemailRecording) -> dict[str, object]:
    return {
        "call_sid": recording.call_sid,
        "recording_sid": recording.recording_sid,
        "recording_url": recording.recording_url,
        "duration_s": recording.duration_s,
    }


def recording_of(job: Job) -> VoicemailRecording:
    payload = job.payload
    duration = payload.get("duration_s")
    return VoicemailRecording(
        call_sid=str(payload["call_sid"]),
        recording_sid=str(payload["recording_sid"]),
        recording_url=str(payload["recording_url"]),
        duration_s=int(duration) if isinstance(duration, int) else None,
    )


@dataclass(frozen=True)
class AttemptResult:
    status: job_store.JobStatus  # done, waiting (to be retried) or failed
    retry_in_s: int | None = None
    error: str | None = None


async def run_attempt(
    db: Database,
    settings: Settings,
    job: Job,
    *,
    twilio_client: httpx.AsyncClient | None = None,
    worker_client: httpx.AsyncClient | None = None,
) -> AttemptResult:
    """Run one claimed job to its end: done, waiting for a retry, or failed (the owner told either way)."""
    recording = recording_of(job)
    token = call_sid_var.set(recording.call_sid)
    try:
        try:
            outcome = await _transcribed(db, settings, recording, twilio_client, worker_client)
        except AttemptFailed as failure:
            return await _failed(db, settings, job, recording, failure)
        await _store(db, settings, recording, outcome)
        await job_store.complete(db, job, now=datetime.now(UTC))
        log.info("voicemail transcribed", extra={"job_id": job.id, "attempt": job.attempts})
        return AttemptResult(status="done")
    finally:
        call_sid_var.reset(token)


async def _transcribed(
    db: Database,
    settings: Settings,
    recording: VoicemailRecording,
    twilio_client: httpx.AsyncClient | None,
    worker_client: httpx.AsyncClient | None,
) -> VoicemailOutcome:
    audio = await recording_download.download_recording(
        settings, recording.recording_url, declared_duration_s=recording.duration_s, client=twilio_client
    )
    transcript = await worker_transcription.transcribe(db, settings, audio.wav, client=worker_client)
    return VoicemailOutcome(
        recording_sid=recording.recording_sid,
        text=transcript.text,
        language=transcript.language,
        duration_s=audio.duration_s,
    )


async def _store(db: Database, settings: Settings, recording: VoicemailRecording, outcome: VoicemailOutcome) -> None:
    call = await get_call_by_sid(db, recording.call_sid)
    if call is None:  # the callback is stored against an existing call only; nothing to attach the words to
        log.warning("voicemail for a call that is not stored; words dropped", extra={"sid": recording.recording_sid})
        return
    await store_and_notify(db, settings, call, outcome)


async def _failed(
    db: Database, settings: Settings, job: Job, recording: VoicemailRecording, failure: AttemptFailed
) -> AttemptResult:
    if failure.retryable and job.attempts < job.max_attempts:
        end = await job_store.fail_attempt(db, job, error=str(failure), retryable=True, now=datetime.now(UTC))
        log.warning(
            "voicemail attempt failed; will try again",
            extra={"job_id": job.id, "attempt": job.attempts, "retry_in_s": end.retry_in_s, "error": str(failure)},
        )
        return AttemptResult(status="waiting", retry_in_s=end.retry_in_s, error=str(failure))
    log.error("voicemail not transcribed", extra={"job_id": job.id, "attempts": job.attempts, "error": str(failure)})
    # The owner first (a crash here leaves the job to its lease and a later attempt), then the job's end.
    problem = str(failure) if not failure.retryable else "no transcription after several tries"
    await _store(db, settings, recording, VoicemailOutcome(recording_sid=recording.recording_sid, problem=problem))
    await job_store.fail_attempt(db, job, error=str(failure), retryable=False, now=datetime.now(UTC))
    return AttemptResult(status="failed", error=str(failure))
