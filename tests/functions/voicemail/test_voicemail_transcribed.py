"""A voicemail left through the simulator (Twilio's <Record>) is transcribed by the worker's real Whisper and
reaches the owner: the recording callback → the job → the worker's /transcribe → the call's message → SMS
and email in the outbox."""

from __future__ import annotations

import time

import httpx
import pytest

from shared.database import Database
from shared.repositories.calls import get_call_by_sid
from shared.repositories.notifications import list_for_call
from tests.functions.conftest import OWNER_EMAIL, OWNER_PHONE, ServedApp
from tests.functions.voicemail.conftest import VoicemailCaller, attempted_job, finished_job
from tests.gpu_worker.spoken_audio import words

pytestmark = pytest.mark.slow  # Whisper base on CPU, a real-time recording and Piper's first synthesis

MESSAGE = "Hi, this is Dana. My kitchen sink is leaking under the cabinet. Please call me back this afternoon."
KEY_WORDS = {"kitchen", "sink", "leaking", "cabinet"}


async def test_a_voicemail_is_transcribed_stored_and_sent_to_the_owner(
    caller: VoicemailCaller, whisper_worker: ServedApp, functions: ServedApp, db: Database
) -> None:
    # GIVEN a business whose workers are all busy (none registered), and a worker with Whisper up for jobs
    await whisper_worker.start()
    # WHEN a caller rings, hears the apology and leaves a message after the beep
    started = time.perf_counter()
    result = await caller.leave(MESSAGE)
    assert result.outcome == "voicemail", result
    assert any(note.startswith("voicemail recorded: RE") for note in result.notes), result.notes
    assert not [note for note in result.notes if "HTTP" in note or "unreachable" in note], result.notes
    # THEN the recording Twilio reported was fetched with the account's credentials, and its job finished
    job = await finished_job(db, result.call_sid)
    print(f"\nvoicemail transcribed {time.perf_counter() - started:.1f} s after the call was placed")
    assert job.status == "done", job.last_error
    assert job.attempts == 1
    (recording,) = caller.recordings.recordings.values()
    assert caller.recordings.fetches == [f"/2010-04-01/Accounts/{recording.account_sid}/Recordings/{recording.sid}.wav"]
    # AND the caller's words are on the call: its message and its transcript (the owner's call page)
    call = await get_call_by_sid(db, result.call_sid)
    assert call is not None
    assert call.voicemail
    said = call.transcript[-1]["text"]
    assert words(said) >= KEY_WORDS, said
    messages = await db.fetch_all("SELECT message, callback FROM call_messages WHERE call_id = ?", (call.id,))
    assert [row["message"] for row in messages] == [said]
    async with httpx.AsyncClient(base_url=functions.base_url) as client:
        page = await client.get(f"/c/{call.id}")
    assert "kitchen sink" in page.text.lower()
    assert "still on its way" not in page.text  # a voicemail-only call is reported by its job
    # AND the owner got an SMS and an email with the words and the call page link
    sent = {n.purpose: n for n in await list_for_call(db, call.id)}
    assert set(sent) == {"voicemail_sms", "voicemail_email"}
    assert sent["voicemail_sms"].recipient == OWNER_PHONE
    assert sent["voicemail_email"].recipient == OWNER_EMAIL
    assert all(n.status == "recorded" for n in sent.values())
    assert "Voicemail: " in sent["voicemail_sms"].body
    assert f"/c/{call.id}" in sent["voicemail_sms"].body
    assert "kitchen" in sent["voicemail_email"].body.lower()


async def test_the_worker_down_is_retried_then_the_voicemail_is_transcribed(
    caller: VoicemailCaller, whisper_worker: ServedApp, db: Database
) -> None:
    # GIVEN no worker up when the voicemail comes in
    result = await caller.leave("Hello, my water heater is leaking. Please call me back.")
    # WHEN the first attempt runs
    job = await attempted_job(db, result.call_sid)
    # THEN it waits for a retry with the reason, and the owner is not told anything yet
    assert job.status == "waiting"
    assert job.attempts == 1
    assert "no worker could transcribe" in (job.last_error or "")
    call = await get_call_by_sid(db, result.call_sid)
    assert call is not None
    assert await list_for_call(db, call.id) == []
    # WHEN the worker comes up and the retry is due
    await whisper_worker.start()
    await db.execute("UPDATE queued_jobs SET run_after = ? WHERE id = ?", ("2000-01-01T00:00:00.000Z", job.id))
    # THEN the next attempt transcribes it and the owner is told
    done = await finished_job(db, result.call_sid)
    assert done.status == "done"
    assert done.attempts == 2
    after = await get_call_by_sid(db, result.call_sid)
    assert after is not None
    assert {"water", "heater"} <= words(after.transcript[-1]["text"])
    assert {n.purpose for n in await list_for_call(db, call.id)} == {"voicemail_sms", "voicemail_email"}
