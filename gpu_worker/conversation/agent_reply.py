"""One agent reply, streamed at every stage: LLM deltas → speakable clauses → TTS → 20 ms frames.

A plan's `lines` are said word for word first (a pre-synthesized clause plays without synthesis), then
the LLM's words when the plan has any, each clause passing the planner's guard, then `after`.
The LLM producer and the TTS consumer run concurrently, so clause 2 is generated while clause 1 is
synthesized. A `gate` pauses sending while the caller may be barging in; cancelling the reply task
stops the LLM stream (its iterator is closed) and any synthesis in flight is discarded.
A model failure becomes a spoken fallback line, never silence.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from gpu_worker.conversation.clause_splitter import ClauseSplitter, clauses_of
from gpu_worker.conversation.planning.planner import ReplyPlan
from gpu_worker.models.stages import ModelSet
from gpu_worker.telephony.audio_codec import FRAME_MS
from gpu_worker.telephony.media_socket import OutboundAudio
from gpu_worker.telephony.playback import PlaybackTracker
from gpu_worker.telephony.voice_output import Phrases, speech_to_frames
from gpu_worker.tools.tool_desk import ToolDesk

log = logging.getLogger(__name__)
FRAME_S = FRAME_MS / 1000
MAX_HOLD_S = 2.0  # the longest a ready clause waits so that the next one follows it without a gap
# Only a clause that leads into the next ("Let me read that back:") waits: a pause after a whole sentence
# ("Thanks, Tom.") is natural, and holding it cost the goodbye ~2 s of silence before any word (make bench).
SENTENCE_ENDS = (".", "!", "?", "…")
FALLBACK_LINE = "Sorry, I didn't catch that. Could you say it again?"


@dataclass
class ReplyMetrics:
    started: float  # monotonic, when the reply began (after speech-to-text)
    llm_first_token_s: float | None = None
    tts_first_audio_s: float | None = None  # synthesis time of the first clause
    first_audio_at: float | None = None  # monotonic, when the first frame was queued to the socket


class SynthesisPace:
    """Seconds of synthesis per character, learnt from this call's own clauses (a moving average): it
    says when a clause being synthesized will be ready."""

    def __init__(self, seconds_per_char: float = 0.04) -> None:
        self.seconds_per_char = seconds_per_char

    def learn(self, chars: int, seconds: float) -> None:
        if chars >= 8:
            self.seconds_per_char = 0.7 * self.seconds_per_char + 0.3 * seconds / chars


@dataclass(frozen=True)
class SpeechContext:
    """What every reply of a call shares."""

    models: ModelSet
    voice: str
    phrases: Phrases
    playback: PlaybackTracker
    outbound: OutboundAudio
    stream_ms: Callable[[], int]  # the call's clock: inbound audio time
    allows: Callable[[str], bool]  # the reply guard with the definition's facts: may the LLM say this clause?
    tools: ToolDesk | None = None  # the tools this call's agent may use (None: tool plans say their fallback)
    language: Callable[[], str] = lambda: "en"  # the call's language now (tools answer in it)
    pace: SynthesisPace = field(default_factory=lambda: SynthesisPace())  # how fast this call's clauses are made


class AgentReply:
    def __init__(
        self,
        *,
        reply_id: int,
        plan: ReplyPlan,
        context: SpeechContext,
        epilogue: str = "",
    ) -> None:
        self.reply_id = reply_id
        self.plan = plan
        self.metrics = ReplyMetrics(started=time.monotonic())
        self.spoken: list[str] = []  # clauses queued to the line, in order
        self.audio_ms = 0.0
        self.gate = asyncio.Event()
        self.gate.set()
        self._context = context
        self.first_audio_stream_ms: int | None = None  # call time when its first frame went out
        self._epilogue = epilogue  # a fixed line said after the reply (e.g. "I've texted you a link")
        self.finished = False  # every clause is on the line (nothing more will be added)
        self.played: set[int] = set()  # indices of clauses whose marks came back
        self.heard_reported = False  # the planner was told what the caller heard of it
        self.follow_up: Callable[[], Awaitable[None]] | None = None  # a tool's action once all is heard
        self.hands_off = False  # once the follow-up succeeded, the call leaves this stream (a transfer)
        self.if_follow_up_fails = ""  # the line said when the follow-up raised
        self._synthesizing: tuple[int, float] | None = None  # (chars, monotonic start) of the clause in synthesis
        self._next_ready = asyncio.Event()
        self._line_free_at = 0.0  # monotonic: when everything sent so far will have played

    @property
    def text(self) -> str:
        return " ".join(self.spoken)

    @property
    def all_played(self) -> bool:
        return self.finished and len(self.played) >= len(self.spoken)

    async def run(self) -> None:
        clauses: asyncio.Queue[str | None] = asyncio.Queue()
        producer = asyncio.create_task(self._produce(clauses), name=f"reply-{self.reply_id}-llm")
        try:
            await self._consume(clauses)
            self.finished = True
        finally:
            producer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await producer

    async def _produce(self, clauses: asyncio.Queue[str | None]) -> None:
        """Put the reply's clauses in order; None ends it."""
        try:
            for line in self.plan.lines:
                _put_clauses(clauses, line)
            tool = self.plan.tool
            if tool is not None and self._context.tools is not None and self._context.tools.has(tool.name):
                await self._tool_part(clauses, self._context.tools)
            elif self.plan.messages:
                await self._llm_part(clauses)
            elif self.plan.fallback_text:
                _put_clauses(clauses, self.plan.fallback_text)  # a tool plan where the tool does not run
            for line in (*self.plan.after, self._epilogue):
                _put_clauses(clauses, line)
        finally:
            clauses.put_nowait(None)

    async def _tool_part(self, clauses: asyncio.Queue[str | None], tools: ToolDesk) -> None:
        """The tool's spoken result (the hold line first when it is slow); cancelled with the reply."""
        request = self.plan.tool
        assert request is not None
        hold = lambda line: _put_clauses(clauses, line)  # noqa: E731 - "One moment, let me check"
        if tools.acts(request.name):
            # Speculated during the caller's pause, the turn may not be over: "Hi, I'd like to leave a
            # message for Dana" must not be sent on its first half. Such a tool waits for the turn.
            await self.gate.wait()
        result = await tools.run(request.name, request.arguments, language=self._context.language(), hold=hold)
        self.follow_up, self.hands_off = result.follow_up, result.hands_off
        self.if_follow_up_fails = result.if_follow_up_fails
        if not result.spoken and self.plan.messages:
            await self._llm_part(clauses)  # the tool had nothing to say (no documents): the model's answer
            return
        _put_clauses(clauses, result.spoken)

    async def _llm_part(self, clauses: asyncio.Queue[str | None]) -> None:
        accepted = 0
        try:
            accepted = await self._stream_llm(clauses)
        except Exception:
            log.exception("language model failed during a reply; speaking the fallback")
        if not accepted:
            # The planner's own words instead (or, with none and nothing else to say, the fallback line).
            fallback = self.plan.fallback_text or ("" if self.plan.lines or self.plan.after else FALLBACK_LINE)
            _put_clauses(clauses, fallback)

    async def _stream_llm(self, clauses: asyncio.Queue[str | None]) -> int:
        splitter = ClauseSplitter()
        llm = self._context.models.llm
        stream = llm.stream_reply(self.plan.messages, max_tokens=self.plan.max_tokens)
        accepted = 0
        async with contextlib.aclosing(stream):  # type: ignore[type-var]
            async for delta in stream:
                if self.metrics.llm_first_token_s is None:
                    self.metrics.llm_first_token_s = time.monotonic() - self.metrics.started
                for clause in splitter.push(delta):
                    accepted += self._accept(clauses, clause)
        rest = splitter.flush()
        if rest:
            accepted += self._accept(clauses, rest)
        return accepted

    def _accept(self, clauses: asyncio.Queue[str | None], clause: str) -> int:
        if not self._context.allows(clause):
            log.warning("dropped an invented or refusing clause from the model", extra={"chars": len(clause)})
            return 0
        clauses.put_nowait(clause)
        return 1

    async def _consume(self, clauses: asyncio.Queue[str | None]) -> None:
        # Synthesis runs one clause ahead of the line: the next clause is made while this one waits at the
        # gate (a speculative reply during the caller's pause) or plays, so a short fixed "Entendido." is not
        # followed by a silence the caller takes for the end of the reply while the question is synthesized.
        ready: asyncio.Queue[tuple[str, list[bytes]] | None] = asyncio.Queue(maxsize=1)
        ahead = asyncio.create_task(self._synthesize_ahead(clauses, ready), name=f"reply-{self.reply_id}-tts")
        try:
            while (clause := await ready.get()) is not None:
                if not clause[0].rstrip().endswith(SENTENCE_ENDS):
                    await self._pace(len(clause[1]) * FRAME_S, ready)
                await self.gate.wait()
                self._send(*clause)
        finally:
            ahead.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await ahead
        if not self.spoken:
            # Nothing could be said (every clause failed): the caller must still hear something.
            self._send(FALLBACK_LINE, await self._context.phrases.frames(FALLBACK_LINE, self._context.voice))

    async def _pace(self, duration_s: float, ready: asyncio.Queue[tuple[str, list[bytes]] | None]) -> None:
        """Hold the clause that starts the line's audio when it would finish before the clause after it can be
        made ("Let me read that back:" before a long read-back): the caller would hear a silence and take the
        reply for over. It goes out when the next clause is ready, or when it will end just as that one is
        predicted to be."""
        busy = self._synthesizing
        if busy is None or not ready.empty() or time.monotonic() < self._line_free_at:
            return  # nothing in synthesis, the next clause is ready, or audio plays: holding would cut a gap
        chars, started = busy
        predicted_ready = started + chars * self._context.pace.seconds_per_char
        slack = predicted_ready - (time.monotonic() + duration_s)
        if slack <= 0:
            return
        self._next_ready.clear()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(min(slack, MAX_HOLD_S)):
                await self._next_ready.wait()

    async def _synthesize_ahead(
        self, clauses: asyncio.Queue[str | None], ready: asyncio.Queue[tuple[str, list[bytes]] | None]
    ) -> None:
        try:
            while (text := await clauses.get()) is not None:
                frames = await self._synthesize(text)
                if frames:
                    await ready.put((text, frames))
                    self._next_ready.set()
        except Exception:
            log.exception("a reply's synthesis stopped early; what was made is still said")
        await ready.put(None)  # not reached when cancelled: then the line is gone and nobody waits

    async def _synthesize(self, text: str) -> list[bytes]:
        context = self._context
        started = time.monotonic()
        try:
            cached = context.phrases.cached(text, context.voice)
            if cached is not None:
                frames = cached  # a fixed clause (question, safety line) synthesized before the call
            else:
                self._synthesizing = (len(text), started)
                frames = speech_to_frames(await context.models.tts.synthesize(text, voice=context.voice))
                context.pace.learn(len(text), time.monotonic() - started)
        except Exception:
            log.exception("speech synthesis failed for a clause", extra={"chars": len(text)})
            return []
        finally:
            self._synthesizing = None
        if self.metrics.tts_first_audio_s is None:
            self.metrics.tts_first_audio_s = time.monotonic() - started
        return frames

    def _send(self, text: str, frames: list[bytes]) -> None:
        context = self._context
        clause = context.playback.queue(reply_id=self.reply_id, text=text, frames=frames)
        context.outbound.media(frames)
        context.outbound.mark(clause.mark)
        self.spoken.append(text)
        self.audio_ms += clause.duration_ms
        self._line_free_at = max(time.monotonic(), self._line_free_at) + clause.duration_ms / 1000
        if self.metrics.first_audio_at is None:
            self.metrics.first_audio_at = time.monotonic()
            self.first_audio_stream_ms = context.stream_ms()


def _put_clauses(clauses: asyncio.Queue[str | None], text: str) -> None:
    """Cut a whole line as the phrase cache was prepared, so fixed lines are found clause by clause."""
    for clause in clauses_of(text):
        clauses.put_nowait(clause)
