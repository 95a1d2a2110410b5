"""The agent's side of one call: the greeting, prompt-cache warm-up, replies, latency and hang-up.

Holds the state both sides of the conversation share (history, policy, the line); the caller's side
(`conversation_turns.ConversationTurns`) builds on it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from gpu_worker.after_call.call_record import CallRecord
from gpu_worker.conversation.agent_reply import AgentReply, SpeechContext
from gpu_worker.conversation.business_config import BusinessConfig
from gpu_worker.conversation.call_slots import Asked
from gpu_worker.conversation.conversation_policy import BusinessProfile, ConversationPolicy, TurnPlan
from gpu_worker.conversation.photo_link import PHOTO_LINK_LINE, photo_link_url, request_photo_link
from gpu_worker.conversation.turn_taking import TurnTaker
from gpu_worker.models.stages import ChatMessage
from gpu_worker.telephony.media_socket import OutboundAudio
from gpu_worker.telephony.playback import PlaybackTracker

if TYPE_CHECKING:
    from gpu_worker.conversation.call_session import WorkerServices

log = logging.getLogger(__name__)


class AgentTurns:
    def __init__(
        self,
        *,
        services: WorkerServices,
        record: CallRecord,
        config: BusinessConfig,
        outbound: OutboundAudio,
        playback: PlaybackTracker,
        taker: TurnTaker,
        close: Callable[[int], Awaitable[None]],
    ) -> None:
        self.services, self.record, self.config = services, record, config
        self.outbound, self.playback, self.taker = outbound, playback, taker
        self._close = close
        self.policy = ConversationPolicy(
            profile=BusinessProfile(
                business_name=config.business_name,
                system_prompt=config.system_prompt,
                greeting=config.greeting,
                caller_id=record.from_number,
                mode=config.mode,
            ),
            scripted_questions=services.settings.scripted_questions,
        )
        self.speech = SpeechContext(
            models=services.models,
            voice=config.voice,
            phrases=services.phrases,
            playback=playback,
            outbound=outbound,
            stream_ms=lambda: taker.now_ms,
        )
        self.asked: Asked = None
        self.history: list[ChatMessage] = []
        self.ended = False
        self._reply_ids = 0
        self._reply: AgentReply | None = None
        self._turn_task: asyncio.Task[None] | None = None
        self._photo_link_requested = False
        self._tasks: set[asyncio.Task[None]] = set()

    async def greet(self) -> None:
        """Queue the greeting (pre-synthesized per business, so this is instant) and start listening."""
        greeting = self.config.greeting
        self.history = [self.policy.system_message(), ChatMessage(role="assistant", content=greeting)]
        self.services.events.publish(
            {
                "type": "call_started",
                "call_sid": self.record.call_sid,
                "business_id": self.record.business_id,
                "started_at": self.record.started_at,
            }
        )
        frames = self.services.phrases.cached(greeting, self.config.voice)
        if frames is not None:
            self._queue_greeting(greeting, frames)
        else:
            # Not synthesized yet (a business added after start-up): don't hold up the caller's audio.
            self._turn_task = asyncio.ensure_future(self._synthesize_greeting(greeting))
        self._spawn(self._prewarm(), "prewarm")

    async def _synthesize_greeting(self, greeting: str) -> None:
        self._queue_greeting(greeting, await self.services.phrases.frames(greeting, self.config.voice))

    def _queue_greeting(self, greeting: str, frames: list[bytes]) -> None:
        self._reply_ids += 1
        clause = self.playback.queue(reply_id=self._reply_ids, text=greeting, frames=frames)
        self.outbound.media(frames)
        self.outbound.mark(clause.mark)
        self._add("agent", greeting, start_ms=self.taker.now_ms, end_ms=self.taker.now_ms + int(clause.duration_ms))

    async def _prewarm(self) -> None:
        """Fill the LLM's prompt cache with this call's fixed prefix while the greeting plays."""
        stream = self.services.models.llm.stream_reply(
            [*self.history, ChatMessage(role="user", content="Hi.")], max_tokens=1
        )
        async with contextlib.aclosing(stream):  # type: ignore[type-var]
            async for _ in stream:
                break

    def _spawn(self, coroutine: Awaitable[None], name: str) -> asyncio.Task[None]:
        task = asyncio.ensure_future(coroutine)
        task.set_name(name)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("call task failed", exc_info=task.exception(), extra={"task": task.get_name()})

    def _offer_photo_link(self, caller_text: str) -> str:
        """The caller described something a photo would show: text them the upload link now."""
        if self.record.photo_link_sent or self._photo_link_requested:
            return ""
        self._photo_link_requested = True
        self._spawn(self._send_photo_link(), "photo-link")
        return PHOTO_LINK_LINE

    async def _send_photo_link(self) -> None:
        settings = self.services.settings
        self.record.photo_link_sent = await request_photo_link(
            url=photo_link_url(settings),
            secret=settings.dashboard_webhook_secret,
            call_sid=self.record.call_sid,
            from_number=self.record.from_number,
            to_number=self.record.to_number,
            business_id=self.record.business_id,
        )

    async def _speak(self, plan: TurnPlan, timing: tuple[float, float, float] | None, *, epilogue: str = "") -> None:
        self._reply_ids += 1
        self.asked = plan.asked
        start_ms = self.taker.now_ms
        reply = AgentReply(reply_id=self._reply_ids, plan=plan, context=self.speech, epilogue=epilogue)
        self._reply = reply
        await self._finish_reply(reply, asyncio.ensure_future(reply.run()), plan, timing, start_ms=start_ms)

    async def _finish_reply(
        self,
        reply: AgentReply,
        task: asyncio.Task[None],
        plan: TurnPlan,
        timing: tuple[float, float, float] | None,
        *,
        start_ms: int | None = None,
    ) -> None:
        start_ms = self.taker.now_ms if start_ms is None else start_ms
        try:
            await task
        finally:
            if not task.done():
                task.cancel()  # this turn was cancelled (barge-in, hang-up): stop the reply with it
        self.history.append(ChatMessage(role="assistant", content=reply.text))
        self._add("agent", reply.text, start_ms=start_ms, end_ms=start_ms + int(reply.audio_ms))
        if timing is not None:
            self._record_latency(reply, *timing)
        if plan.kind == "end_call":
            await self._hang_up()

    def _record_latency(self, reply: AgentReply, eot_ms: float, stt_ms: float, last_speech_wall: float) -> None:
        metrics = reply.metrics
        first_audio = metrics.first_audio_at or time.monotonic()
        self.record.add_latency(
            eot_ms=eot_ms,
            stt_ms=stt_ms,
            llm_ms=(metrics.llm_first_token_s or 0) * 1000,
            tts_ms=(metrics.tts_first_audio_s or 0) * 1000,
            v2v_ms=(first_audio - last_speech_wall) * 1000,
        )

    async def _hang_up(self) -> None:
        """Let the goodbye play (its marks come back), then close the stream: Twilio ends the call."""
        self.record.end_reason = "agent_completed"
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self.playback.wait_idle(), timeout=30.0)
        self.ended = True
        await self._close(1000)

    def _add(self, speaker: str, text: str, *, start_ms: int, end_ms: int, interrupted: bool = False) -> None:
        entry = self.record.add(speaker, text, start_ms=start_ms, end_ms=end_ms, interrupted=interrupted)  # type: ignore[arg-type]
        self.services.events.publish(
            {
                "type": "transcript",
                "call_sid": self.record.call_sid,
                "business_id": self.record.business_id,
                "entry": entry.model_dump(),
            }
        )
        self._spawn(self._save_progress(), "save-progress")

    async def _save_progress(self) -> None:
        from shared.repositories.calls import update_live_progress

        db = await self.services.database()
        await update_live_progress(
            db,
            call_sid=self.record.call_sid,
            transcript=self.record.transcript_json(),
            latency=self.record.latency_json(),
            dtmf=self.record.dtmf,
        )
