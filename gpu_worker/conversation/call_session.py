"""One phone call on the worker: Twilio's media stream in, the agent's voice out.

The receive loop runs VAD and turn-taking on every 20 ms frame (cheap, inline) and reacts at once to
barge-in; everything slow (speech-to-text, the turn model, the LLM, TTS) runs in tasks that the loop
can cancel. Per-call state lives here, never on the shared models.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from gpu_worker.after_call.call_record import CallRecord
from gpu_worker.conversation.call_conversation import CallConversation
from gpu_worker.conversation.call_time_limit import CallTimeLimit
from gpu_worker.conversation.turn_taking import TurnTaker, TurnTakingConfig
from gpu_worker.models.stages import ModelSet
from gpu_worker.routes.live_events import LiveEvents
from gpu_worker.telephony import media_stream
from gpu_worker.telephony.audio_codec import mulaw_to_float
from gpu_worker.telephony.call_admission import Admission, CallAdmission
from gpu_worker.telephony.call_recorder import CallRecorder, start_recorder
from gpu_worker.telephony.media_socket import MediaSocket, OutboundAudio
from gpu_worker.telephony.playback import PlaybackTracker
from gpu_worker.telephony.voice_output import PhraseCache
from gpu_worker.tools.knowledge import DocumentAnswerer
from shared.call_report import TRANSFERRED
from shared.database import Database
from shared.settings import Settings
from shared.signatures import SignatureError, verify_stream_token
from shared.structured_logging import call_sid_var

log = logging.getLogger(__name__)
START_TIMEOUT_S = 5.0  # Twilio sends `start` right after opening the socket; only idle sockets wait longer
LINE_SILENT_S = 15.0
POLICY_CLOSE = 1008
TRY_AGAIN_LATER = 1013


@dataclass(frozen=True)
class WorkerServices:
    """Everything a session borrows from its worker process (shared, so stateless per call)."""

    settings: Settings
    models: ModelSet
    phrases: PhraseCache
    events: LiveEvents
    database: Callable[[], Awaitable[Database]]
    finish_call: Callable[[CallRecord], None]  # schedules extraction + the durable report
    turn_config: TurnTakingConfig = field(default_factory=TurnTakingConfig)
    barge_in_ms: int = 200  # caller speech over the agent that holds its next clauses
    barge_clear_ms: int = 700  # longer speech over the agent is no backchannel: it stops the agent
    flood_tolerance_ms: int = 3000  # inbound audio may run this far ahead of the wall clock, then frames drop
    # Which streams become calls (capacity, one stream per call); the worker passes its own, sized by
    # WORKER_CAPACITY, shared by all its sessions.
    admission: CallAdmission = field(default_factory=lambda: CallAdmission(capacity=4))
    knowledge: DocumentAnswerer | None = None  # the business documents' answerer (None: facts only)


class CallSession:
    def __init__(self, *, services: WorkerServices, socket: MediaSocket) -> None:
        self._services = services
        self._socket = socket
        self._bad_frames = 0
        self._dropped_frames = 0
        self.frames_received = 0
        self.record: CallRecord | None = None
        self.recorder: CallRecorder | None = None  # when the call's definition records calls

    async def run(self) -> None:
        start = await self._await_start()
        if start is None:
            return
        started_wall = time.monotonic()
        call_sid_var.set(start.call_sid)
        refusal = self._admit(start)
        if refusal is not None:
            await self._socket.close(refusal)  # before any audio: Twilio goes on to <Connect action>
            return
        try:
            turns = await self._begin(start)
            if turns is None:
                await self._socket.close(POLICY_CLOSE)
                return
            await self._converse(start, turns, started_wall)
        finally:
            self._services.admission.release(start.call_sid)

    async def _converse(self, start: media_stream.Start, turns: CallConversation, started_wall: float) -> None:
        sender = asyncio.create_task(turns.outbound.run(), name="outbound")
        limit = CallTimeLimit(seconds=self._services.settings.max_call_seconds, turns=turns)
        timer = asyncio.create_task(limit.run(), name="call-time-limit")
        try:
            await turns.greet()
            await self._receive_loop(start.stream_sid, turns, started_wall, limit)
        finally:
            try:
                timer.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await timer
                await turns.aclose()
            finally:
                # First, and even when a worker shutdown cancels this clean-up: the report must not be lost.
                self._finish(turns)
                await self._wind_down(turns, sender)

    async def _wind_down(self, turns: CallConversation, sender: asyncio.Task[None]) -> None:
        try:
            turns.progress.changed()  # the call's final state, then wait (bounded) for it to be stored
            await turns.progress.aclose()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(turns.outbound.drained(), timeout=1.0)
        finally:
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sender

    async def _await_start(self) -> media_stream.Start | None:
        """Read frames until `start`; anything else before it is logged and ignored."""
        try:
            # The worker may end this wait early (too many sockets waiting): the deadline is shared with it.
            async with asyncio.timeout(START_TIMEOUT_S) as deadline:
                with self._services.admission.waiting_for_start(deadline):
                    return await self._read_until_start()
        except TimeoutError:
            log.warning("no start event within the timeout; closing")
            await self._socket.close(POLICY_CLOSE)
            return None

    async def _read_until_start(self) -> media_stream.Start | None:
        while True:
            raw = await self._socket.receive()
            if raw is None:
                return None
            try:
                message = media_stream.parse_frame(raw)
            except media_stream.ProtocolError as error:
                self._note_bad_frame(error)
                continue
            if isinstance(message, media_stream.Start):
                return message
            if isinstance(message, media_stream.Stop):
                return None

    def _admit(self, start: media_stream.Start) -> int | None:
        """None when the call may go ahead, else the close code that refuses it."""
        token = start.custom_parameters.get("token", "")
        try:
            verify_stream_token(
                secret=self._services.settings.dashboard_webhook_secret, token=token, call_sid=start.call_sid
            )
        except SignatureError as error:
            log.warning("refused media stream", extra={"reason": str(error)})
            return POLICY_CLOSE
        admission = self._services.admission.admit(call_sid=start.call_sid, token=token)
        if admission is Admission.FULL:
            log.warning(
                "worker full: refusing the call before the greeting",
                extra={"capacity": self._services.admission.capacity},
            )
            return TRY_AGAIN_LATER
        if admission is Admission.REUSED:
            log.warning(
                "refused media stream", extra={"reason": "stream token reused or the call already has a stream"}
            )
            return POLICY_CLOSE
        return None

    async def _begin(self, start: media_stream.Start) -> CallConversation | None:
        params = start.custom_parameters
        record = CallRecord(
            call_sid=start.call_sid,
            business_id=params.get("business_id"),
            from_number=params.get("from", ""),
            to_number=params.get("to", ""),
            returned_from=params.get("transfer_unanswered", "")[:120],
        )
        self.record = record
        outbound = OutboundAudio(socket=self._socket, stream_sid=start.stream_sid)
        try:
            turns = await CallConversation.create(
                services=self._services,
                record=record,
                outbound=outbound,
                playback=PlaybackTracker(),
                taker=TurnTaker(vad=self._services.models.vad.new_stream(), config=self._services.turn_config),
                mode="demo" if params.get("mode") == "demo" else "live",
                close=self._socket.close,
            )
        except LookupError as error:
            log.warning("cannot load the business for this call", extra={"reason": str(error)})
            return None
        if turns.config.definition.record_calls:  # before the greeting: its notice is on the recording
            self.recorder = start_recorder(self._services.settings, call_sid=start.call_sid)
            outbound.tap = self.recorder
        return turns

    async def _receive_loop(
        self, stream_sid: str, turns: CallConversation, started_wall: float, limit: CallTimeLimit
    ) -> None:
        """`started_wall`: when `start` arrived; inbound audio can't run ahead of it by more than the tolerance."""
        while not turns.ended:
            try:
                async with asyncio.timeout(LINE_SILENT_S):  # no extra task per frame, unlike wait_for
                    raw = await self._socket.receive()
            except TimeoutError:
                # Twilio sends media every 20 ms, silence included: nothing at all means a dead line.
                log.warning("no frames from Twilio; ending the call", extra={"seconds": LINE_SILENT_S})
                turns.record.end_reason = "line_dead"
                await self._socket.close(1000)
                break
            if raw is None:
                break
            try:
                message = media_stream.parse_frame(raw)
                media_stream.check_stream_sid(message, stream_sid)
            except media_stream.ProtocolError as error:
                self._note_bad_frame(error)
                continue
            if isinstance(message, media_stream.Start):
                log.warning("refused a second start on the same stream; ending the call")
                turns.record.end_reason = "protocol_error"
                await self._socket.close(POLICY_CLOSE)
                break
            if isinstance(message, media_stream.Media):
                self.frames_received += 1
                if self.recorder is not None:
                    self.recorder.caller_frame(message.timestamp_ms, message.payload)
                if limit.expired:
                    continue  # time is up: the closing line plays, the caller can no longer start a turn
                allowed_ms = (time.monotonic() - started_wall) * 1000 + self._services.flood_tolerance_ms
                if turns.taker.now_ms > allowed_ms:
                    self._dropped_frames += 1  # a flood: faster than any phone line can send
                    continue
                turns.on_audio(mulaw_to_float(message.payload))
            elif isinstance(message, media_stream.Mark):
                turns.on_mark(message.name)
            elif isinstance(message, media_stream.Dtmf) and not limit.expired:
                turns.on_dtmf(message.digit)
            elif isinstance(message, media_stream.Stop):
                if turns.record.end_reason != TRANSFERRED:  # a transfer's redirect ends the stream too
                    turns.record.end_reason = "caller_hung_up"
                break

    @property
    def frames_dropped(self) -> int:
        return self._dropped_frames

    def _note_bad_frame(self, error: media_stream.ProtocolError) -> None:
        self._bad_frames += 1
        if self._bad_frames <= 5 or self._bad_frames % 100 == 0:
            log.warning("ignored a bad frame", extra={"reason": error.reason.value, "count": self._bad_frames})

    def _finish(self, turns: CallConversation) -> None:
        record = turns.record
        if self._dropped_frames:
            log.warning("dropped flooded frames", extra={"count": self._dropped_frames})
        self._services.events.publish(
            {"type": "call_ended", "call_sid": record.call_sid, "end_reason": record.end_reason}
        )
        log.info("call ended", extra={"end_reason": record.end_reason, "turns": len(record.latency)})
        if self.recorder is not None:
            record.recording = self.recorder.finish()  # uploaded after the call, beside the extraction
        self._services.finish_call(record)
