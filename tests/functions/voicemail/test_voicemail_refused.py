"""Recordings the job will not transcribe are refused at once with the reason, and the owner still hears of
the voicemail: over 5 minutes (by Twilio's RecordingDuration, or by the WAV itself) or over 10 MB.

The call comes in through the signed /incoming-call (no worker: voicemail TwiML), Twilio's recording is
kept by the simulated Recordings API, and its recordingStatusCallback is posted signed, as Twilio does."""

from __future__ import annotations

import io
import wave

import httpx
import pytest

from buddyhelps.simulator.twilio_recordings import RecordingStore, StoredRecording
from buddyhelps.simulator.twilio_webhooks import WebhookTarget, incoming_call_form, new_sid, post_signed
from shared.database import Database
from shared.repositories.calls import get_call_by_sid
from shared.repositories.notifications import list_for_call
from shared.settings import Settings
from tests.functions.conftest import BUSINESS_NUMBER, CALLER, ServedApp
from tests.functions.voicemail.conftest import finished_job


def silent_wav(seconds: float) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(8000)
        wav.writeframes(b"\x00\x00" * int(seconds * 8000))
    return buffer.getvalue()


async def voicemail_with(
    settings: Settings, functions: ServedApp, recordings: RecordingStore, wav: bytes, *, reported_s: int
) -> StoredRecording:
    """A call that reaches voicemail, then Twilio's callback for `wav` saying it lasts `reported_s`."""
    target = WebhookTarget(
        functions_url=functions.base_url,
        public_base_url=settings.public_base_url,
        auth_token=settings.twilio_auth_token,
    )
    forms = {
        "call_sid": new_sid("CA"),
        "account_sid": settings.twilio_account_sid,
        "caller": CALLER,
        "called": BUSINESS_NUMBER,
    }
    async with httpx.AsyncClient(timeout=15) as http:
        answer = await post_signed(http, target, "/incoming-call", incoming_call_form(**forms))
        assert "<Record" in answer.text
        recording = recordings.keep(call_sid=forms["call_sid"], wav=wav, duration_s=reported_s)
        callback = {
            "AccountSid": settings.twilio_account_sid,
            "CallSid": forms["call_sid"],
            "RecordingSid": recording.sid,
            "RecordingUrl": recordings.url_of(recording),
            "RecordingStatus": "completed",
            "RecordingDuration": str(reported_s),
            "RecordingChannels": "1",
            "RecordingSource": "RecordVerb",
            "ErrorCode": "0",
        }
        response = await post_signed(http, target, "/call-status?voicemail=1", callback)
        assert response.status_code == 200
    return recording


@pytest.mark.parametrize(
    ("seconds", "reported_s", "fetched", "reason"),
    [
        (360, 360, False, "the recording is 360 s long; voicemails over 5 minutes are not transcribed"),
        (360, 90, True, "the recording is 360 s long; voicemails over 5 minutes are not transcribed"),
        (700, 120, True, "the recording is 10.7 MB; at most 10 MB is transcribed"),
    ],
    ids=["reported-too-long", "wav-too-long", "too-big"],
)
async def test_a_recording_over_the_limits_is_refused_at_once_and_the_owner_still_told(
    vm_settings: Settings,
    functions: ServedApp,
    recordings: RecordingStore,
    db: Database,
    seconds: int,
    reported_s: int,
    fetched: bool,
    reason: str,
) -> None:
    # GIVEN a voicemail whose recording is over a limit (no worker needed: nothing reaches one)
    recording = await voicemail_with(vm_settings, functions, recordings, silent_wav(seconds), reported_s=reported_s)
    # WHEN its job runs
    job = await finished_job(db, recording.call_sid, timeout_s=30)
    # THEN it failed on its first attempt, with the reason in plain words (not tried again)
    assert job.status == "failed"
    assert job.attempts == 1
    assert job.last_error == reason
    # AND a recording Twilio said was too long was not even fetched
    assert bool(recordings.fetches) is fetched
    # AND the owner is told a voicemail was left and why it has no words
    call = await get_call_by_sid(db, recording.call_sid)
    assert call is not None
    sent = {n.purpose: n for n in await list_for_call(db, call.id)}
    assert set(sent) == {"voicemail_sms", "voicemail_email"}
    assert "could not be transcribed" in sent["voicemail_sms"].body
    assert reason.split(";")[0] in sent["voicemail_email"].body


async def test_a_repeated_callback_queues_nothing_more(
    vm_settings: Settings, functions: ServedApp, recordings: RecordingStore, db: Database
) -> None:
    # GIVEN a voicemail already queued (a too-long one, so the job ends without a worker)
    recording = await voicemail_with(vm_settings, functions, recordings, silent_wav(1), reported_s=400)
    await finished_job(db, recording.call_sid, timeout_s=30)
    # WHEN Twilio posts the same recording callback again
    target = WebhookTarget(
        functions_url=functions.base_url,
        public_base_url=vm_settings.public_base_url,
        auth_token=vm_settings.twilio_auth_token,
    )
    again = {
        "AccountSid": vm_settings.twilio_account_sid,
        "CallSid": recording.call_sid,
        "RecordingSid": recording.sid,
        "RecordingUrl": recordings.url_of(recording),
        "RecordingStatus": "completed",
        "RecordingDuration": "400",
    }
    async with httpx.AsyncClient(timeout=15) as http:
        assert (await post_signed(http, target, "/call-status?voicemail=1", again)).status_code == 200
    # THEN there is still one job and one SMS and one email
    rows = await db.fetch_all("SELECT id FROM queued_jobs WHERE call_sid = ?", (recording.call_sid,))
    assert len(rows) == 1
    call = await get_call_by_sid(db, recording.call_sid)
    assert call is not None
    assert len(await list_for_call(db, call.id)) == 2
