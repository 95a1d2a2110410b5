"""What Twilio does with <Record>: the caller's message recorded, the action asked, the recording reported.

The caller says the scenario's lines after the beep (each after its `pause_before_s`), in real time as on a
phone line, then hangs up (a line with `dtmf` presses its first key instead, which ends the recording as
Twilio's default finishOnKey does). The recording is cut at maxLength. Then, as Twilio does:
- the <Record action> gets the call's parameters with RecordingUrl, RecordingDuration and Digits
  ("hangup" when the caller hung up);
- the recordingStatusCallback, once the file is ready, gets AccountSid, CallSid, RecordingSid,
  RecordingUrl, RecordingStatus=completed, RecordingDuration, RecordingChannels, RecordingStartTime,
  RecordingSource=RecordVerb and ErrorCode;
- the recording is served at RecordingUrl by the simulated REST API (buddyhelps/simulator/twilio_recordings.py).
A caller who says nothing leaves no recording: Twilio asks no action and goes on to the next verb.
Both requests are signed as Twilio signs them.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from email.utils import format_datetime

import httpx

from buddyhelps.simulator.call_result import CallResult
from buddyhelps.simulator.scenario import Scenario
from buddyhelps.simulator.twilio_recordings import RecordingStore, StoredRecording, wav_from_mulaw
from buddyhelps.simulator.twilio_webhooks import WebhookTarget, incoming_call_form, post_signed
from buddyhelps.simulator.twiml_reader import Voicemail
from gpu_worker.telephony.audio_codec import TELEPHONE_RATE

log = logging.getLogger(__name__)
MULAW_SILENCE = b"\xff"


@dataclass(frozen=True, kw_only=True)
class VoicemailCall:
    http: httpx.AsyncClient
    target: WebhookTarget
    forms: Mapping[str, str]  # call_sid, account_sid, caller, called
    scenario: Scenario
    speech: Mapping[str, bytes]
    recordings: RecordingStore


def caller_message(scenario: Scenario, speech: Mapping[str, bytes], *, max_length_s: int) -> tuple[bytes, str]:
    """The mu-law audio the caller leaves (cut at `max_length_s`) and the Digits Twilio reports."""
    audio, digits = bytearray(), "hangup"
    for line in scenario.lines:
        audio += MULAW_SILENCE * int(line.pause_before_s * TELEPHONE_RATE)
        if line.dtmf:
            digits = line.dtmf[0]
            break
        if line.text:
            audio += speech[line.text]
    return bytes(audio[: max_length_s * TELEPHONE_RATE]), digits


async def leave_voicemail(call: VoicemailCall, instruction: Voicemail, base: CallResult) -> CallResult:
    result = replace(base, outcome="voicemail", detail=" ".join(instruction.said))
    record = instruction.record
    if record is None:
        return result
    audio, digits = caller_message(call.scenario, call.speech, max_length_s=record.max_length_s)
    if not any(byte != MULAW_SILENCE[0] for byte in audio):
        return replace(result, notes=(*result.notes, "no message left: nothing recorded"))
    await asyncio.sleep(len(audio) / TELEPHONE_RATE)  # Twilio records the caller as they speak
    duration_s = max(1, math.ceil(len(audio) / TELEPHONE_RATE))
    recording = call.recordings.keep(call_sid=base.call_sid, wav=wav_from_mulaw(audio), duration_s=duration_s)
    url = call.recordings.url_of(recording)
    notes = [f"voicemail recorded: {recording.sid} ({duration_s} s)"]
    call_form = {**incoming_call_form(**call.forms), "CallStatus": "completed" if digits == "hangup" else "in-progress"}
    if record.action:
        action_form = {**call_form, "RecordingUrl": url, "RecordingDuration": str(duration_s), "Digits": digits}
        notes.append(await _post(call, record.action, action_form, "<Record action>"))
    if record.recording_status_callback and "completed" in record.recording_status_callback_events:
        status_form = _status_form(recording, url)
        notes.append(await _post(call, record.recording_status_callback, status_form, "recordingStatusCallback"))
    return replace(result, notes=(*result.notes, *(note for note in notes if note)))


def _status_form(recording: StoredRecording, url: str) -> dict[str, str]:
    return {
        "AccountSid": recording.account_sid,
        "CallSid": recording.call_sid,
        "RecordingSid": recording.sid,
        "RecordingUrl": url,
        "RecordingStatus": "completed",
        "RecordingDuration": str(recording.duration_s),
        "RecordingChannels": "1",
        "RecordingStartTime": format_datetime(recording.started_at),
        "RecordingSource": "RecordVerb",
        "ErrorCode": "0",
    }


async def _post(call: VoicemailCall, url: str, form: Mapping[str, str], what: str) -> str:
    """POST a callback URL under the public base URL, signed; a note when it failed, else ""."""
    public = call.target.public_base_url.rstrip("/")
    if not url.startswith(public + "/"):
        return f"{what} {url!r} is not under the public base URL {public!r}: not requested"
    try:
        answer = await post_signed(call.http, call.target, url.removeprefix(public), form)
    except httpx.HTTPError as error:
        return f"{what} unreachable: {error!r}"
    return f"{what} answered HTTP {answer.status_code}" if answer.status_code >= 300 else ""
