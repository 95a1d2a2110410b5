"""The agent's side of one call: the greeting, each reply onto the line, its latency, and the hang-up."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gpu_worker.conversation.agent_reply import AgentReply, SpeechContext
from gpu_worker.conversation.call_tasks import CallTasks
from gpu_worker.conversation.dialogue import Dialogue
from gpu_worker.conversation.live_transcript import LiveTranscript
from gpu_worker.conversation.planning.planner import ReplyPlan
from gpu_worker.models.stages import ChatMessage
from gpu_worker.telephony.media_socket import OutboundAudio
from gpu_worker.telephony.playback import PlaybackTracker, QueuedClause
from shared.call_report import TRANSFERRED
from shared.repositories import call_legs

if TYPE_CHECKING:
    from gpu_worker.conversation.call_session import WorkerServices

from gpu_worker.after_call.call_record import ReplyKind

log = logging.getLogger(__name__)
MARK_TIMEOUT_S = 2.0


@dataclass(frozen=True)
class TurnTiming:
    """How a caller turn's answer came about, for its latency record."""

    end_of_turn_ms: float  # from the caller's last speech to the turn being confirmed over
    stt_ms: float
    last_speech_wall: float  # monotonic: voice-to-voice is measured from here
    speculation_adopted: bool


class AgentVoice:
    def __init__(
        self,
        *,
        services: WorkerServices,
        speech: SpeechContext,
        dialogue: Dialogue,
        transcript: LiveTranscript,
        tasks: CallTasks,
        close: Callable[[int], Awaitable[None]],
    ) -> None:
        self._services, self.speech, self._dialogue = services, speech, dialogue
        self._transcript, self._tasks, self._close = transcript, tasks, close
        self.current: AgentReply | None = None  # the reply on the line (or being prepared for it)
        self.ended = False
        self._reply_ids = 0

    @property
    def outbound(self) -> OutboundAudio:
        return self.speech.outbound

    @property
    def playback(self) -> PlaybackTracker:
        return self.speech.playback

    @property
    def next_reply_id(self) -> int:
        return self._reply_ids + 1

    def new_reply(self, plan: ReplyPlan, *, epilogue: str = "") -> AgentReply:
        self._reply_ids += 1
        return AgentReply(reply_id=self._reply_ids, plan=plan, context=self.speech, epilogue=epilogue)

    def greet(self, opening: ReplyPlan) -> None:
        """Queue the greeting: pre-synthesized per business, so this is instant; else synthesized now."""
        greeting = " ".join(opening.lines)
        frames = self.speech.phrases.cached(greeting, self.speech.voice)
        if frames is not None:
            self._queue_greeting(greeting, frames)
        else:
            # Not synthesized yet (a business added after start-up): don't hold up the caller's audio.
            self._tasks.start_turn(self._synthesize_greeting(greeting), "greeting")
        self._dialogue.heard(opening, greeting, complete=True)

    async def _synthesize_greeting(self, greeting: str) -> None:
        self._queue_greeting(greeting, await self.speech.phrases.frames(greeting, self.speech.voice))

    def _queue_greeting(self, greeting: str, frames: list[bytes]) -> None:
        self._reply_ids += 1
        clause = self.playback.queue(reply_id=self._reply_ids, text=greeting, frames=frames)
        self.outbound.media(frames)
        self.outbound.mark(clause.mark)
        now = self.speech.stream_ms()
        self._transcript.add("agent", greeting, start_ms=now, end_ms=now + int(clause.duration_ms))

    async def prewarm(self, messages: tuple[ChatMessage, ...]) -> None:
        """Fill the LLM's prompt cache with this call's fixed prefix while the greeting plays."""
        stream = self.speech.models.llm.stream_reply(messages, max_tokens=1)
        async with contextlib.aclosing(stream):  # type: ignore[type-var]
            async for _ in stream:
                break

    async def speak(self, plan: ReplyPlan, timing: TurnTiming | None = None, *, epilogue: str = "") -> None:
        """Say one reply from the start (no speculation prepared it)."""
        reply = self.new_reply(plan, epilogue=epilogue)
        await self.play(reply, asyncio.ensure_future(reply.run()), timing)

    async def play(self, reply: AgentReply, task: asyncio.Task[None], timing: TurnTiming | None) -> None:
        """Let a running reply onto the line and see it through: history, transcript, latency, hang-up."""
        self.current = reply
        start_ms = self.speech.stream_ms()
        reply.gate.set()
        try:
            await task
        finally:
            if not task.done():
                task.cancel()  # this turn was cancelled (barge-in, hang-up): stop the reply with it
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._transcript.add("agent", reply.text, start_ms=start_ms, end_ms=start_ms + int(reply.audio_ms))
        if timing is not None:
            self._record_latency(reply, timing)
        self._report_heard(reply)  # its marks may all be back already
        if reply.follow_up is not None and reply.finished:
            await self._follow_up(reply)
        if reply.plan.end_call or reply.plan.kind == "end_call":
            await self._hang_up()

    async def _follow_up(self, reply: AgentReply) -> None:
        """A tool's action once the caller heard its words (a transfer: "I'm connecting you" first)."""
        assert reply.follow_up is not None
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self.playback.wait_idle(), timeout=30.0)
        record = self._transcript.record
        before = record.end_reason
        if reply.hands_off:
            # Twilio ends this stream as it redirects the call, maybe before its answer reaches us; the call
            # goes on (to the person, or back to an agent): this stream's report is one part of the call's.
            record.end_reason = TRANSFERRED
        try:
            await reply.follow_up()
        except Exception:
            record.end_reason = before
            log.exception("a tool's follow-up failed", extra={"call_sid": record.call_sid})
            if reply.if_follow_up_fails:  # the caller is still here, after "Please hold…": say what happened
                await self.speak(ReplyPlan("scripted", lines=(reply.if_follow_up_fails,)))

    def on_played(self, clause: QueuedClause) -> None:
        """A clause's mark came back: once a whole reply is heard, the planner is told so."""
        reply = self.current
        if reply is not None and clause.reply_id == reply.reply_id:
            reply.played.add(clause.index)
            self._report_heard(reply)

    def _report_heard(self, reply: AgentReply) -> None:
        if reply.all_played and not reply.heard_reported:
            reply.heard_reported = True
            self._dialogue.heard(reply.plan, reply.text, complete=True)

    def cut_short(self, reply: AgentReply, heard_text: str) -> None:
        """The caller stopped this reply: they heard only `heard_text` of it (a safety line cut is said again)."""
        if not reply.heard_reported:
            reply.heard_reported = True
            self._dialogue.heard(reply.plan, heard_text, complete=False)

    def _record_latency(self, reply: AgentReply, timing: TurnTiming) -> None:
        metrics = reply.metrics
        first_audio = metrics.first_audio_at or time.monotonic()
        self._transcript.record.add_latency(
            eot_ms=timing.end_of_turn_ms,
            stt_ms=timing.stt_ms,
            llm_ms=(metrics.llm_first_token_s or 0) * 1000,
            tts_ms=(metrics.tts_first_audio_s or 0) * 1000,
            v2v_ms=(first_audio - timing.last_speech_wall) * 1000,
            reply_kind=reply_kind(reply.plan),
            speculation_adopted=timing.speculation_adopted,
        )

    async def _hang_up(self) -> None:
        """Let the goodbye play (its marks come back), then close the stream: Twilio ends the call."""
        self._transcript.record.end_reason = "agent_completed"
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self.playback.wait_idle(), timeout=30.0)
        await self._mark_completed(self._transcript.record.call_sid)
        self.ended = True
        await self._close(1000)

    async def _mark_completed(self, call_sid: str) -> None:
        """Tell the stream's end (functions/stream_end.py) that this close is the agent's goodbye, not a
        failure: Twilio asks `<Connect action>` next, and the answer must be a hang-up, not a fail-over.
        Bounded: a slow database must not hold the line open (the stream's end also checks the report)."""
        try:
            db = await self._services.database()
            await asyncio.wait_for(call_legs.mark_agent_completed(db, call_sid), timeout=MARK_TIMEOUT_S)
        except Exception:  # the hang-up goes ahead either way (a broad catch, logged)
            log.warning("could not mark the call completed before hanging up", exc_info=True)


def reply_kind(plan: ReplyPlan) -> ReplyKind:
    return "scripted" if plan.kind == "end_call" else plan.kind
