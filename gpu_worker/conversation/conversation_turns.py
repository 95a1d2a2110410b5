"""The conversation of one call once it has started: turns, barge-in, silence, DTMF and the goodbye.

Called from the session's receive loop for every frame (`on_audio`), mark and digit; it never blocks
the loop. Slow work runs in tasks: speculative speech-to-text and the turn model when the caller
pauses, then one reply task per agent turn.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import dataclasses
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gpu_worker.after_call.call_record import CallRecord
from gpu_worker.conversation.agent_reply import AgentReply
from gpu_worker.conversation.agent_turns import AgentTurns
from gpu_worker.conversation.business_config import BusinessConfig, load_business_config
from gpu_worker.conversation.call_slots import Asked, CallSlots, update_slots
from gpu_worker.conversation.conversation_policy import ConversationPolicy, TurnPlan, is_backchannel
from gpu_worker.conversation.photo_link import PHOTO_LINK_LINE, shows_in_a_photo
from gpu_worker.conversation.turn_taking import Paused, Resumed, SpeechStarted, TurnEnded, TurnTaker
from gpu_worker.models.stages import ChatMessage, FloatAudio
from gpu_worker.telephony.audio_codec import resample
from gpu_worker.telephony.media_socket import OutboundAudio
from gpu_worker.telephony.playback import Heard, PlaybackTracker
from shared.keyword_correction import KeywordCorrector

if TYPE_CHECKING:
    from gpu_worker.conversation.call_session import WorkerServices

log = logging.getLogger(__name__)
SILENCE_PROMPT_MS = 8000
TURN_MODEL_THRESHOLD = 0.5
CONTINUATION_WINDOW_MS = 1200  # speech this soon after the agent starts answering continues the caller's turn


@dataclass(frozen=True)
class _Understood:
    """A caller turn understood on copies of the call's state: adopted at commit, or dropped."""

    text: str
    slots: CallSlots
    policy: ConversationPolicy
    plan: TurnPlan
    photo_link: bool


@dataclass
class _Speculation:
    """A reply prepared during the caller's pause, gated until the turn is confirmed over."""

    sequence: int
    audio_samples: int
    understood: _Understood
    reply: AgentReply
    task: asyncio.Task[None]
    stt_ms: float


@dataclass(frozen=True)
class _Committed:
    """The state before the last caller turn, kept in case the caller wasn't finished after all."""

    text: str
    started_ms: int
    slots: CallSlots
    policy: ConversationPolicy
    asked: Asked
    history_len: int
    transcript_len: int
    reply_id: int  # the reply that answers this turn


@dataclass
class _Barge:
    """The caller spoke over the agent. `cleared`: the agent's audio was already stopped."""

    reply: AgentReply | None
    task: asyncio.Task[None] | None
    heard: Heard | None
    cleared: bool


class ConversationTurns(AgentTurns):
    """The caller's side: frames, pauses, turns, barge-in, silence and digits."""

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
        super().__init__(
            services=services,
            record=record,
            config=config,
            outbound=outbound,
            playback=playback,
            taker=taker,
            close=close,
        )
        self.corrector = KeywordCorrector(config.corrections)
        self.slots = CallSlots()
        self._speculative: tuple[int, asyncio.Task[str]] | None = None  # (audio length, STT task)
        self._speculation: _Speculation | None = None
        self._pause_seq = 0
        self._barge: _Barge | None = None
        self._last_commit: _Committed | None = None
        self._last_speech_wall = time.monotonic()
        self._speech_started_ms = 0
        self._quiet_since_ms = 0
        self._silence_count = 0

    @classmethod
    async def create(
        cls,
        *,
        services: WorkerServices,
        record: CallRecord,
        mode: str,
        outbound: OutboundAudio,
        playback: PlaybackTracker,
        taker: TurnTaker,
        close: Callable[[int], Awaitable[None]],
    ) -> ConversationTurns:
        if not record.business_id:
            raise LookupError("the stream has no business id")
        db = await services.database()
        config = await load_business_config(
            db, business_id=record.business_id, mode="demo" if mode == "demo" else "live"
        )
        return cls(
            services=services,
            record=record,
            config=config,
            outbound=outbound,
            playback=playback,
            taker=taker,
            close=close,
        )

    async def aclose(self) -> None:
        self._drop_speculation()
        tasks = [t for t in (*self._tasks, self._turn_task) if t is not None and not t.done()]
        if self._speculative:
            tasks.append(self._speculative[1])  # type: ignore[arg-type]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    # --- inbound events ---------------------------------------------------------------------------
    def on_audio(self, frame: FloatAudio) -> None:
        for event in self.taker.push_frame(frame):
            if isinstance(event, SpeechStarted):
                self._silence_count = 0
                self._speech_started_ms = event.at_ms
            elif isinstance(event, Paused):
                self._on_pause(event)
            elif isinstance(event, Resumed):
                self._pause_seq += 1
                self._drop_speculation()
            elif isinstance(event, TurnEnded):
                self._on_turn_end(event)
        if self.taker.in_utterance and self.taker.last_speech_ms == self.taker.now_ms:
            self._last_speech_wall = time.monotonic()  # voice-to-voice is measured from here
        self._check_barge_in()
        self._check_silence()

    def on_mark(self, name: str) -> None:
        self.playback.mark_played(name)
        if not self.playback.is_playing:
            self._quiet_since_ms = self.taker.now_ms

    def on_dtmf(self, digit: str) -> None:
        self.record.dtmf += digit
        self._add("dtmf", digit, start_ms=self.taker.now_ms, end_ms=self.taker.now_ms)
        if digit == "0" and not self._busy():
            self._start_turn(self._speak(self.policy.transfer_plan(), None))

    # --- barge-in, silence ------------------------------------------------------------------------
    def _busy(self) -> bool:
        return self._turn_task is not None and not self._turn_task.done()

    def _check_barge_in(self) -> None:
        if self._barge is not None or not self.taker.in_utterance or self.taker.speech_ms() < self.services.barge_in_ms:
            return
        if not (self.playback.is_playing or self._busy()):
            return
        self._barge = _Barge(reply=self._reply, task=self._turn_task, heard=None, cleared=False)
        self._clear(self._barge)
        log.info("barge-in: cleared the agent's audio", extra={"speech_ms": self.taker.speech_ms()})

    def _clear(self, barge: _Barge) -> None:
        self.outbound.clear()
        if barge.reply is not None:
            barge.reply.gate.clear()
        barge.heard = self.playback.interrupt()
        barge.cleared = True

    def _check_silence(self) -> None:
        if self.taker.in_utterance or self.playback.is_playing or self._busy() or self.ended:
            return
        if self.taker.now_ms - self._quiet_since_ms < SILENCE_PROMPT_MS:
            return
        self._silence_count += 1
        self._quiet_since_ms = self.taker.now_ms
        self._start_turn(self._speak(self.policy.silence_prompt(slots=self.slots, count=self._silence_count), None))

    # --- caller turns -----------------------------------------------------------------------------
    def _on_pause(self, event: Paused) -> None:
        self._pause_seq += 1
        sequence = self._pause_seq
        audio_16k = resample(event.audio_8k, 8000, 16000)
        stt = asyncio.ensure_future(self._transcribe(audio_16k))
        self._speculative = (len(event.audio_8k), stt)
        self._drop_speculation()
        if self._barge is None and not self._busy() and not self.playback.is_playing:
            self._spawn(self._speculate(sequence, len(event.audio_8k), stt), "speculate")
        self._spawn(self._ask_turn_model(audio_16k, sequence), "turn-model")

    async def _speculate(self, sequence: int, samples: int, stt: asyncio.Task[str]) -> None:
        """Transcribe, plan and synthesize the first clause while the turn model is still deciding."""
        started = time.monotonic()
        text = self.corrector.apply(await stt)
        if sequence != self._pause_seq or not text:
            return
        understood = self._understand(text)
        self._reply_ids += 1
        epilogue = PHOTO_LINK_LINE if understood.photo_link else ""
        reply = AgentReply(reply_id=self._reply_ids, plan=understood.plan, context=self.speech, epilogue=epilogue)
        reply.gate.clear()  # nothing reaches the line until the turn is confirmed
        task = asyncio.ensure_future(reply.run())
        stt_ms = (time.monotonic() - started) * 1000
        self._speculation = _Speculation(sequence, samples, understood, reply, task, stt_ms)

    def _drop_speculation(self) -> None:
        if self._speculation is not None:
            self._speculation.task.cancel()  # closes its LLM stream; its audio was never sent
            self._speculation = None

    async def _ask_turn_model(self, audio_16k: FloatAudio, sequence: int) -> None:
        probability = await self.services.models.turn.end_of_turn_probability(audio_16k)
        if sequence == self._pause_seq and probability >= TURN_MODEL_THRESHOLD:
            ended = self.taker.end_turn()
            if ended is not None:
                self._on_turn_end(ended)

    async def _transcribe(self, audio_16k: FloatAudio) -> str:
        return (await self.services.models.stt.transcribe(audio_16k)).text.strip()

    def _on_turn_end(self, event: TurnEnded) -> None:
        committed = time.monotonic()
        speculative = self._speculative
        self._speculative = None
        if speculative and speculative[0] == len(event.audio_8k):
            stt = speculative[1]
        else:
            if speculative:
                speculative[1].cancel()
            stt = asyncio.ensure_future(self._transcribe(resample(event.audio_8k, 8000, 16000)))
        barge, self._barge = self._barge, None
        if barge is None and (self._busy() or self.playback.is_playing):
            # Short speech over the agent (under the barge-in threshold): decided once we have the words.
            barge = _Barge(reply=self._reply, task=self._turn_task, heard=None, cleared=False)
        self._quiet_since_ms = self.taker.now_ms
        speculation, self._speculation = self._speculation, None
        if barge is None and speculation is not None and speculation.audio_samples == len(event.audio_8k):
            self._turn_task = asyncio.ensure_future(self._adopt(speculation, event, committed))
            return
        if speculation is not None:
            speculation.task.cancel()
        self._turn_task = asyncio.ensure_future(self._caller_turn(event, stt, committed, barge))

    async def _adopt(self, speculation: _Speculation, event: TurnEnded, committed: float) -> None:
        """The turn is over and its reply is (nearly) ready: let it onto the line."""
        self._commit(speculation.understood, event, reply_id=speculation.reply.reply_id)
        self._reply = speculation.reply
        speculation.reply.gate.set()
        eot_ms = (committed - self._last_speech_wall) * 1000
        await self._finish_reply(
            speculation.reply,
            speculation.task,
            speculation.understood.plan,
            (eot_ms, speculation.stt_ms, self._last_speech_wall),
        )

    async def _caller_turn(
        self, event: TurnEnded, stt: asyncio.Task[str], committed: float, barge: _Barge | None
    ) -> None:
        stt_started = time.monotonic()
        try:
            text = self.corrector.apply(await stt)
        except Exception:
            log.exception("speech-to-text failed; asking the caller to repeat")
            text = ""
        stt_ms = (time.monotonic() - stt_started) * 1000
        if barge is not None and (not text or is_backchannel(text)):
            self._resume(barge, text, event)
            return
        if barge is not None:
            if not barge.cleared:
                self._clear(barge)
            await self._cancel_barged(barge)
            last = self._last_commit
            if last is not None and self._continued(barge, last):
                # The caller talked straight over the answer: they had only paused. One turn, not two.
                text, event = self._retract(last, text, event)
        if not text:
            return
        understood = self._understand(text)
        epilogue = self._commit(understood, event, reply_id=self._reply_ids + 1)
        eot_ms = (committed - self._last_speech_wall) * 1000
        await self._speak(understood.plan, (eot_ms, stt_ms, self._last_speech_wall), epilogue=epilogue)

    def _understand(self, text: str) -> _Understood:
        """Slots and the next step, worked out on copies so a speculative turn can be dropped."""
        policy = copy.deepcopy(self.policy)
        slots = update_slots(self.slots, text, caller_id=self.record.from_number, asked=self.asked)
        plan = policy.plan_turn(slots=slots, previous=self.slots, caller_text=text, history=self.history)
        photo = not (self.record.photo_link_sent or self._photo_link_requested) and shows_in_a_photo(text)
        return _Understood(text=text, slots=slots, policy=policy, plan=plan, photo_link=photo)

    def _commit(self, understood: _Understood, event: TurnEnded, *, reply_id: int) -> str:
        """Make the turn part of the call; returns the photo-link line to add to the reply, if any."""
        self._last_commit = _Committed(
            text=understood.text,
            started_ms=event.started_ms,
            slots=self.slots,
            policy=self.policy,
            asked=self.asked,
            history_len=len(self.history),
            transcript_len=len(self.record.transcript),
            reply_id=reply_id,
        )
        self._add("caller", understood.text, start_ms=event.started_ms, end_ms=event.last_speech_ms)
        self.slots, self.policy, plan = understood.slots, understood.policy, understood.plan
        self.asked = plan.asked
        # The user message exactly as the LLM saw it (state note included): the next turn's prompt then
        # starts with this one's, and llama.cpp reuses its cache instead of re-reading the call.
        sent = plan.messages[-1] if plan.kind == "llm" and plan.messages else ChatMessage("user", understood.text)
        self.history.append(sent)
        return self._offer_photo_link(understood.text) if understood.photo_link else ""

    def _resume(self, barge: _Barge, text: str, event: TurnEnded) -> None:
        """A backchannel or a cough: the agent carries on from the clause it was cut in."""
        if text:
            self._add("caller", text, start_ms=event.started_ms, end_ms=event.last_speech_ms)
        if barge.heard is not None:
            for clause in barge.heard.unplayed:
                queued = self.playback.queue(reply_id=clause.reply_id, text=clause.text, frames=clause.frames)
                self.outbound.media(clause.frames)
                self.outbound.mark(queued.mark)
        if barge.reply is not None:
            barge.reply.gate.set()

    async def _cancel_barged(self, barge: _Barge) -> str:
        """Real speech over the agent: stop its reply, keep only what the caller heard, and return that."""
        finished = barge.task is None or barge.task.done()  # a finished reply is already in the transcript
        if not finished:
            assert barge.task is not None
            barge.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await barge.task
        heard = barge.heard.text if barge.heard else (barge.reply.text if barge.reply else "")
        if barge.reply is not None and barge.reply.metrics.first_audio_at is None:
            heard = ""
        if finished and self.history and self.history[-1].role == "assistant":
            self.history[-1] = ChatMessage(role="assistant", content=heard or "…")
            self.record.replace_last_agent(heard, end_ms=self.taker.now_ms)
        elif not finished and heard:
            self.history.append(ChatMessage(role="assistant", content=heard))
            self._add("agent", heard, start_ms=self.taker.now_ms, end_ms=self.taker.now_ms, interrupted=True)
        return heard

    def _continued(self, barge: _Barge, last: _Committed) -> bool:
        """Did the caller resume too soon after the answer began to have been answering it?"""
        if barge.reply is None or barge.reply.reply_id != last.reply_id:
            return False
        first_audio = barge.reply.first_audio_stream_ms
        return first_audio is None or self._speech_started_ms - first_audio < CONTINUATION_WINDOW_MS

    def _retract(self, last: _Committed, text: str, event: TurnEnded) -> tuple[str, TurnEnded]:
        """Undo the last caller turn and return it joined with what the caller said next."""
        self.slots, self.policy, self.asked = last.slots, last.policy, last.asked
        del self.history[last.history_len :]
        del self.record.transcript[last.transcript_len :]
        self._last_commit = None
        log.info("the caller was not finished: joining their turns")
        return f"{last.text} {text}", dataclasses.replace(event, started_ms=last.started_ms)

    def _start_turn(self, coroutine: Awaitable[None]) -> None:
        self._turn_task = asyncio.ensure_future(coroutine)
