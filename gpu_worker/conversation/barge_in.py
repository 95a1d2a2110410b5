"""The caller speaking over the agent: hold, then stop the agent only for a real interruption.

A `clear` throws away the audio Twilio had buffered: the caller hears a cut, so a lone "mm-hmm" must
not cause one. At `hold_ms` of speech over the agent nothing new is sent (queued audio plays on); the
agent is stopped (`clear`) once the speech has lasted longer than a backchannel does (`clear_ms`), or
as soon as the words at the caller's pause are more than a backchannel (`interrupts`). A backchannel leaves the
reply to carry on as if nothing happened; a cough or a backchannel heard only after a clear resumes the
reply from the clause it was cut in.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from dataclasses import dataclass

from gpu_worker.conversation.agent_reply import AgentReply
from gpu_worker.conversation.agent_voice import AgentVoice
from gpu_worker.conversation.backchannel import is_backchannel
from gpu_worker.conversation.live_transcript import LiveTranscript
from gpu_worker.conversation.turn_taking import TurnEnded, TurnTaker
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


@dataclass(frozen=True)
class BargeLimits:
    hold_ms: int = 200  # speech over the agent that holds its next clauses
    # Longer than this is not a backchannel: stop the agent. Measured (buddyhelps/turn_end_measure.py): the
    # VAD hears "mm-hmm", "okay, sure" for 320-920 ms on phone audio; 700 ms stops 3 of 24 by length.
    clear_ms: int = 700


class BargeIn:
    def __init__(
        self,
        *,
        voice: AgentVoice,
        transcript: LiveTranscript,
        taker: TurnTaker,
        limits: BargeLimits,
    ) -> None:
        self._voice, self._transcript = voice, transcript
        self._taker, self._limits = taker, limits
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
        if not barge.cleared and self._taker.in_utterance and speech_ms > self._limits.clear_ms:
            self.clear(barge, reason="long speech")

    def _hold(self, turn: asyncio.Task[None] | None) -> Barge:
        reply = self._voice.current
        if reply is not None:
            reply.gate.clear()
        return Barge(reply=reply, task=turn, started_ms=self._taker.now_ms - self._taker.speech_ms())

    def on_words(self, text: str, language: str) -> None:
        """The speculative transcript of the caller's pause: words that are more than a backchannel stop the agent."""
        barge = self.current
        if barge is not None and not barge.cleared and interrupts(text, language):
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


def interrupts(text: str, language: str) -> bool:
    """Words that stop the agent: more than a backchannel, and at least two different words — Whisper
    hears a lone "uh-huh" on phone audio as "Ow. Ow. Ow." or "Yatham", which must not cut the agent."""
    words = {word for word in re.findall(r"[^\W_]+", text.lower())}
    return len(words) >= 2 and not is_backchannel(text, language)
