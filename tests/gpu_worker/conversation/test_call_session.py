"""The call session with fake model stages on a virtual clock (inbound audio is the clock).

GIVEN a seeded demo business and a Twilio line in memory, WHEN the caller speaks, pauses, talks over
the agent, stays silent, presses keys or hangs up, THEN the caller hears what a person would expect.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from typing import Any

import pytest

from gpu_worker.after_call.call_record import CallRecord
from gpu_worker.conversation.call_session import WorkerServices
from gpu_worker.models.stages import ModelSet
from gpu_worker.routes.live_events import LiveEvents
from gpu_worker.telephony.voice_output import PhraseCache
from shared.database import Database
from shared.demo_business import DEMO_BUSINESS_ID, DEMO_GREETING
from shared.repositories import businesses, call_legs, prompts
from shared.settings import Settings
from shared.signatures import issue_stream_token
from tests.gpu_worker.fake_stages import SILENCE, SPEECH, FakeLlm, FakeStt, FakeTts, fake_models
from tests.gpu_worker.twilio_line import CALL_SID, TwilioLine, settle

OFF_SCRIPT = "Do you guarantee your work?"  # a question the definition's facts don't answer: the LLM does


@pytest.fixture
async def seeded(db: Database) -> Database:
    await businesses.create_business(
        db, business_id=DEMO_BUSINESS_ID, name="Demo Plumbing Co", owner_phone="+15550109999"
    )
    await prompts.add_prompt_version(
        db,
        business_id=DEMO_BUSINESS_ID,
        mode="demo",
        system_prompt="You answer for Demo Plumbing Co.",
        greeting=DEMO_GREETING,
    )
    return db


class Harness:
    def __init__(self, settings: Settings, db: Database, models: ModelSet) -> None:
        self.finished: list[CallRecord] = []
        self.models = models
        self.line = TwilioLine()

        async def database() -> Database:
            return db

        self.services = WorkerServices(
            settings=settings,
            models=models,
            phrases=PhraseCache(tts=models.tts),
            events=LiveEvents(),
            database=database,
            finish_call=self.finished.append,
            flood_tolerance_ms=10**9,
        )
        self.settings = settings

    async def start(self, *, token: str | None = None, parameters: dict[str, str] | None = None) -> None:
        """Open the stream and wait (bounded) until the session has answered: greeting sent, or closed.

        The database is real and answers from a thread, so this waits on the clock, not only on the loop.
        """
        self._open(token, parameters or {})
        deadline = asyncio.get_running_loop().time() + 5
        while not self.line.events("media") and not (self.line.session_task and self.line.session_task.done()):
            assert asyncio.get_running_loop().time() < deadline, "the session never answered"
            await asyncio.sleep(0.005)

    def _open(self, token: str | None, parameters: dict[str, str]) -> None:
        self.line.start(
            self.services,
            {
                "token": token or issue_stream_token(secret=self.settings.dashboard_webhook_secret, call_sid=CALL_SID),
                "call_sid": CALL_SID,
                "business_id": DEMO_BUSINESS_ID,
                "from": "+15555550123",
                "to": "+15550100001",
                "mode": "demo",
                **parameters,
            },
        )

    async def say(self, ms: int, *, then_silence_ms: int = 1000) -> None:
        await self.line.frames(SPEECH, ms // 20)
        await self.line.frames(SILENCE, then_silence_ms // 20)

    async def converse(self, turns: int) -> None:
        """Open the call, then up to `turns` caller turns, each heard through to the agent's answer (or the
        agent's hang-up)."""
        await self.start()
        await self.wait_until_played()
        for _ in range(turns):
            await self.say(900)
            await self.wait_until_played()
            if self.line.closed_code is not None:
                break

    async def wait_until_played(self, max_ms: int = 20_000) -> None:
        await self.line.frames(SILENCE, 1)
        waited = 0
        while self.line.buffered_frames and waited < max_ms:
            await self.line.frames(SILENCE, 1)
            waited += 20

    async def wait_closed(self, max_s: float = 5.0) -> None:
        """Until the agent closes the stream (bounded). Its hang-up first writes to the real database, from a
        thread, so this waits on the clock, not only on the loop."""
        deadline = asyncio.get_running_loop().time() + max_s
        while self.line.closed_code is None:
            if asyncio.get_running_loop().time() > deadline:
                return  # the assertions that follow say what went wrong
            await asyncio.sleep(0.005)

    async def end(self) -> CallRecord:
        if self.line.closed_code is None:
            self.line.stop()
        assert self.line.session_task is not None
        await asyncio.wait_for(self.line.session_task, timeout=10)
        assert len(self.finished) == 1
        return self.finished[0]

    def agent_lines(self) -> list[dict[str, Any]]:
        return [e.model_dump() for e in self.finished[0].transcript if e.speaker == "agent"] if self.finished else []


@pytest.fixture
async def harness_factory(settings: Settings, seeded: Database) -> AsyncIterator[Any]:
    made: list[Harness] = []

    def make(*, caller_lines: Sequence[str], replies: Sequence[str] = (), **options: Any) -> Harness:
        harness = Harness(settings, seeded, fake_models(caller_lines=caller_lines, replies=replies, **options))
        made.append(harness)
        return harness

    yield make
    for harness in made:
        if harness.line.session_task and not harness.line.session_task.done():
            harness.line.session_task.cancel()


async def test_greeting_is_sent_before_the_caller_says_anything(harness_factory: Any) -> None:
    # GIVEN a call WHEN the stream starts
    harness = harness_factory(caller_lines=[])
    await harness.start()
    await settle()
    # THEN the greeting's audio and its mark are already on the line
    assert len(harness.line.events("media")) > 20
    assert harness.line.events("mark")
    record = await harness.end()
    assert record.transcript[0].speaker == "agent"
    assert record.transcript[0].text == DEMO_GREETING


async def test_a_caller_turn_gets_one_streamed_reply_with_latency_recorded(harness_factory: Any) -> None:
    harness = harness_factory(
        caller_lines=["My kitchen sink is leaking."], replies=["Sorry to hear that. What is your name?"]
    )
    await harness.start()
    await harness.wait_until_played()
    media_before = len(harness.line.events("media"))
    # WHEN the caller speaks for a second and pauses
    await harness.say(1000)
    await harness.wait_until_played()
    # THEN the agent answered once, with audio, and the turn's latency is recorded
    assert len(harness.line.events("media")) > media_before
    record = await harness.end()
    speakers = [(e.speaker, e.text) for e in record.transcript]
    assert ("caller", "My kitchen sink is leaking.") in speakers
    assert any(s == "agent" and "name" in t.lower() for s, t in speakers)
    assert len(record.latency) == 1
    assert record.latency[0].voice_to_voice_ms >= 0
    stt = harness.models.stt
    assert isinstance(stt, FakeStt)
    assert stt.calls == 1


async def test_barge_in_clears_audio_and_keeps_only_what_was_heard(harness_factory: Any) -> None:
    long_reply = "I understand. " + " ".join(["The plumber will need a few details from you first, okay."] * 6)
    harness = harness_factory(
        caller_lines=["My water heater is broken.", OFF_SCRIPT, "Wait, it is actually the boiler."],
        replies=[long_reply, "Got it, the boiler."],
    )
    await harness.start()
    await harness.wait_until_played()
    await harness.say(800)
    await harness.wait_until_played()
    # (an off-script question: the LLM answers it at length)
    await harness.say(800, then_silence_ms=400)
    # WHEN, well into the agent's long reply, the caller talks over it for over 300 ms
    await harness.line.frames(SILENCE, 80)
    clears_before = len(harness.line.events("clear"))
    await harness.say(600, then_silence_ms=1000)
    # THEN Twilio was told to clear, and the agent's line in the transcript is cut to what was heard
    assert len(harness.line.events("clear")) == clears_before + 1
    await harness.wait_until_played()
    record = await harness.end()
    interrupted = [e for e in record.transcript if e.speaker == "agent" and e.interrupted]
    assert interrupted
    assert len(interrupted[0].text) < len(long_reply)
    assert any(e.speaker == "caller" and "boiler" in e.text for e in record.transcript)


async def test_a_backchannel_does_not_derail_the_agent(harness_factory: Any) -> None:
    reply = "Thanks. " + " ".join(["The plumber will call you back soon about this."] * 5)
    harness = harness_factory(caller_lines=["My toilet keeps running all night.", OFF_SCRIPT, "mm-hm"], replies=[reply])
    await harness.start()
    await harness.wait_until_played()
    await harness.say(800)
    await harness.wait_until_played()
    await harness.say(800, then_silence_ms=400)
    await harness.line.frames(SILENCE, 30)
    llm = harness.models.llm
    assert isinstance(llm, FakeLlm)
    requests_before = len(llm.requests)
    # WHEN the caller says "mm-hm" over the agent
    await harness.say(400, then_silence_ms=1000)
    await harness.wait_until_played()
    # THEN the agent was never cut (no `clear`), no new reply was generated and the reply was played to
    # its end, not marked interrupted
    assert not harness.line.events("clear")
    assert len(llm.requests) == requests_before
    record = await harness.end()
    agent = [e for e in record.transcript if e.speaker == "agent"]
    assert not any(e.interrupted for e in agent)
    assert agent[-1].text.endswith("about this. Could I get your name, please?")


async def test_silence_gets_a_reprompt_then_a_goodbye(harness_factory: Any) -> None:
    harness = harness_factory(caller_lines=[])
    await harness.start()
    await harness.wait_until_played()
    # WHEN the caller says nothing for twenty seconds
    await harness.line.frames(SILENCE, 9000 // 20)
    await harness.wait_until_played()
    await harness.line.frames(SILENCE, 9000 // 20)
    await harness.wait_until_played()
    await harness.wait_closed()
    # THEN the agent asked if they were there, then said goodbye and hung up
    record = await harness.end()
    agent = [e.text.lower() for e in record.transcript if e.speaker == "agent"]
    assert len(agent) >= 3
    assert "goodbye" in agent[-1] or "bye" in agent[-1]
    assert record.end_reason in {"agent_completed", "silence"}
    assert harness.line.closed_code == 1000


async def test_hanging_up_mid_reply_ends_the_session_cleanly(harness_factory: Any) -> None:
    harness = harness_factory(caller_lines=["My toilet is overflowing."], replies=["One moment " * 30], delay_s=0.01)
    await harness.start()
    await harness.wait_until_played()
    await harness.say(800, then_silence_ms=700)  # the turn's end (its words ~200 ms after the pause), a reply
    # WHEN the caller hangs up while the reply is still streaming
    harness.line.stop()
    record = await harness.end()
    # THEN the call is reported as hung up, and the model's stream was closed
    assert record.end_reason == "caller_hung_up"
    llm = harness.models.llm
    assert isinstance(llm, FakeLlm)
    assert any(e.speaker == "caller" for e in record.transcript)


async def test_dtmf_zero_is_kept_and_answered(harness_factory: Any) -> None:
    harness = harness_factory(caller_lines=[])
    await harness.start()
    await harness.wait_until_played()
    # WHEN the caller presses 0
    harness.line.dtmf("0")
    await harness.line.frames(SILENCE, 10)
    await harness.wait_until_played()
    record = await harness.end()
    # THEN the digit is in the transcript and the agent promises a call back from a person
    assert record.dtmf == "0"
    assert any(e.speaker == "dtmf" and e.text == "0" for e in record.transcript)
    assert any(e.speaker == "agent" and "call you back" in e.text.lower() for e in record.transcript)


async def test_a_model_failure_is_spoken_as_a_fallback_not_silence(harness_factory: Any) -> None:
    # GIVEN a language model that fails on every request
    harness = harness_factory(caller_lines=["Hello, my drain is clogged.", OFF_SCRIPT], fail=True)
    await harness.start()
    await harness.wait_until_played()
    await harness.say(800)
    await harness.wait_until_played()
    # WHEN the caller asks something only the LLM would answer
    await harness.say(800)
    await harness.wait_until_played()
    record = await harness.end()
    # THEN the caller still hears the agent carry on (the next question), not silence
    agent = [e.text for e in record.transcript if e.speaker == "agent"]
    assert len(agent) == 3
    assert agent[-1] == "Could I get your name, please?"


async def test_a_bad_stream_token_is_refused_without_a_greeting(harness_factory: Any) -> None:
    harness = harness_factory(caller_lines=[])
    await harness.start(token="forged.token")
    assert harness.line.session_task is not None
    await asyncio.wait_for(harness.line.session_task, timeout=5)
    assert harness.line.closed_code == 1008
    assert not harness.line.events("media")
    assert not harness.finished


async def test_hostile_frames_are_ignored_and_the_call_goes_on(harness_factory: Any) -> None:
    harness = harness_factory(caller_lines=["My pipe burst."], replies=["Please turn off the water."])
    await harness.start()
    await settle()
    # WHEN junk arrives: non-JSON, binary, unknown events, bad base64, another stream's media, 1 MB
    for junk in (
        "not json",
        b"\x00\x01",
        '{"event":"bogus"}',
        '{"event":"media","streamSid":"MZ'
        + "0" * 32
        + '","media":{"payload":"@@@","chunk":"1","timestamp":"1","track":"inbound"}}',
        '{"event":"media","streamSid":"MZother","media":{"payload":"AA==","chunk":"1","timestamp":"1"}}',
        "x" * 1_000_000,
    ):
        harness.line.send_raw(junk)
    await settle()
    await harness.wait_until_played()
    await harness.say(800)
    await harness.wait_until_played()
    # THEN the caller is still answered
    record = await harness.end()
    assert any(e.speaker == "caller" and "burst" in e.text for e in record.transcript)
    tts = harness.models.tts
    assert isinstance(tts, FakeTts)
    assert any("water" in t for t in tts.texts)


async def test_the_agent_reads_back_and_ends_the_call_when_everything_is_gathered(
    harness_factory: Any, seeded: Database
) -> None:
    # GIVEN a caller who answers every question in turn, on the call's first media stream
    await call_legs.start_leg(seeded, call_sid=CALL_SID, leg=1, worker_id="local")
    harness = harness_factory(
        caller_lines=[
            "A pipe burst and my kitchen is flooding.",
            "My name is Maria Lopez.",
            "42 Oak Street, Springfield.",
            "Yes, this number is fine.",
            "Yes, that's right.",
        ],
        replies=[
            "I'm sorry. What is your name?",
            "Thanks Maria. What is the address?",
            "Got it. Is this the best number?",
            "Thanks.",
        ],
    )
    await harness.converse(turns=5)
    await harness.wait_closed()
    # THEN the agent read the details back, said goodbye and closed the stream itself
    record = await harness.end()
    agent = [e.text for e in record.transcript if e.speaker == "agent"]
    assert any("Maria" in text and "Oak" in text for text in agent), agent
    assert "bye" in agent[-1].lower()
    assert record.end_reason == "agent_completed"
    assert harness.line.closed_code == 1000
    # AND the leg was marked completed before the close, so Twilio's <Connect action> gets a hang-up
    [leg] = await call_legs.list_legs(seeded, CALL_SID)
    assert leg.outcome == "agent_completed"
    # AND the report carries the definition's fields as the agent confirmed them
    fields = {field.name: field for field in record.to_report().fields}
    assert fields["name"].value == "Maria Lopez"
    assert fields["name"].status == "confirmed"
    assert "Oak" in fields["address"].value
    assert fields["callback"].value == "+15555550123"


async def test_a_visible_problem_gets_a_photo_link_texted_during_the_call(harness_factory: Any) -> None:
    # GIVEN a call whose functions may or may not be reachable (the text goes out in the background)
    harness = harness_factory(
        caller_lines=["Water is leaking through my ceiling."], replies=["Oh no. What's your name?"]
    )
    await harness.start()
    await harness.wait_until_played()
    # WHEN the caller describes a leak
    await harness.say(900)
    await harness.wait_until_played()
    record = await harness.end()
    # THEN the agent tells them a photo link is on its way, once, and the call carries on regardless
    agent = " ".join(e.text for e in record.transcript if e.speaker == "agent")
    assert agent.count("link where you can send us photos") == 1


async def test_scripted_questions_answer_without_waiting_for_the_language_model(harness_factory: Any) -> None:
    # GIVEN the CPU default's policy: questions for missing details are spoken word for word
    harness = harness_factory(caller_lines=["My toilet is overflowing.", "My name is Sam Reed."])
    await harness.start()
    await harness.wait_until_played()
    # WHEN the caller states the problem and then their name
    await harness.say(900)
    await harness.wait_until_played()
    await harness.say(900)
    await harness.wait_until_played()
    record = await harness.end()
    # THEN each answer got the next question, and the LLM only ever saw the prompt-cache warm-up
    agent = [e.text for e in record.transcript if e.speaker == "agent"]
    assert "name" in agent[1].lower()
    assert "Sam" in agent[2]
    assert "address" in agent[2].lower()
    llm = harness.models.llm
    assert isinstance(llm, FakeLlm)
    assert all(len(request) <= 3 for request in llm.requests)


async def test_an_invented_price_is_never_spoken(harness_factory: Any) -> None:
    # GIVEN a model that makes up a price and a phone number
    harness = harness_factory(
        caller_lines=["My kitchen drain is clogged."], replies=["That will cost $150. Call 555-123-4567."]
    )
    await harness.start()
    await harness.wait_until_played()
    await harness.say(900)
    await harness.wait_until_played()
    record = await harness.end()
    # THEN the caller hears the policy's question instead of the invention
    reply = [e.text for e in record.transcript if e.speaker == "agent"][1]
    assert "$" not in reply
    assert "555" not in reply
    assert reply.endswith("?")


async def test_a_caller_who_only_paused_mid_sentence_gets_one_answer_to_the_whole_sentence(
    harness_factory: Any,
) -> None:
    # GIVEN a caller who pauses after "I'm at 42 Oak Street." long enough for the turn to end
    harness = harness_factory(
        caller_lines=[
            "My name is Sam Reed.",
            "I'm at 42 Oak Street.",
            "in Springfield.",
            "I'm at 42 Oak Street. in Springfield.",
        ]
    )
    await harness.start()
    await harness.wait_until_played()
    await harness.say(900)
    await harness.wait_until_played()
    await harness.say(700, then_silence_ms=600)  # the turn ends once the pause's words are in (~400 ms)
    # WHEN they carry on at once, over the start of the agent's answer
    await harness.say(700)
    await harness.wait_until_played()
    record = await harness.end()
    # THEN the two halves are one caller turn, and the agent answered the whole of it
    callers = [e.text for e in record.transcript if e.speaker == "caller"]
    assert callers[-1] == "I'm at 42 Oak Street. in Springfield."
    assert "I'm at 42 Oak Street." not in callers
    agent = [e.text for e in record.transcript if e.speaker == "agent" and e.text]
    assert "number" in agent[-1].lower()  # the address was taken; the callback number comes next


async def test_a_pause_after_an_unfinished_sentence_does_not_end_the_turn(harness_factory: Any) -> None:
    # GIVEN a turn model that calls every pause the end of the turn (as Smart Turn does on phone audio)
    harness = harness_factory(
        caller_lines=["My name is Sam Reed.", "I'm at 42 Oak Street,", "I'm at 42 Oak Street, in Springfield."]
    )
    await harness.start()
    await harness.wait_until_played()
    await harness.say(900)
    await harness.wait_until_played()
    replies_before = len(harness.line.events("mark"))
    # WHEN the caller pauses after "I'm at 42 Oak Street," and then goes on
    await harness.say(700, then_silence_ms=400)
    # THEN the agent has not started talking over them
    assert len(harness.line.events("mark")) == replies_before
    await harness.say(700)
    await harness.wait_until_played()
    record = await harness.end()
    # AND the whole sentence is one caller turn, answered once, without anything cleared
    callers = [e.text for e in record.transcript if e.speaker == "caller"]
    assert callers[-1] == "I'm at 42 Oak Street, in Springfield."
    assert not harness.line.events("clear")
    agent = [e.text for e in record.transcript if e.speaker == "agent"]
    assert "number" in agent[-1].lower()


async def test_a_reply_planned_during_the_pause_is_the_one_played(harness_factory: Any) -> None:
    # GIVEN a turn model that answers only after several more silent frames have arrived
    harness = harness_factory(caller_lines=["My toilet is overflowing.", "My name is Sam Reed."])
    await harness.start()
    await harness.wait_until_played()
    # WHEN the caller says two things, one turn each
    for _ in range(2):
        await harness.say(900)
        await harness.wait_until_played()
    record = await harness.end()
    # THEN each reply was the one prepared during the pause: one transcription per turn, none repeated
    assert [turn.speculation_adopted for turn in record.latency] == [True, True]
    assert [turn.reply_kind for turn in record.latency] == ["scripted", "scripted"]
    stt = harness.models.stt
    assert isinstance(stt, FakeStt)
    assert stt.calls == 2


async def test_a_safety_line_the_caller_talked_over_is_said_again_in_full_first(harness_factory: Any) -> None:
    # GIVEN a caller who smells gas (the agent's voice is slow enough that they talk over the safety line)
    harness = harness_factory(caller_lines=["I smell gas in the kitchen.", "My name is Sam Reed."], tts_word_s=0.15)
    await harness.start()
    await harness.wait_until_played()
    await harness.say(900, then_silence_ms=300)
    # WHEN, well into the gas line (past the moment a caller could still be finishing their sentence, and
    # long enough before its end that their words are judged while it still plays), they talk over it
    await harness.line.frames(SILENCE, 70)
    await harness.say(900)
    await harness.wait_until_played()
    record = await harness.end()
    # THEN the line they cut off is said again, in full, before anything else
    gas = "If you smell gas, please leave the house now and call your gas company or 911 from outside."
    agent = [e for e in record.transcript if e.speaker == "agent"]
    assert agent[1].interrupted
    assert not agent[1].text.startswith(gas)
    assert agent[-1].text.startswith(gas)
    assert "Sam" in agent[-1].text


async def test_a_short_real_interruption_stops_the_agent_once_its_words_are_heard(harness_factory: Any) -> None:
    long_reply = "Sure. " + " ".join(["The plumber will need a few details from you first, okay."] * 6)
    harness = harness_factory(
        caller_lines=["My toilet keeps running all night.", OFF_SCRIPT, "Wait, stop."], replies=[long_reply]
    )
    await harness.start()
    await harness.wait_until_played()
    await harness.say(800)
    await harness.wait_until_played()
    await harness.say(800, then_silence_ms=400)
    await harness.line.frames(SILENCE, 80)
    # WHEN, well into the answer, the caller says two quick words over the agent (too short for the length rule)
    await harness.say(360, then_silence_ms=0)
    assert not harness.line.events("clear")
    await harness.line.frames(SILENCE, 20)  # the pause (160 ms) and its transcript (~200 ms), not the turn's end
    # THEN their words at the pause stop the agent, before the turn is even over
    assert len(harness.line.events("clear")) == 1
    await harness.line.frames(SILENCE, 40)
    await harness.wait_until_played()
    record = await harness.end()
    assert any(e.speaker == "agent" and e.interrupted for e in record.transcript)
    assert any(e.speaker == "caller" and e.text == "Wait, stop." for e in record.transcript)


async def test_the_callers_own_number_question_is_synthesized_while_the_greeting_plays(harness_factory: Any) -> None:
    # GIVEN a call from +1 555 555 0123 WHEN the greeting starts, before the caller says anything
    harness = harness_factory(caller_lines=[])
    await harness.start()
    await harness.line.frames(SILENCE, 25)
    await settle()
    # THEN the caller-ID question with this caller's last four digits is already made (never mid-reply)
    said = harness.models.tts.texts
    assert any("ending in 0 1 2 3" in text for text in said), said
    await harness.end()
