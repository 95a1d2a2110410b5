"""One outbound call as Twilio plays it once `Calls.json` accepted it: ring, answer (or busy, no answer,
failed), POST the call's TwiML URL, open the media stream and speak as the callee, send the async AMD
result and the status callbacks; a REST redirect (`calls(sid).update(twiml=...)`) ends the stream and
runs the new TwiML (what it says is kept as the message left)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass, field

import httpx
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from buddyhelps.simulator.callee_book import Callee
from buddyhelps.simulator.caller_voice import CallerVoice
from buddyhelps.simulator.media_session import MediaSession
from buddyhelps.simulator.scenario import Scenario
from buddyhelps.simulator.twilio_frames import TwilioFrameBuilder
from buddyhelps.simulator.twilio_webhooks import API_VERSION, WebhookTarget, new_sid, post_signed
from buddyhelps.simulator.twiml_reader import ConnectStream, TwimlError, read_twiml
from shared.signatures import twilio_signature

log = logging.getLogger(__name__)
RING_S = 0.3  # how long a simulated phone rings before it is answered or given up on
BEEP_S = 0.5
HUMAN_AMD_S = 2.0  # DetectMessageEnd decides "human" soon after a short hello


@dataclass(frozen=True, kw_only=True)
class CallRequest:
    """What `calls.create` asked for (Twilio's parameter names)."""

    call_sid: str
    account_sid: str
    to_number: str
    from_number: str
    url: str
    status_callback: str = ""
    status_events: tuple[str, ...] = ("completed",)
    amd_callback: str = ""


@dataclass(kw_only=True)
class CalleeCall:
    """The simulator's record of one outbound call (what the tests and `campaign eval` read)."""

    request: CallRequest
    callee: Callee | None
    status: str = "queued"
    answered_by: str = ""
    stream_outcome: str = ""
    message_left: str = ""
    duration_s: float = 0.0
    notes: list[str] = field(default_factory=list)
    redirected: asyncio.Event = field(default_factory=asyncio.Event)
    redirect_twiml: str = ""


class CalleePlayer:
    def __init__(self, *, target: WebhookTarget, voice: CallerVoice, http: httpx.AsyncClient) -> None:
        self._target = target
        self._voice = voice
        self._http = http

    async def play(self, call: CalleeCall) -> None:
        started = time.monotonic()
        await self._status(call, "initiated")
        await self._status(call, "ringing")
        await asyncio.sleep(RING_S)  # the phone rings: nothing happens until it does or does not pick up
        answers = call.callee.answers if call.callee else "no-answer"
        if answers in {"busy", "no-answer", "failed"}:
            await self._status(call, answers, final=True)
            return
        try:
            await self._answered(call)
        except (httpx.HTTPError, TwimlError, OSError, InvalidHandshake, ConnectionClosed) as error:
            call.notes.append(f"call failed after answer: {error!r}")
        call.duration_s = time.monotonic() - started
        await self._status(call, "completed", final=True)

    async def _answered(self, call: CalleeCall) -> None:
        assert call.callee is not None
        await self._status(call, "in-progress")
        answer = await self._post(call.request.url, self._form(call, "in-progress"))
        instruction = read_twiml(answer.text)
        if not isinstance(instruction, ConnectStream):
            call.stream_outcome = "no stream"
            return
        scenario = call.callee.scenario()
        speech = {text: await self._voice.speak(text) for text in scenario.spoken_texts}
        pause_s = _pause_before_connect(answer.text)
        if call.callee.pickup and len(speech.get(call.callee.pickup, b"")) / 8000 <= pause_s:
            scenario = call.callee.scenario(pickup_said=True)  # the hello fell in the pause, before the stream
        await asyncio.sleep(pause_s)  # <Pause> before <Connect>: Twilio plays silence, nothing is streamed
        amd = asyncio.create_task(self._detect(call, speech), name="async-amd")
        try:
            await self._stream(call, instruction, scenario, scenario_speech=speech)
        finally:
            amd.cancel()
            await asyncio.gather(amd, return_exceptions=True)
        if call.redirect_twiml:
            call.message_left = " ".join(_said(call.redirect_twiml))

    async def _stream(
        self,
        call: CalleeCall,
        instruction: ConnectStream,
        scenario: Scenario,
        *,
        scenario_speech: Mapping[str, bytes],
    ) -> None:
        assert call.callee is not None
        stream_sid = new_sid("MZ")
        frames = TwilioFrameBuilder(
            stream_sid=stream_sid, call_sid=call.request.call_sid, account_sid=call.request.account_sid
        )
        headers = {
            "X-Twilio-Signature": twilio_signature(auth_token=self._target.auth_token, url=instruction.url, params={})
        }
        async with connect(instruction.url, additional_headers=headers, open_timeout=10) as websocket:
            session = MediaSession(websocket=websocket, frames=frames, scenario=scenario, speech=scenario_speech)
            run = asyncio.create_task(session.run(instruction.parameters), name="callee-media")
            redirected = asyncio.create_task(call.redirected.wait(), name="redirect")
            try:
                await asyncio.wait({run, redirected}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                redirected.cancel()
                if not run.done():  # the REST redirect replaced the stream's TwiML: Twilio ends the stream
                    with contextlib.suppress(ConnectionClosed):
                        await websocket.send(frames.stop())
                    run.cancel()
                results = await asyncio.gather(run, redirected, return_exceptions=True)
            outcome = results[0]
            call.stream_outcome = "redirected" if call.redirect_twiml else getattr(outcome, "outcome", "ended")

    async def _detect(self, call: CalleeCall, speech: Mapping[str, bytes]) -> None:
        """Async AMD: a machine is known after its greeting and beep, a person after their hello."""
        assert call.callee is not None
        if call.callee.answers == "machine":
            greeting = speech.get(call.callee.machine_greeting, b"")
            await asyncio.sleep(len(greeting) / 8000 + BEEP_S)  # the recorded greeting plays, then the beep
            call.answered_by = "machine_end_beep"
        else:
            await asyncio.sleep(HUMAN_AMD_S)  # detection listens for this long before deciding
            call.answered_by = "human"
        if call.request.amd_callback:
            form = {**self._form(call, "in-progress"), "AnsweredBy": call.answered_by, "MachineDetectionDuration": "0"}
            await self._post(call.request.amd_callback, form)

    async def _status(self, call: CalleeCall, status: str, *, final: bool = False) -> None:
        call.status = status
        event = {"in-progress": "answered"}.get(status, status)
        if not call.request.status_callback or (not final and event not in call.request.status_events):
            return
        form = self._form(call, status)
        if final:
            form["CallDuration"] = str(round(call.duration_s))
        try:
            await self._post(call.request.status_callback, form)
        except httpx.HTTPError as error:
            call.notes.append(f"status callback {status} failed: {error!r}")

    def _form(self, call: CalleeCall, status: str) -> dict[str, str]:
        request = call.request
        return {
            "AccountSid": request.account_sid,
            "ApiVersion": API_VERSION,
            "CallSid": request.call_sid,
            "CallStatus": status,
            "Direction": "outbound-api",
            "From": request.from_number,
            "To": request.to_number,
            "Called": request.to_number,
            "Caller": request.from_number,
        }

    async def _post(self, url: str, form: dict[str, str]) -> httpx.Response:
        public = self._target.public_base_url.rstrip("/")
        if not url.startswith(public + "/"):
            raise httpx.InvalidURL(f"callback {url!r} is not under the public base URL {public!r}")
        response = await post_signed(self._http, self._target, url.removeprefix(public), form)
        if response.status_code >= 400:
            raise httpx.HTTPStatusError(
                f"{url} answered {response.status_code}", request=response.request, response=response
            )
        return response


def _pause_before_connect(twiml: str) -> float:
    """Seconds of <Pause> before <Connect>: silence on the line before the stream opens."""
    try:
        root = ET.fromstring(twiml)  # noqa: S314 - TwiML from the BuddyHelps under test
    except ET.ParseError:
        return 0.0
    seconds = 0.0
    for verb in root:
        if verb.tag == "Connect":
            break
        if verb.tag == "Pause":
            seconds += float(verb.get("length", "1"))
    return seconds


def _said(twiml: str) -> list[str]:
    try:
        root = ET.fromstring(twiml)  # noqa: S314 - TwiML from the BuddyHelps under test
    except ET.ParseError:
        return []
    return [(verb.text or "").strip() for verb in root if verb.tag == "Say"]
