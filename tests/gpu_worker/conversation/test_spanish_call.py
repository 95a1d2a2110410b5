"""A Spanish-speaking caller to the demo plumbing business, through the real call session (fake model
stages on the virtual clock): answered in Spanish from the first reply, read back in Spanish."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

import pytest

from gpu_worker.conversation.business_config import lines_to_prepare
from gpu_worker.models.stages import FloatAudio, ModelSet, SpeechAudio, Transcription
from shared.database import Database
from shared.settings import Settings
from tests.gpu_worker.conversation.test_call_session import Harness, seeded  # noqa: F401  (fixture)
from tests.gpu_worker.fake_stages import SILENCE, FakeLlm, FakeStt, FakeTts, FakeTurn, FakeVad

Turn = tuple[str, str, float] | tuple[str, str, float, str]


class DetectingStt(FakeStt):
    """Answers each turn with its words and the language Whisper would detect, with its confidence; a
    fourth item is what the same audio gives when transcribed again in the call's language."""

    def __init__(self, turns: Sequence[Turn]) -> None:
        super().__init__([turn[0] for turn in turns])
        self.heard = list(turns)
        self.asked: list[str | None] = []
        self._detected: Turn | None = None  # the last detected turn, for a second pass on the same audio

    async def transcribe(
        self,
        audio_16k: FloatAudio,
        *,
        language: str | None = "en",
        candidates: Sequence[str] = (),
        prompt: str | None = None,
    ) -> Transcription:
        self.asked.append(language)
        audio_s = len(audio_16k) / 16000
        if language is not None and self._detected is not None:
            again, self._detected = self._detected, None
            return Transcription(again[3] if len(again) == 4 else again[0], audio_s, 0.001, language, 1.0)
        turn = self.heard.pop(0) if self.heard else ("", "en", 1.0)
        self._detected = turn if language is None else None
        if language is not None:
            return Transcription(turn[0], audio_s, 0.001, language, 1.0)
        return Transcription(turn[0], audio_s, 0.001, turn[1], turn[2])


class VoiceRecordingTts(FakeTts):
    def __init__(self) -> None:
        super().__init__(word_s=0.06)
        self.voices: dict[str, str | None] = {}

    async def synthesize(self, text: str, *, voice: str | None = None) -> SpeechAudio:
        self.voices[text] = voice
        return await super().synthesize(text, voice=voice)


@pytest.fixture
async def spanish_call(settings: Settings, seeded: Database) -> AsyncIterator[Any]:  # noqa: F811
    made: list[Harness] = []

    def make(turns: Sequence[Turn]) -> Harness:
        models = ModelSet(
            stt=DetectingStt(turns), llm=FakeLlm(), tts=VoiceRecordingTts(), vad=FakeVad(), turn=FakeTurn()
        )
        made.append(Harness(settings, seeded, models))
        return made[-1]

    yield make
    for harness in made:
        if harness.line.session_task and not harness.line.session_task.done():
            harness.line.session_task.cancel()


async def test_a_spanish_caller_is_answered_in_spanish_and_hears_the_details_read_back(spanish_call: Any) -> None:
    # GIVEN the demo plumbing business (English first, Spanish enabled) and a caller who speaks Spanish
    harness = spanish_call(
        [
            ("Hola, se me reventó un tubo en la cocina y hay agua por todas partes.", "es", 0.97),
            ("Me llamo José Martínez.", "es", 0.9),
            ("Calle Olmo 42 in Springfield.", "en", 0.6, "Calle Olmo 42, en Springfield."),
            ("Sí, ese número está bien.", "es", 0.95),
            ("Sí, es correcto.", "es", 0.96),
        ]
    )
    # WHEN the call runs to its end
    await harness.converse(turns=5)
    record = await harness.end()
    agent = [e.text for e in record.transcript if e.speaker == "agent"]
    # THEN the greeting was English (nothing was said yet) and every reply after the first turn is Spanish
    assert agent[0].startswith("Thanks for calling")
    replies = agent[1:]
    assert replies, agent
    assert "llave de paso" in replies[0]  # the water safety line, in Spanish, first
    english = ("thanks", "what's", "could i", "got it", "goodbye", "is that right", "the number")
    assert not [r for r in replies if any(word in r.lower() for word in english)], replies
    # AND the details are read back in Spanish, accents kept, and the goodbye is Spanish
    assert any("José Martínez" in r and "Olmo" in r for r in replies), replies
    assert "Adiós" in replies[-1]
    # AND the switch is in the language log, the record and the report; Spanish lines use the Spanish voice
    log = [e.text for e in record.transcript if e.speaker == "system" and e.text.startswith("Language:")]
    assert log == ["Language: English → Spanish (detected, 0.97, caller turn 1)"]
    assert record.to_report().language == "es"
    tts = harness.models.tts
    assert isinstance(tts, VoiceRecordingTts)
    assert {tts.voices[text] for text in tts.voices if "llave de paso" in text} == {"ef_dora"}
    fields = {field.name: field for field in record.to_report().fields}
    assert fields["name"].value == "José Martínez"
    assert fields["urgency"].value == "emergency"


async def test_an_english_caller_saying_okay_first_stays_in_english(spanish_call: Any) -> None:
    # GIVEN a caller whose first word Whisper guesses is Spanish ("okay" is the same in both)
    harness = spanish_call([("Okay.", "es", 0.99), ("My kitchen sink is leaking under the cabinet.", "en", 0.98)])
    await harness.converse(turns=2)
    record = await harness.end()
    # THEN the call never switched and the agent answered in English
    assert not [e for e in record.transcript if e.speaker == "system" and e.text.startswith("Language:")]
    assert record.language == "en"
    stt = harness.models.stt
    assert isinstance(stt, DetectingStt)
    assert stt.asked[:2] == [None, "en"]  # detected; "okay" heard as Spanish is transcribed again in English
    assert stt.asked[2] is None


async def test_pressing_two_answers_in_spanish(spanish_call: Any) -> None:
    # GIVEN the menu "para español, oprima dos" WHEN the caller presses 2 and then speaks
    harness = spanish_call([("Tengo una fuga debajo del fregadero.", "es", 0.6)])
    await harness.start()
    await harness.wait_until_played()
    harness.line.dtmf("2")
    await harness.line.frames(SILENCE, 5)
    await harness.say(900)
    await harness.wait_until_played()
    record = await harness.end()
    # THEN the turn was transcribed in Spanish (not detected) and answered in Spanish
    stt = harness.models.stt
    assert isinstance(stt, DetectingStt)
    assert stt.asked == ["es"]
    assert any(e.speaker == "system" and "keypad" in e.text for e in record.transcript)
    agent = [e.text for e in record.transcript if e.speaker == "agent"][1:]
    # (a leak shows in a photo: the upload link is texted, and the caller is told so in Spanish too)
    assert agent == [
        "Lamento oír eso. ¿Me puede dar su nombre, por favor? "
        "También le he enviado un mensaje con un enlace para mandarnos fotos."
    ]
    assert record.language == "es"


async def test_each_language_s_lines_are_prepared_in_its_own_voice(seeded: Database) -> None:  # noqa: F811
    # GIVEN the demo business (English voice, Spanish enabled) WHEN the worker prepares its lines at start-up
    phrases = await lines_to_prepare(seeded, llm=FakeLlm())
    voices = {text: voice for text, voice, _ in phrases}
    # THEN the greeting and English lines are in the business's voice, the Spanish lines in ef_dora
    assert voices["Le llamaremos para acordar la hora y el precio."] == "ef_dora"
    assert voices["We'll call you back to arrange the time and the price."] == "af_heart"
    assert [whole for _, _, whole in phrases].count(True) == 1
