"""The caller's turns: a pause starts the transcript, the turn model and a speculative reply; the turn's
end adopts that reply when the caller said nothing more, or answers afresh.

Speculation is keyed by what was said — the utterance up to its last speech frame (`Said`) — not by
the audio's length: silent frames keep arriving while the turn model thinks, and they change nothing
the caller said, so the reply planned at the pause is the one that plays.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from gpu_worker.conversation.agent_reply import AgentReply
from gpu_worker.conversation.agent_voice import AgentVoice, TurnTiming
from gpu_worker.conversation.backchannel import is_backchannel
from gpu_worker.conversation.barge_in import MIN_CONFIDENCE, Barge, BargeIn
from gpu_worker.conversation.call_language import CallLanguage
from gpu_worker.conversation.call_tasks import CallTasks
from gpu_worker.conversation.dialogue import Committed, Dialogue, Understood
from gpu_worker.conversation.language_switch import Heard
from gpu_worker.conversation.live_transcript import LiveTranscript
from gpu_worker.conversation.photo_link import PhotoOffer
from gpu_worker.conversation.sentence_end import sounds_unfinished, trails_off
from gpu_worker.conversation.turn_taking import Paused, TurnEnded, TurnTaker
from gpu_worker.models.stages import FloatAudio
from gpu_worker.telephony.audio_codec import resample
from shared.keyword_correction import KeywordCorrector

if TYPE_CHECKING:
    from gpu_worker.conversation.call_session import WorkerServices

log = logging.getLogger(__name__)
TURN_MODEL_THRESHOLD = 0.5
LAST_WORDS_TIMEOUT_S = 5.0  # the call is over: its report waits at most this long for the last words
CONTINUATION_WINDOW_MS = 1200  # speech this soon after the agent starts answering continues the caller's turn
JOIN_GAP_MS = 600  # the quiet put between two parts of a joined turn (their audio carries its own edges)


@dataclass(frozen=True)
class Said:
    """One utterance up to its last speech frame: two moments with the same `Said` hold the same words."""

    started_ms: int
    last_speech_ms: int


@dataclass(frozen=True)
class Speculation:
    """A reply prepared during the caller's pause, gated until the turn is confirmed over."""

    understood: Understood
    reply: AgentReply
    task: asyncio.Task[None]
    stt_ms: float


@dataclass
class SpeculationCounts:
    started: int = 0
    adopted: int = 0
    discarded: int = 0
    held_open: int = 0  # turns the turn model called over but whose words were unfinished
    held_long: int = 0  # pauses given the longer silence limit because their words trailed off


class CallerTurns:
    def __init__(
        self,
        *,
        services: WorkerServices,
        voice: AgentVoice,
        dialogue: Dialogue,
        transcript: LiveTranscript,
        tasks: CallTasks,
        barge_in: BargeIn,
        taker: TurnTaker,
        corrector: KeywordCorrector,
        photo: PhotoOffer,
        agent_active: Callable[[], bool],
        language: CallLanguage,
    ) -> None:
        self._services, self._voice, self._dialogue = services, voice, dialogue
        self._transcript, self._tasks, self._barge_in = transcript, tasks, barge_in
        self._taker, self._corrector, self._photo = taker, corrector, photo
        self._agent_active, self._call_language = agent_active, language
        self._words: tuple[Said, asyncio.Task[Heard]] | None = None  # the speculative transcript
        self._speculation: tuple[Said, asyncio.Task[Speculation | None]] | None = None
        self._pause_seq = 0
        self._last_heard: Heard | None = None  # the last turn's words as heard, for the language log
        self._unanswered: tuple[TurnEnded, asyncio.Task[Heard]] | None = None  # a turn not yet taken in
        self._committed: TurnEnded | None = None  # the last turn taken in, kept to hear it again when joined
        self.last_speech_wall = time.monotonic()
        self.speech_started_ms = 0
        self.counts = SpeculationCounts()

    def on_speech(self, started_ms: int) -> None:
        self.speech_started_ms = started_ms

    def on_pause(self, event: Paused) -> None:
        self._pause_seq += 1
        said = Said(event.started_ms, event.last_speech_ms)
        audio_16k = resample(event.audio_8k, 8000, 16000)
        words = self._transcribe(said, audio_16k)
        self._drop_speculation()
        if self._barge_in.current is None and not self._agent_active():
            self.counts.started += 1
            self._speculation = (said, self._tasks.spawn(self._speculate(words), "speculate"))
        elif self._barge_in.current is not None:
            self._tasks.spawn(self._judge_barge(words), "barge-words")
        self._tasks.spawn(self._decide_turn(audio_16k, self._pause_seq, words), "turn-model")
        self._taker.hold_open()  # until the words are in: see _hold_if_trailing
        self._tasks.spawn(self._hold_if_trailing(self._pause_seq, words), "pause-words")

    def on_resumed(self) -> None:
        self._pause_seq += 1  # the turn model's answer for the last pause no longer counts
        self._drop_speculation()

    @property
    def _language(self) -> str:
        return self._call_language.language

    def _transcribe(self, said: Said, audio_16k: FloatAudio) -> asyncio.Task[Heard]:
        if self._words is not None and self._words[0] == said:
            return self._words[1]
        if self._words is not None:
            self._words[1].cancel()
        task = self._tasks.spawn(self._stt(audio_16k), "speech-to-text")
        self._words = (said, task)
        return task

    async def _stt(self, audio_16k: FloatAudio) -> Heard:
        return await self._call_language.transcribe(audio_16k)

    def _heard(self, heard: Heard) -> str:
        """The turn's words, corrected; the call's language follows them before they are planned."""
        text = self._corrector.apply(heard.text)
        if text:
            self._follow(Heard(text, heard.language, heard.probability))
        return text

    def _follow(self, heard: Heard) -> None:
        self._last_heard = heard
        self._call_language.follow(heard)

    async def _speculate(self, words: asyncio.Task[Heard]) -> Speculation | None:
        """Transcribe, plan and synthesize the first clause while the turn model is still deciding."""
        started = time.monotonic()
        text = self._heard(await asyncio.shield(words))  # shared: dropping this must not cancel it
        if not text:
            return None
        understood = await self._dialogue.understand(text, photo_link=self._photo.wanted(text))
        reply = self._voice.new_reply(understood.plan, epilogue=self._photo.line if understood.photo_link else "")
        reply.gate.clear()  # nothing reaches the line until the turn is confirmed
        task = self._tasks.spawn(reply.run(), f"reply-{reply.reply_id}")
        return Speculation(understood, reply, task, stt_ms=(time.monotonic() - started) * 1000)

    def _drop_speculation(self) -> None:
        if self._speculation is None:
            return
        _, pending = self._speculation
        self._speculation = None
        self.counts.discarded += 1
        pending.add_done_callback(_cancel_reply)
        pending.cancel()

    async def _judge_barge(self, words: asyncio.Task[Heard]) -> None:
        try:
            heard = await asyncio.shield(words)
        except Exception:
            log.warning("no words for the speech over the agent; its length decides", exc_info=True)
            return
        self._barge_in.on_words(self._corrector.apply(heard.text), self._language, heard.confidence)

    async def _decide_turn(self, audio_16k: FloatAudio, sequence: int, words: asyncio.Task[Heard]) -> None:
        """The turn model says whether the caller is done; an unfinished sentence in the words overrules it."""
        probability = await self._services.models.turn.end_of_turn_probability(audio_16k)
        if sequence != self._pause_seq or probability < TURN_MODEL_THRESHOLD:
            return
        text = await _pause_words(words, without="the turn model decides alone")
        if sequence != self._pause_seq:
            return
        if sounds_unfinished(text, language=self._language):
            self.counts.held_open += 1
            log.info("the turn model called the turn over mid-sentence; waiting", extra={"chars": len(text)})
            return
        ended = self._taker.end_turn()
        if ended is not None:
            self.on_turn_end(ended)

    async def _hold_if_trailing(self, sequence: int, words: asyncio.Task[Heard]) -> None:
        """The pause is held open until its words are in (on two cores they can take longer than the usual
        silence, and a reply cannot start without them anyway); words that stop mid-sentence or mid-number
        keep it open, a whole sentence lets the usual silence end the turn."""
        text = await _pause_words(words, without="the pause ends at the usual silence")
        if sequence != self._pause_seq:
            return  # the caller spoke again: the next pause decides
        if trails_off(text, language=self._language):
            self.counts.held_long += 1
            log.info("the words trail off; the pause may run longer", extra={"chars": len(text)})
        else:
            self._taker.release()

    def on_turn_end(self, event: TurnEnded) -> None:
        committed = time.monotonic()
        said = Said(event.started_ms, event.last_speech_ms)
        words = self._transcribe(said, resample(event.audio_8k, 8000, 16000))
        self._words = None
        self._unanswered = (event, words)
        barge = self._barge_in.take(agent_active=self._agent_active(), turn=self._tasks.turn)
        speculation, self._speculation = self._speculation, None
        log.info(
            "caller turn ended",
            extra={
                "started_ms": event.started_ms,
                "speech_ms": event.last_speech_ms - event.started_ms,
                "forced": event.forced,
                "over_agent": barge is not None,
                "prepared": speculation is not None and speculation[0] == said,
            },
        )
        if barge is None and speculation is not None and speculation[0] == said:
            self._tasks.start_turn(self._adopt(speculation[1], event, words, committed))
            return
        if speculation is not None:
            self._speculation = speculation
            self._drop_speculation()
        self._tasks.start_turn(self._caller_turn(event, words, committed, barge))

    async def _adopt(
        self, pending: asyncio.Task[Speculation | None], event: TurnEnded, words: asyncio.Task[Heard], committed: float
    ) -> None:
        """The turn is over and its reply is (nearly) ready: let it onto the line."""
        try:
            speculation = await pending
        except Exception:
            log.exception("the speculative reply failed; answering the turn afresh")
            await self._caller_turn(event, words, committed, None)
            return
        if speculation is None:
            self._unanswered = None
            log.info("no words in the caller's turn; nothing to answer")
            return  # nothing was said after all (a noise the VAD took for speech)
        self.counts.adopted += 1
        self._commit(speculation.understood, event, reply_id=speculation.reply.reply_id)
        if speculation.understood.photo_link:
            self._photo.offer()  # the reply already ends with the photo line; this sends the text
        timing = TurnTiming(
            end_of_turn_ms=(committed - self.last_speech_wall) * 1000,
            stt_ms=speculation.stt_ms,
            last_speech_wall=self.last_speech_wall,
            speculation_adopted=True,
        )
        await self._voice.play(speculation.reply, speculation.task, timing)

    async def _caller_turn(
        self, event: TurnEnded, words: asyncio.Task[Heard], committed: float, barge: Barge | None
    ) -> None:
        stt_started = time.monotonic()
        try:
            heard = await words
            # A caller talking over the agent ("okay") doesn't move the language: it is judged as a turn.
            text = self._corrector.apply(heard.text) if barge is not None else self._heard(heard)
        except Exception:
            log.exception("speech-to-text failed; asking the caller to repeat")
            text = ""
        stt_ms = (time.monotonic() - stt_started) * 1000
        if barge is not None and (not text or is_backchannel(text, self._language) or _guessed(heard)):
            log.info("speech over the agent was a backchannel; it carries on", extra={"chars": len(text)})
            self._unanswered = None  # a backchannel: nothing to keep
            self._barge_in.resume(barge, text, event)
            return
        if barge is not None:
            await self._barge_in.stop_agent(barge)
            last = self._dialogue.last_commit
            if last is not None and self._continued(barge, last):
                # The caller talked straight over the answer: they had only paused. One turn, not two.
                text, event = await self._retract(last, text, event)
        if not text:
            log.info("no words in the caller's turn; nothing to answer")
            return
        if barge is not None:
            self._follow(Heard(text, heard.language, heard.probability))
        understood = await self._dialogue.understand(text, photo_link=self._photo.wanted(text))
        self._commit(understood, event, reply_id=self._voice.next_reply_id)
        timing = TurnTiming(
            end_of_turn_ms=(committed - self.last_speech_wall) * 1000,
            stt_ms=stt_ms,
            last_speech_wall=self.last_speech_wall,
            speculation_adopted=False,
        )
        epilogue = self._photo.offer() if understood.photo_link else ""
        await self._voice.speak(understood.plan, timing, epilogue=epilogue)

    def _commit(self, understood: Understood, event: TurnEnded, *, reply_id: int) -> None:
        self._unanswered = None
        self._committed = event
        transcript_len = len(self._transcript)
        self._transcript.add("caller", understood.text, start_ms=event.started_ms, end_ms=event.last_speech_ms)
        self._dialogue.commit(understood, started_ms=event.started_ms, transcript_len=transcript_len, reply_id=reply_id)
        self._call_language.committed(self._last_heard)

    async def keep_last_words(self) -> None:
        """After the line went dead: what the caller said that no turn took in — a turn whose words or
        answer were still on their way, or speech cut off mid-utterance — goes into the transcript, which
        the owner's report is made from ("…it's 12 Oak Street" and the caller hung up)."""
        left: list[tuple[TurnEnded, asyncio.Task[Heard] | None]] = []
        if self._unanswered is not None:
            left.append(self._unanswered)
        ended = self._taker.end_turn()
        if ended is not None:
            left.append((ended, None))
        self._unanswered = None
        for event, words in left:
            text = await self._last_text(event, words)
            if text:
                self._transcript.add("caller", text, start_ms=event.started_ms, end_ms=event.last_speech_ms)

    async def _last_text(self, event: TurnEnded, words: asyncio.Task[Heard] | None) -> str:
        try:
            if words is not None and words.done() and not words.cancelled():
                heard = words.result()
            else:
                async with asyncio.timeout(LAST_WORDS_TIMEOUT_S):
                    heard = await self._stt(resample(event.audio_8k, 8000, 16000))
        except Exception:
            log.warning("the caller's last words could not be transcribed", exc_info=True)
            return ""
        return self._corrector.apply(heard.text).strip()

    def _continued(self, barge: Barge, last: Committed) -> bool:
        """Did the caller resume too soon after the answer began to have been answering it? Speech that
        began before that answer existed (the agent still working it out) always continues the turn."""
        if barge.reply is None or barge.reply.reply_id < last.reply_id:
            return True
        if barge.reply.reply_id != last.reply_id:
            return False
        first_audio = barge.reply.first_audio_stream_ms
        return first_audio is None or self.speech_started_ms - first_audio < CONTINUATION_WINDOW_MS

    async def _retract(self, last: Committed, text: str, event: TurnEnded) -> tuple[str, TurnEnded]:
        """Undo the last caller turn and return it joined with what the caller said next: heard again as
        one utterance when its audio is at hand (Whisper looped on "…555 555" heard alone, and got
        "You can reach me at 555 555 0177" right whole), else the two transcripts side by side."""
        self._dialogue.retract()
        self._transcript.truncate(last.transcript_len)
        log.info("the caller was not finished: joining their turns")
        earlier, self._committed = self._committed, None
        if earlier is None or earlier.started_ms != last.started_ms:
            return f"{last.text} {text}", dataclasses.replace(event, started_ms=last.started_ms)
        gap_ms = min(max(0, event.started_ms - earlier.last_speech_ms), JOIN_GAP_MS)
        audio = np.concatenate([earlier.audio_8k, np.zeros(gap_ms * 8, dtype=np.float32), event.audio_8k])
        joined = dataclasses.replace(event, started_ms=last.started_ms, audio_8k=audio)
        try:
            heard = await self._stt(resample(audio, 8000, 16000))
        except Exception:
            log.warning("the joined turn could not be heard again; its parts' words are kept", exc_info=True)
            return f"{last.text} {text}", joined
        again = self._corrector.apply(heard.text).strip()  # the caller's turn follows the language with it
        return (again if again else f"{last.text} {text}"), joined


def _guessed(heard: Heard) -> bool:
    """Words Whisper was not sure of: a listening noise it tried to spell ("A man hung"), not a turn."""
    return heard.confidence is not None and heard.confidence < MIN_CONFIDENCE


def _cancel_reply(pending: asyncio.Task[Speculation | None]) -> None:
    """A dropped speculation that had already started its reply: stop that reply too."""
    if not pending.cancelled() and pending.exception() is None:
        speculation = pending.result()
        if speculation is not None:
            speculation.task.cancel()  # closes its LLM stream; its audio was never sent


async def _pause_words(words: asyncio.Task[Heard], *, without: str) -> str:
    """The speculative transcript of a pause, shared by those who wait on it (shielded: one of them giving
    up must not cancel it for the others); empty, with `without` logged, when it failed."""
    try:
        return (await asyncio.shield(words)).text
    except Exception:
        log.warning("no speculative transcript; %s", without, exc_info=True)
        return ""
