"""The call's language put into effect: what the switch decides changes the planner's language, the
voice, the speech-to-text language, the call record (language log in the transcript) and the console."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from gpu_worker.conversation.agent_voice import AgentVoice
from gpu_worker.conversation.dialogue import Dialogue
from gpu_worker.conversation.language_switch import Heard, LanguageChange, LanguageSwitch
from gpu_worker.conversation.live_transcript import LiveTranscript
from gpu_worker.models.stages import FloatAudio
from shared.agents.definition import AgentDefinition

if TYPE_CHECKING:
    from gpu_worker.conversation.call_session import WorkerServices

log = logging.getLogger(__name__)
LANGUAGE_NAMES = {"en": "English", "es": "Spanish"}


class CallLanguage:
    def __init__(
        self,
        *,
        services: WorkerServices,
        definition: AgentDefinition,
        business_voice: str,
        dialogue: Dialogue,
        voice: AgentVoice,
        transcript: LiveTranscript,
        on_change: Callable[[str, str], object] | None = None,
        vocabulary: str = "",
    ) -> None:
        self._services, self._definition, self._business_voice = services, definition, business_voice
        self.vocabulary = vocabulary or None  # speech-to-text's prompt: the business's names, spelled
        self._dialogue, self._voice, self._transcript = dialogue, voice, transcript
        self._on_change = on_change  # (language, voice): e.g. prepare that language's fixed lines
        self.switch = LanguageSwitch(enabled=tuple(definition.languages))

    @property
    def language(self) -> str:
        return self.switch.language

    def voice_for(self, language: str) -> str:
        return self._definition.voice_for(language, business_voice=self._business_voice)

    async def transcribe(self, audio_16k: FloatAudio) -> Heard:
        """The turn's words: in the call's language, or with the language detected among those served."""
        switch, stt = self.switch, self._services.models.stt
        language = None if switch.detects else switch.language
        result = await stt.transcribe(audio_16k, language=language, candidates=switch.enabled, prompt=self.vocabulary)
        heard = Heard(result.text.strip(), result.language, result.language_probability, result.confidence)
        if language is None and heard.language != switch.language and switch.judge(heard) is None:
            # Heard as another language, but not clearly enough to switch ("Calle Olmo 42 en Springfield"
            # came out as "... in Springfield"): the words again in the call's language; what was detected
            # is kept, so two clear turns running still switch.
            again = await stt.transcribe(audio_16k, language=switch.language, prompt=self.vocabulary)
            heard = Heard(again.text.strip(), heard.language, heard.probability, again.confidence)
        return heard

    def follow(self, heard: Heard) -> None:
        """Switch the call's language if this turn clearly calls for it (before the turn is planned)."""
        change = self.switch.judge(heard)
        if change is not None:
            self._apply(change)

    def committed(self, heard: Heard | None) -> None:
        self.switch.committed(heard)

    def keypad(self, digit: str) -> bool:
        """A language key: the call continues in that language. False when the digit is no language key."""
        change = self.switch.keypad(digit)
        if change is not None:
            self._apply(change)
        return digit in self.switch_keys()

    def switch_keys(self) -> set[str]:
        return {str(index + 1) for index in range(len(self.switch.enabled))} if len(self.switch.enabled) > 1 else set()

    def _apply(self, change: LanguageChange) -> None:
        self.switch.apply(change)
        language, voice = change.to_language, self.voice_for(change.to_language)
        self._dialogue.language = language
        self._voice.speech = dataclasses.replace(self._voice.speech, voice=voice)
        record = self._transcript.record
        record.language = language
        now = self._voice.speech.stream_ms()
        # The language log: a system line in the transcript, which the console and the call page show.
        note = (
            f"Language: {LANGUAGE_NAMES.get(change.from_language, change.from_language)} → "
            f"{LANGUAGE_NAMES.get(language, language)} ({change.reason}"
            + (f", {change.probability:.2f}" if change.reason == "detected" else "")
            + f", caller turn {change.turn + 1})"
        )
        self._transcript.add("system", note, start_ms=now, end_ms=now)
        self._services.events.publish(
            {
                "type": "language_switched",
                "call_sid": record.call_sid,
                "business_id": record.business_id,
                "from": change.from_language,
                "to": language,
                "reason": change.reason,
                "probability": change.probability,
            }
        )
        log.info(
            "call language switched",
            extra={"call_sid": record.call_sid, "language": language, "reason": change.reason},
        )
        if self._on_change is not None:
            self._on_change(language, voice)
