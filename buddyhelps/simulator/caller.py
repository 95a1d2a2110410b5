"""One simulated phone call against a running BuddyHelps, exactly as Twilio would place it.

`run_call` is the library API (`buddyhelps call`, `make demo`, end-to-end tests and `buddyhelps bench`
use it, several at once for concurrency): signed `/incoming-call` webhook → TwiML → Media Stream in
real time → signed `/call-status` → stereo WAV → per-turn transcripts and latency figures.
"""

from __future__ import annotations

import asyncio
import logging
import time
from contextlib import nullcontext
from dataclasses import dataclass, replace
from pathlib import Path

import httpx
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from buddyhelps.simulator.agent_transcriber import AgentTranscriber
from buddyhelps.simulator.call_result import CallResult
from buddyhelps.simulator.caller_voice import CallerVoice
from buddyhelps.simulator.edge_twiml import read_edge_document
from buddyhelps.simulator.edge_verbs import EdgeEvent, EdgePlayer
from buddyhelps.simulator.heard_clauses import heard_clauses
from buddyhelps.simulator.live_redirects import LiveRedirects
from buddyhelps.simulator.media_session import MediaSession, SessionResult
from buddyhelps.simulator.scenario import Scenario
from buddyhelps.simulator.turns import Turn, build_turns, greeting_ms, pacing_stats
from buddyhelps.simulator.twilio_frames import TwilioFrameBuilder
from buddyhelps.simulator.twilio_recordings import RecordingStore
from buddyhelps.simulator.twilio_webhooks import (
    WebhookTarget,
    call_status_form,
    incoming_call_form,
    new_sid,
    post_signed,
)
from buddyhelps.simulator.twiml_reader import ConnectStream, TwimlError, Voicemail, read_twiml
from buddyhelps.simulator.voicemail_leg import VoicemailCall, leave_voicemail
from shared.settings import Settings
from shared.signatures import twilio_signature

logger = logging.getLogger(__name__)

MAX_AGENT_FRAME_BYTES = 1 << 20
MAX_LEGS = 5  # Twilio has no such cap; ours keeps a misbehaving edge from bouncing a call forever
MAX_EDGE_DOCUMENTS = 20  # menus, redirects and dials in a row before a stream (same reason)
# How a stream ends from the worker's side (closed, dropped, never opened): Twilio then asks <Connect action>.
STREAM_ENDED_BY_WORKER = frozenset({"agent_hung_up", "stream_failed"})


@dataclass(frozen=True, kw_only=True)
class CallOptions:
    functions_url: str
    public_base_url: str  # what Twilio signs: the public URL of the functions
    auth_token: str
    account_sid: str
    to_number: str = "+15550100001"
    from_number: str = "+15555550123"
    artifacts_dir: Path = Path("artifacts/calls")
    reply_gap_s: float = 0.8  # agent silence that counts as "finished speaking"
    http_timeout_s: float = 15.0  # Twilio gives the webhook 15 s in all
    edge_time_scale: float = 1.0  # <Say>/<Gather> waits at the edge, scaled (1.0: real time; edge_verbs.py)
    dial_answer: str = "no-answer"  # what a number rung with <Dial> does: completed | no-answer | busy | failed

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        functions_url: str | None = None,
        to_number: str = "+15550100001",
        from_number: str = "+15555550123",
        artifacts_dir: Path = Path("artifacts/calls"),
    ) -> CallOptions:
        return cls(
            functions_url=functions_url or settings.public_base_url,
            public_base_url=settings.public_base_url,
            auth_token=settings.twilio_auth_token,
            account_sid=settings.twilio_account_sid,
            to_number=to_number,
            from_number=from_number,
            artifacts_dir=artifacts_dir,
        )


@dataclass(frozen=True, kw_only=True)
class _CallContext:
    """What every leg of one call shares: the webhook client and target, the call's form, the script."""

    http: httpx.AsyncClient
    target: WebhookTarget
    forms: dict[str, str]
    options: CallOptions
    scenario: Scenario
    speech: dict[str, bytes]
    recordings: RecordingStore | None = None
    redirects: LiveRedirects | None = None


@dataclass(frozen=True, kw_only=True)
class _StreamLeg:
    result: CallResult
    redirect_twiml: str = ""  # the call was redirected (a transfer): what it runs next
    lines_done: int = 0  # the scenario's lines begun on this stream


async def run_call(
    *,
    scenario: Scenario,
    options: CallOptions,
    voice: CallerVoice,
    transcriber: AgentTranscriber | None = None,
    recordings: RecordingStore | None = None,
    redirects: LiveRedirects | None = None,
) -> CallResult:
    """`recordings`: where a <Record> keeps the caller's message (served by the simulated REST API); without
    it a voicemail answer ends the call there, nothing recorded. `redirects`: the simulated REST API's live
    inbound calls (a transfer redirects the call there); without it a redirect finds no call."""
    speech = {text: await voice.speak(text) for text in scenario.spoken_texts}
    call_sid = new_sid("CA")
    target = WebhookTarget(
        functions_url=options.functions_url, public_base_url=options.public_base_url, auth_token=options.auth_token
    )
    base = CallResult(call_sid=call_sid, scenario=scenario.name, outcome="webhook_failed")
    forms = {
        "call_sid": call_sid,
        "account_sid": options.account_sid,
        "caller": options.from_number,
        "called": options.to_number,
    }
    async with httpx.AsyncClient(timeout=options.http_timeout_s) as http:
        rang_at = time.monotonic()
        try:
            answer = await post_signed(http, target, "/incoming-call", incoming_call_form(**forms))
        except httpx.HTTPError as error:
            return replace(base, detail=f"/incoming-call unreachable: {error!r}")
        if answer.status_code != 200:
            return replace(base, detail=f"/incoming-call answered HTTP {answer.status_code}: {answer.text[:300]}")
        call = _CallContext(
            http=http,
            target=target,
            forms=forms,
            options=options,
            scenario=scenario,
            speech=speech,
            recordings=recordings,
            redirects=redirects,
        )
        result = await _follow_twiml(call, answer.text, base)
        duration_s = time.monotonic() - rang_at
        status_form = call_status_form(**forms, duration_s=duration_s)
        notes = list(result.notes)
        try:
            status = await post_signed(http, target, "/call-status", status_form)
            if status.status_code >= 300:
                notes.append(f"/call-status answered HTTP {status.status_code}")
        except httpx.HTTPError as error:
            notes.append(f"/call-status unreachable: {error!r}")
    result = replace(result, duration_s=round(duration_s, 2), notes=tuple(notes))
    if transcriber is not None:
        legs = [replace(leg, turns=await _transcribed(leg, transcriber)) for leg in result.previous_legs]
        result = replace(result, turns=await _transcribed(result, transcriber), previous_legs=tuple(legs))
    return result


async def _follow_twiml(call: _CallContext, twiml: str, base: CallResult) -> CallResult:
    edge: list[EdgeEvent] = []
    result = await _follow(call, twiml, base, edge)
    return replace(result, edge=tuple(edge))


async def _follow(call: _CallContext, twiml: str, base: CallResult, edge: list[EdgeEvent]) -> CallResult:
    """Run the TwiML as Twilio does, leg after leg: what the edge answers before a stream (a keypad menu,
    redirects, a dial) is played first; when a <Connect><Stream> ends from the worker's side (closed,
    dropped, or never opened) and has an `action`, POST it and run what it answers; when the call is redirected
    through the REST API (a transfer), run the TwiML it was redirected to, the caller's lines going on."""
    result, legs, document = base, list[str](), twiml
    streamed: list[CallResult] = []  # each stream leg's result, in order
    for _ in range(MAX_LEGS):
        try:
            call, played, ended = await _through_edge(call, document, edge)
        except (TwimlError, httpx.HTTPError, ValueError) as error:
            detail = f"at the edge: {error}"
            return _with_legs(replace(result, outcome="webhook_failed", detail=detail), legs)
        if played is None:
            return _with_legs(replace(result, outcome=ended), [*legs, ended])
        document = played
        try:
            instruction = read_twiml(document)
        except TwimlError as error:
            return _with_legs(
                replace(result, outcome="webhook_failed", detail=f"TwiML Twilio could not run: {error}"), legs
            )
        if isinstance(instruction, Voicemail) and call.recordings is not None:
            return _with_legs(await leave_voicemail(_voicemail_call(call), instruction, result), [*legs, "voicemail"])
        if isinstance(instruction, Voicemail):
            return _with_legs(
                replace(result, outcome="voicemail", detail=" ".join(instruction.said)), [*legs, "voicemail"]
            )
        if not isinstance(instruction, ConnectStream):
            if legs and instruction.verbs in {(), ("Hangup",)}:
                return _with_legs(result, legs)  # the stream's end ended the call: it stays as the stream left it
            verbs = ", ".join(instruction.verbs) or "none"
            return _with_legs(replace(result, outcome="rejected", detail=f"TwiML verbs: {verbs}"), legs)
        leg = await _stream_leg(call, instruction, base)
        result = replace(leg.result, previous_legs=tuple(streamed))
        streamed.append(leg.result)
        legs.append(result.outcome)
        if leg.redirect_twiml:
            document = leg.redirect_twiml
            lines = call.scenario.lines[leg.lines_done :]
            call = replace(call, scenario=replace(call.scenario, lines=lines))
            continue
        if result.outcome not in STREAM_ENDED_BY_WORKER or instruction.action is None:
            return _with_legs(result, legs)
        try:
            document = await _ask_action(call, instruction.action)
        except (httpx.HTTPError, ValueError) as error:
            detail = f"<Connect action> failed: {error}"
            return _with_legs(replace(result, outcome="webhook_failed", detail=detail), legs)
    return _with_legs(replace(result, notes=(*result.notes, f"stopped after {MAX_LEGS} legs")), legs)


def _voicemail_call(call: _CallContext) -> VoicemailCall:
    assert call.recordings is not None
    return VoicemailCall(
        http=call.http,
        target=call.target,
        forms=call.forms,
        scenario=call.scenario,
        speech=call.speech,
        recordings=call.recordings,
    )


async def _through_edge(
    call: _CallContext, document: str, edge: list[EdgeEvent]
) -> tuple[_CallContext, str | None, str]:
    """Play edge documents until one that is not (returned), or the call ends there (None, and how); the
    call comes back with the caller's lines the edge did not take."""
    player = EdgePlayer(
        http=call.http,
        target=call.target,
        form=incoming_call_form(**call.forms),
        speech=call.speech,
        time_scale=call.options.edge_time_scale,
        dial_answer=call.options.dial_answer,
    )
    url = call.target.signed_url("/incoming-call")
    for _ in range(MAX_EDGE_DOCUMENTS):
        verbs = read_edge_document(document)
        if verbs is None:
            return call, document, ""
        step = await player.play(verbs, lines=call.scenario.lines, url=url)
        edge.extend(step.events)
        call = replace(call, scenario=replace(call.scenario, lines=step.lines))
        if step.next_document is None or step.ended:
            return call, None, step.ended or "edge_hung_up"
        document, url = step.next_document, step.document_url
    raise ValueError(f"more than {MAX_EDGE_DOCUMENTS} edge documents in a row")


def _with_legs(result: CallResult, legs: list[str]) -> CallResult:
    return replace(result, legs=tuple(legs))


async def _ask_action(call: _CallContext, action_url: str) -> str:
    """POST the <Connect action> URL with the call's parameters, signed; returns the TwiML it answers."""
    public = call.target.public_base_url.rstrip("/")
    if not action_url.startswith(public + "/"):
        raise ValueError(f"action URL {action_url!r} is not under the public base URL {public!r}")
    form = {**incoming_call_form(**call.forms), "CallStatus": "in-progress"}
    answer = await post_signed(call.http, call.target, action_url.removeprefix(public), form)
    if answer.status_code != 200:
        raise ValueError(f"HTTP {answer.status_code}: {answer.text[:300]}")
    return answer.text


async def _stream_leg(call: _CallContext, instruction: ConnectStream, base: CallResult) -> _StreamLeg:
    options = call.options
    stream_sid = new_sid("MZ")
    base = replace(base, stream_sid=stream_sid)
    frames = TwilioFrameBuilder(stream_sid=stream_sid, call_sid=base.call_sid, account_sid=options.account_sid)
    # Twilio signs the WebSocket upgrade too (over the stream URL, no parameters).
    headers = {"X-Twilio-Signature": twilio_signature(auth_token=options.auth_token, url=instruction.url, params={})}
    watching = call.redirects.watching(base.call_sid) if call.redirects is not None else nullcontext(None)
    try:
        with watching as redirected:
            async with connect(
                instruction.url, additional_headers=headers, open_timeout=10, max_size=MAX_AGENT_FRAME_BYTES
            ) as websocket:
                session = MediaSession(
                    websocket=websocket,
                    frames=frames,
                    scenario=call.scenario,
                    speech=call.speech,
                    reply_gap_s=options.reply_gap_s,
                    redirected=redirected,
                )
                outcome = await session.run(instruction.parameters)
    except (OSError, InvalidHandshake, TimeoutError, ConnectionClosed) as error:
        failed = replace(base, outcome="stream_failed", detail=f"could not open {instruction.url}: {error!r}")
        return _StreamLeg(result=failed)
    name = f"{base.call_sid}-{stream_sid}.wav" if outcome.redirect_twiml else f"{base.call_sid}.wav"
    wav_path = outcome.recording.write_wav(options.artifacts_dir / name)
    return _StreamLeg(
        result=_from_session(base, outcome, wav_path),
        redirect_twiml=outcome.redirect_twiml,
        lines_done=outcome.lines_done,
    )


def _from_session(base: CallResult, session: SessionResult, wav_path: Path) -> CallResult:
    return replace(
        base,
        outcome=session.outcome,
        turns=tuple(build_turns(session)),
        greeting_ms=_rounded(greeting_ms(session)),
        barge_in_ms=_rounded(session.barge_in_ms),
        wav_path=wav_path,
        frames_sent=session.frames_sent,
        marks_echoed=session.marks_echoed,
        dtmf_sent=session.dtmf_sent,
        protocol_errors=session.protocol_errors,
        pacing=pacing_stats(session.lateness_s),
        notes=session.notes,
        recording=session.recording,
        clauses=heard_clauses(session),
    )


async def _transcribed(result: CallResult, transcriber: AgentTranscriber) -> tuple[Turn, ...]:
    """The agent's turns with the words Whisper hears in them."""
    turns = []
    for turn in result.turns:
        if turn.speaker == "agent" and result.recording is not None:
            audio = result.recording.agent_audio(turn.first_tick, turn.last_tick)
            turn = replace(turn, text=await asyncio.to_thread(transcriber.transcribe, audio))
        turns.append(turn)
    return tuple(turns)


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
