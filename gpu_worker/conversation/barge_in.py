"""The caller speaking over the agent: hold, then stop the agent only for a real interruption.

A `clear` throws away the audio Twilio had buffered: the caller hears a cut, so a lone "mm-hmm" must
not cause one. At `hold_ms` of speech over the agent nothing new is sent (queued audio plays on). At
`clear_ms` the speech so far is transcribed: more than a backchannel (`interrupts`) stops the agent, a
backchannel keeps it holding and the words are looked at again every `repeek_ms`; past
`backchannel_max_ms` of speech it is stopped regardless. Words at the caller's pause count the same way.
Length alone cannot tell them apart: on phone audio the VAD hears "okay, sure" and "mm-hmm, yeah" for
longer than 700 ms as often as a short "no, hold on" (measured with buddyhelps.turn_end_measure's voices),
and Whisper's words for the first 400 ms of an "mm-hmm" were "In a map." — hence words at `clear_ms`.
A backchannel leaves the reply to carry on as if nothing happened; a cough or a backchannel heard only
after a clear resumes the reply from the clause it was cut in.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from gpu_worker.conversation.agent_reply import AgentReply
from gpu_worker.conversation.agent_voice import AgentVoice
from gpu_worker.conversation.backchannel import has_stop_word, is_backchannel
from gpu_worker.conversation.live_transcript import LiveTranscript
from gpu_worker.conversation.turn_taking import TurnEnded, TurnTaker
from gpu_worker.models.stages import FloatAudio
from gpu_worker.telephony.playback import Heard

log = logging.getLogger(__name__)


@dataclass
class Barge:
    """Caller speech over the agent. `cleared`: the agent's audio was stopped."""

    reply: AgentReply | None
    task: asyncio.Task[None] | None
    started_ms: int
    heard: Heard | None = None
    cleared: bool = False
    cleared_at_ms: int | None = None
    peek: asyncio.Task[None] | None = None  # the words so far, being transcribed
    peeked_at_ms: int = 0  # how much speech the last look at the words had


@dataclass(frozen=True)
class BargeLimits:
    hold_ms: int = 200  # speech over the agent that holds its next clauses
    # Longer than this is not a backchannel: stop the agent. Measured (buddyhelps/turn_end_measure.py): the
    # VAD hears "mm-hmm", "okay, sure" for 320-920 ms on phone audio; 700 ms stops 3 of 24 by length.
    clear_ms: int = 700
    repeek_ms: int = 300  # a backchannel still going on is listened to again after this much more speech
    backchannel_max_ms: int = 1500  # no backchannel is this long: stop the agent whatever the words


# 8 kHz speech so far → its words in the call's language, and how sure the speech-to-text is of them
Words = Callable[[FloatAudio], Awaitable[tuple[str, float | None]]]
Spawn = Callable[[Coroutine[Any, Any, None], str], "asyncio.Task[None]"]


class BargeIn:
    def __init__(
        self,
        *,
        voice: AgentVoice,
        transcript: LiveTranscript,
        taker: TurnTaker,
        limits: BargeLimits,
        words: Words | None = None,
        spawn: Spawn | None = None,
        language: Callable[[], str] = lambda: "en",
    ) -> None:
        self._voice, self._transcript = voice, transcript
        self._taker, self._limits = taker, limits
        self._words, self._spawn, self._language = words, spawn, language
        self.current: Barge | None = None
        self.reactions_ms: list[int] = []  # speech start → clear, per interruption (for the bench)

    def on_frame(self, *, agent_active: bool, turn: asyncio.Task[None] | None) -> None:
        """Every frame: start holding when the caller talks over the agent; clear on long speech."""
        speech_ms = self._taker.speech_ms()
        barge = self.current
        if barge is None:
            if agent_active and self._taker.in_utterance and speech_ms >= self._limits.hold_ms:
                self.current = self._hold(turn)
            return
        if barge.cleared or not self._taker.in_utterance or speech_ms <= self._limits.clear_ms:
            return
        if self._words is None or self._spawn is None or speech_ms > self._limits.backchannel_max_ms:
            self.clear(barge, reason="long speech")
        elif barge.peek is None or (barge.peek.done() and speech_ms - barge.peeked_at_ms >= self._limits.repeek_ms):
            barge.peeked_at_ms = speech_ms
            barge.peek = self._spawn(self._judge_words_so_far(barge, self._taker.utterance_audio()), "barge-peek")

    async def _judge_words_so_far(self, barge: Barge, audio_8k: FloatAudio) -> None:
        assert self._words is not None
        try:
            text, confidence = await self._words(audio_8k)
        except Exception:
            log.warning("could not transcribe speech over the agent; length decides", exc_info=True)
            return
        if self.current is barge and not barge.cleared and interrupts(text, self._language(), confidence):
            self.clear(barge, reason="words")

    def _hold(self, turn: asyncio.Task[None] | None) -> Barge:
        reply = self._voice.current
        if reply is not None:
            reply.gate.clear()
        return Barge(reply=reply, task=turn, started_ms=self._taker.now_ms - self._taker.speech_ms())

    def on_words(self, text: str, language: str, confidence: float | None = None) -> None:
        """The speculative transcript of the caller's pause: words that are more than a backchannel stop the agent."""
        barge = self.current
        if barge is not None and not barge.cleared and interrupts(text, language, confidence):
            self.clear(barge, reason="words")

    def take(self, *, agent_active: bool, turn: asyncio.Task[None] | None) -> Barge | None:
        """The caller's turn ended: the barge it belonged to (even speech too short to have held the agent)."""
        barge, self.current = self.current, None
        if barge is None and agent_active:
            barge = Barge(reply=self._voice.current, task=turn, started_ms=self._taker.now_ms)
        return barge

    def clear(self, barge: Barge, *, reason: str) -> None:
        self._voice.outbound.clear()
        if barge.reply is not None:
            barge.reply.gate.clear()
        barge.heard = self._voice.playback.interrupt()
        barge.cleared = True
        barge.cleared_at_ms = self._taker.now_ms
        self.reactions_ms.append(self._taker.now_ms - barge.started_ms)
        log.info(
            "barge-in: cleared the agent's audio (%s)",
            reason,
            extra={"reason": reason, "speech_ms": self._taker.speech_ms()},
        )

    def resume(self, barge: Barge, text: str, event: TurnEnded) -> None:
        """A backchannel or a cough: the agent carries on (from the clause it was cut in, if it was cut)."""
        if text:
            self._transcript.add("caller", text, start_ms=event.started_ms, end_ms=event.last_speech_ms)
        if barge.heard is not None:
            for clause in barge.heard.unplayed:
                queued = self._voice.playback.queue(reply_id=clause.reply_id, text=clause.text, frames=clause.frames)
                self._voice.outbound.media(clause.frames)
                self._voice.outbound.mark(queued.mark)
        if barge.reply is not None:
            barge.reply.gate.set()

    async def stop_agent(self, barge: Barge) -> str:
        """Real speech over the agent: stop its reply, keep only what the caller heard, and return that."""
        if not barge.cleared:
            self.clear(barge, reason="turn")
        finished = barge.task is None or barge.task.done()  # a finished reply is already in the transcript
        if not finished:
            assert barge.task is not None
            barge.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await barge.task
        heard = barge.heard.text if barge.heard else (barge.reply.text if barge.reply else "")
        if barge.reply is not None and barge.reply.metrics.first_audio_at is None:
            heard = ""
        if barge.reply is not None:
            self._voice.cut_short(barge.reply, heard)
        now = self._taker.now_ms
        if finished:
            self._transcript.replace_last_agent(heard, end_ms=now)
        elif heard:
            self._transcript.add("agent", heard, start_ms=now, end_ms=now, interrupted=True)
        return heard


# Below this mean log-probability per token the words are Whisper guessing at a sound: measured over five
# voices (buddyhelps/turn_end_measure.py), its words for "mm-hmm" ("A man hung", "Amen hands") score
# -1.0 to -2.0, real interruptions -0.5 to -0.9 once a few words are in (an early look may score lower: the
# next look, 300 ms on, decides).
MIN_CONFIDENCE = -1.0


def interrupts(text: str, language: str, confidence: float | None = None) -> bool:
    """Words that stop the agent: heard with some confidence, more than a backchannel, and at least two
    different words of two letters or more — Whisper hears a lone "uh-huh" on phone audio as "Ow. Ow. Ow."
    or "M-M-R-M-R", which must not cut the agent — or a word that objects on its own ("No, no.", "Wait!")."""
    if is_backchannel(text, language) or (confidence is not None and confidence < MIN_CONFIDENCE):
        return False
    words = {word for word in re.findall(r"[^\W\d_]{2,}|\d+", text.lower())}
    return len(words) >= 2 or has_stop_word(text, language)
