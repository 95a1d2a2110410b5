"""The conversation of one call, composed of parts a reader can follow one at a time.

Per call the agent is in one of three phases — listening (the caller has the floor), thinking (a turn
is being answered, nothing on the line yet) or speaking (its audio is on the line) — read from the
parts that hold the truth (the turn task, the marks), never stored twice. The receive loop calls
`on_audio` for every 20 ms frame; that path only runs VAD and turn-taking and hands anything slow to
tasks, so it never blocks.

Parts: `Dialogue` (what was said, what to do next), `AgentVoice` (replies onto the line),
`CallerTurns` (pauses, speculation, the turn's end), `BargeIn` (speech over the agent),
`LiveTranscript` and `CallTasks`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import time
from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from gpu_worker.after_call.call_record import CallRecord
from gpu_worker.conversation.agent_reply import SpeechContext
from gpu_worker.conversation.agent_voice import AgentVoice
from gpu_worker.conversation.barge_in import BargeIn, BargeLimits
from gpu_worker.conversation.business_config import BusinessConfig, load_business_config
from gpu_worker.conversation.call_language import CallLanguage
from gpu_worker.conversation.call_tasks import CallTasks
from gpu_worker.conversation.caller_turns import CallerTurns
from gpu_worker.conversation.dialogue import Dialogue
from gpu_worker.conversation.live_transcript import LiveTranscript
from gpu_worker.conversation.photo_link import PhotoOffer
from gpu_worker.conversation.planning.planner import ReplyPlan
from gpu_worker.conversation.planning.planner_choice import build_planner
from gpu_worker.conversation.turn_taking import Paused, Resumed, SpeechStarted, TurnEnded, TurnTaker
from gpu_worker.models.stages import ChatMessage, FloatAudio
from gpu_worker.telephony.audio_codec import resample
from gpu_worker.telephony.media_socket import OutboundAudio
from gpu_worker.telephony.playback import PlaybackTracker
from gpu_worker.telephony.voice_output import CallPhrases
from gpu_worker.tools.call_tools import CallParties, open_call_tools
from gpu_worker.tools.message_form import message_arguments
from gpu_worker.tools.tool_desk import ToolDesk
from gpu_worker.tools.transfer import no_answer_line
from shared.call_report import ReportField, ToolCallEntry
from shared.keyword_correction import KeywordCorrector

if TYPE_CHECKING:
    from gpu_worker.conversation.call_session import WorkerServices

SILENCE_PROMPT_MS = 8000

log = logging.getLogger(__name__)


@runtime_checkable
class SystemPrompted(Protocol):
    """A planner whose LLM prompts open with one system message (the guided planner's do)."""

    def system_message(self, language: str) -> ChatMessage: ...


class CallPhase(StrEnum):
    LISTENING = "listening"
    THINKING = "thinking"
    SPEAKING = "speaking"


class CallConversation:
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
        tools: ToolDesk | None = None,
        resources: contextlib.AsyncExitStack | None = None,
    ) -> None:
        self.services, self.record, self.config, self.taker = services, record, config, taker
        self.tools, self._resources = tools, resources or contextlib.AsyncExitStack()
        self.tasks = CallTasks()
        self.transcript = LiveTranscript(services=services, record=record)
        self.progress = self.transcript.progress
        planner = build_planner(
            config.definition,
            mode=services.settings.planner,
            business_name=config.business_name,
            caller_id=record.from_number,
            llm=services.models.llm,
        )
        self.dialogue = Dialogue(planner=planner, language=config.definition.default_language)
        record.definition, record.agent_version = config.definition, config.agent_version
        record.language = self.dialogue.language
        self._phrases = CallPhrases(services.phrases)
        speech = SpeechContext(
            models=services.models,
            voice=config.definition.voice_for(self.dialogue.language, business_voice=config.voice),
            phrases=self._phrases,
            playback=playback,
            outbound=outbound,
            stream_ms=lambda: taker.now_ms,
            allows=self.dialogue.allows,
            tools=tools,
            language=lambda: self.dialogue.language,
        )
        self.voice = AgentVoice(
            services=services,
            speech=speech,
            dialogue=self.dialogue,
            transcript=self.transcript,
            tasks=self.tasks,
            close=close,
        )
        self.barge_in = BargeIn(
            voice=self.voice,
            transcript=self.transcript,
            taker=taker,
            limits=BargeLimits(hold_ms=services.barge_in_ms, clear_ms=services.barge_clear_ms),
            words=self._words_so_far,
            spawn=self.tasks.spawn,
            language=lambda: self.language.language,
        )
        self.language = CallLanguage(
            services=services,
            definition=config.definition,
            business_voice=config.voice,
            dialogue=self.dialogue,
            voice=self.voice,
            transcript=self.transcript,
            on_change=lambda language, voice: self.tasks.spawn(self._prepare_lines(language, voice), "prepare-lines"),
            vocabulary=config.vocabulary,
        )
        self.photo = PhotoOffer(
            settings=services.settings,
            record=record,
            definition=config.definition,
            language=lambda: self.language.language,
            spawn=self.tasks.spawn,
        )
        self.caller = CallerTurns(
            services=services,
            voice=self.voice,
            dialogue=self.dialogue,
            transcript=self.transcript,
            tasks=self.tasks,
            barge_in=self.barge_in,
            taker=taker,
            corrector=KeywordCorrector(config.corrections),
            photo=self.photo,
            agent_active=self._agent_active,
            language=self.language,
        )
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
    ) -> CallConversation:
        if not record.business_id:
            raise LookupError("the stream has no business id")
        db = await services.database()
        config = await load_business_config(
            db, business_id=record.business_id, mode="demo" if mode == "demo" else "live", call_sid=record.call_sid
        )
        parties = CallParties(
            record.call_sid, record.business_id, config.business_name, record.from_number, record.to_number
        )
        resources = contextlib.AsyncExitStack()
        tools = await resources.enter_async_context(
            open_call_tools(services.settings, db, config.definition, parties, services.knowledge, config.people)
        )
        return cls(
            services=services,
            record=record,
            config=config,
            outbound=outbound,
            playback=playback,
            taker=taker,
            close=close,
            tools=tools,
            resources=resources,
        )

    @property
    def outbound(self) -> OutboundAudio:
        return self.voice.outbound

    @property
    def playback(self) -> PlaybackTracker:
        return self.voice.playback

    @property
    def ended(self) -> bool:
        return self.voice.ended

    @property
    def phase(self) -> CallPhase:
        if self.voice.playback.is_playing:
            return CallPhase.SPEAKING
        if self.tasks.turn_running:
            return CallPhase.THINKING
        return CallPhase.LISTENING

    def _agent_active(self) -> bool:
        return self.phase is not CallPhase.LISTENING

    async def greet(self) -> None:
        """Queue the greeting and start listening; warm what the rest of the call may need."""
        self.services.events.publish(
            {
                "type": "call_started",
                "call_sid": self.record.call_sid,
                "business_id": self.record.business_id,
                "started_at": self.record.started_at,
            }
        )
        opening = self.dialogue.opening()
        if self.record.returned_from:  # not the greeting again: the caller was on hold for someone
            opening = dataclasses.replace(
                opening, lines=(no_answer_line(self.record.returned_from, self.dialogue.language),)
            )
        self.voice.greet(opening)
        planner = self.dialogue.planner
        if isinstance(planner, SystemPrompted):
            prefix = (planner.system_message(self.dialogue.language), ChatMessage("assistant", " ".join(opening.lines)))
            self.tasks.spawn(self.voice.prewarm((*prefix, ChatMessage("user", "Hi."))), "prewarm")
        self.tasks.spawn(self._prepare_lines(self.dialogue.language, self.voice.speech.voice), "prepare-lines")

    async def _words_so_far(self, audio_8k: FloatAudio) -> tuple[str, float | None]:
        """What the caller has said over the agent so far, in the call's language (barge-in)."""
        heard = await self.services.models.stt.transcribe(
            resample(audio_8k, 8000, 16000), language=self.language.language, prompt=self.language.vocabulary
        )
        return heard.text, heard.confidence

    async def _prepare_lines(self, language: str, voice: str) -> None:
        """Synthesize this caller's own lines, then the definition's fixed lines not cached yet (a business
        saved after start-up, or the language the call just switched to)."""
        planner, tts = self.dialogue.planner, self.services.models.tts
        for line in planner.call_lines(language):
            await self._phrases.prepare_own(line, voice, tts)
        for line in planner.fixed_lines(language):
            await self.services.phrases.prepare(line, voice)

    async def aclose(self) -> None:
        try:
            await self.tasks.aclose()
            await self.caller.keep_last_words()
        finally:
            log.info("caller turns", extra={"turns": dataclasses.asdict(self.caller.counts)})
            self._report_fields()
            try:
                await self._send_message_form()
            finally:
                self._report_tools()
                await self._resources.aclose()

    async def _send_message_form(self) -> None:
        """A message the definition's form gathered goes to its person now, with the caller's name and
        number as they ended up (read back, corrected) — once, and even when the caller hung up early."""
        tools = self.tools
        if tools is None or not tools.has("take_message"):
            return
        if any(entry.name == "take_message" and entry.outcome == "ok" for entry in tools.log):
            return  # the agent already sent it during the call
        values = {entry.name: entry.value for entry in self.dialogue.snapshot().fields}
        arguments = message_arguments(self.config.definition, values)
        if arguments is not None:
            await tools.run("take_message", arguments, language=self.dialogue.language, hold=_nobody_listening)

    def _report_tools(self) -> None:
        if self.tools is None:
            return
        self.record.tools = [
            ToolCallEntry(
                name=entry.name,
                arguments={key: str(value)[:500] for key, value in entry.arguments.items()},
                outcome=entry.outcome,
                result=entry.spoken[:2000],
                detail=dict(entry.detail),
                duration_ms=entry.duration_ms,
            )
            for entry in self.tools.log[-100:]
        ]

    def _report_fields(self) -> None:
        """What the planner gathered, for the owner's report (post-call extraction fills what is open)."""
        kinds = {spec.name: spec.kind.value for spec in self.config.definition.fields}
        self.record.fields = [
            ReportField(
                name=entry.name,
                label=entry.label[:200],
                kind=kinds.get(entry.name, "free_text"),
                value=entry.value[:2000],
                spoken=entry.spoken[:2000],
                status=entry.status,
            )
            for entry in self.dialogue.snapshot().fields
        ]

    async def say_last_line(self, text: str) -> None:
        """Say `text` as the call's last words, then hang up (the session's time limit uses it)."""
        await self.voice.speak(ReplyPlan("end_call", lines=(text,), end_call=True))

    # --- inbound events: the frame path -------------------------------------------------------------
    def on_audio(self, frame: FloatAudio) -> None:
        for event in self.taker.push_frame(frame):
            if isinstance(event, SpeechStarted):
                self._silence_count = 0
                self.caller.on_speech(event.at_ms)
            elif isinstance(event, Paused):
                self.caller.on_pause(event)
            elif isinstance(event, Resumed):
                self.caller.on_resumed()
            elif isinstance(event, TurnEnded):
                self._quiet_since_ms = self.taker.now_ms
                self.caller.on_turn_end(event)
        if self.taker.in_utterance and self.taker.last_speech_ms == self.taker.now_ms:
            self.caller.last_speech_wall = time.monotonic()  # voice-to-voice is measured from here
        self.barge_in.on_frame(agent_active=self._agent_active(), turn=self.tasks.turn)
        self._check_silence()

    def on_mark(self, name: str) -> None:
        clause = self.voice.playback.mark_played(name)
        if clause is not None:
            self.voice.on_played(clause)
        if not self.voice.playback.is_playing:
            self._quiet_since_ms = self.taker.now_ms

    def on_dtmf(self, digit: str) -> None:
        self.record.dtmf += digit
        now = self.taker.now_ms
        self.transcript.add("dtmf", digit, start_ms=now, end_ms=now)
        if self.language.keypad(digit):
            return  # "para español, oprima dos": the next reply is in the chosen language
        if digit == "0" and not self.tasks.turn_running:
            self.tasks.start_turn(self.voice.speak(self.dialogue.keypad_plan(digit)), "keypad")

    def _check_silence(self) -> None:
        if self.taker.in_utterance or self.phase is not CallPhase.LISTENING or self.ended:
            return
        if self.taker.now_ms - self._quiet_since_ms < SILENCE_PROMPT_MS:
            return
        self._silence_count += 1
        self._quiet_since_ms = self.taker.now_ms
        plan = self.dialogue.silence_plan(self._silence_count)
        self.tasks.start_turn(self.voice.speak(plan), "silence-prompt")


def _nobody_listening(_line: str) -> None:
    """The hold line of a tool run after the caller has gone: there is no one to say it to."""
