"""Which agent a call runs: the business's own for a call to it, the campaign's pinned one for a call we
placed, found from the signed call sid (never from a stream parameter).

GIVEN a plumbing business (its receptionist answers its line) that runs a gym survey campaign, WHEN a
stream starts for an answered campaign call, THEN the callee hears the gym survey; a stream whose
parameters do not match its call's campaign, or a call we placed that is no campaign's, is refused
before anything is said, and a call to the business at the same time is answered as ever.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass

import pytest

from gpu_worker.after_call.call_record import CallRecord
from gpu_worker.conversation.business_config import CampaignAgentRefused, lines_to_prepare, load_business_config
from gpu_worker.conversation.call_session import CallSession, WorkerServices
from gpu_worker.routes.live_events import LiveEvents
from gpu_worker.telephony.voice_output import PhraseCache
from shared.agents.business_definition import from_template
from shared.database import Database
from shared.outbound import call_jobs, campaigns
from shared.outbound.calling_rules import CallingHours
from shared.repositories import agent_definitions, businesses, calls
from shared.settings import Settings
from shared.signatures import issue_stream_token
from tests.gpu_worker.fake_stages import SILENCE, FakeLlm, fake_models
from tests.gpu_worker.twilio_line import STREAM_SID, TwilioLine

GYM_CALL = "CA" + "a" * 32
INBOUND_CALL = "CA" + "b" * 32
DISCLOSURE = "automated call on behalf of Bob's Plumbing"
GYM_QUESTION = "what are your opening hours"
RECEPTIONIST = "Thanks for calling Bob's Plumbing"


@dataclass(frozen=True)
class World:
    db: Database
    plumber: str
    gym_campaign: campaigns.Campaign
    other_business: str
    other_campaign: campaigns.Campaign


async def _answered(db: Database, campaign: campaigns.Campaign, number: str, call_sid: str) -> None:
    """What the functions do when a campaign's callee picks up: the job gets the sid, the call its row."""
    await campaigns.add_numbers(db, campaign, [(number, "")])
    job = next(j for j in await call_jobs.list_jobs(db, campaign.id) if j.to_number == number)
    await call_jobs.attach_call(db, job.id, call_sid)
    await calls.create_call(
        db,
        call_sid=call_sid,
        from_number=campaign.from_number,
        to_number=number,
        business_id=campaign.business_id,
        status="in-progress",
        direction="outbound",
    )


@pytest.fixture
async def world(db: Database) -> World:
    plumber = await businesses.create_business(db, name="Bob's Plumbing", owner_phone="+12125550100")
    await agent_definitions.save_definition(db, plumber.id, from_template("plumbing"), "test")
    gym_campaign = await campaigns.create_campaign(
        db,
        business_id=plumber.id,
        name="gyms near the shop",
        from_number="+12125550100",
        hours=CallingHours(0, 1440),
        agent=from_template("gym_information"),
    )
    clinic = await businesses.create_business(db, name="Riverside Surgery", owner_phone="+13125550100")
    other_campaign = await campaigns.create_campaign(
        db,
        business_id=clinic.id,
        name="pre-op reminders",
        from_number="+13125550100",
        hours=CallingHours(0, 1440),
        agent=from_template("preop_reminder"),
    )
    await _answered(db, gym_campaign, "+12125550101", GYM_CALL)
    return World(db, plumber.id, gym_campaign, clinic.id, other_campaign)


async def test_a_campaign_call_runs_the_campaigns_agent_and_a_call_to_the_business_its_own(world: World) -> None:
    # WHEN the worker loads what the answered campaign call runs, and what a call to the business runs
    placed = await load_business_config(world.db, business_id=world.plumber, mode="live", call_sid=GYM_CALL)
    answered = await load_business_config(world.db, business_id=world.plumber, mode="live", call_sid=INBOUND_CALL)
    # THEN the campaign call asks the gym questions, at the version the campaign pinned
    assert placed.definition.name == "Gym information survey"
    assert [f.name for f in placed.definition.fields] == ["hours", "day_pass_price", "classes", "drop_in"]
    assert placed.agent_version == world.gym_campaign.agent_version == 1
    # AND the business's own line still answers as its plumbing receptionist
    assert answered.definition.direction == "inbound"
    assert "problem" in {f.name for f in answered.definition.fields}


async def test_a_campaign_keeps_the_agent_it_was_made_with_when_the_business_edits_its_own(db: Database) -> None:
    # GIVEN a gym business whose own (outbound) agent a campaign was made with, and a call of it answered
    gym = await businesses.create_business(db, name="FitFinder", owner_phone="+12125550100")
    await agent_definitions.save_definition(db, gym.id, from_template("gym_information"), "test")
    campaign = await campaigns.create_campaign(
        db, business_id=gym.id, name="gyms", from_number="+12125550100", hours=CallingHours(0, 1440)
    )
    await _answered(db, campaign, "+12125550101", GYM_CALL)
    # WHEN the business then makes its own agent the pre-op reminder
    await agent_definitions.save_definition(db, gym.id, from_template("preop_reminder"), "test")
    config = await load_business_config(db, business_id=gym.id, mode="live", call_sid=GYM_CALL)
    # THEN the campaign's call still asks about the gym, as version 1
    assert (config.definition.name, config.agent_version) == ("Gym information survey", 1)


async def test_a_stream_naming_another_business_or_a_call_with_no_campaign_is_refused(world: World) -> None:
    # GIVEN a stream for the gym call whose business parameter was changed to the clinic's
    with pytest.raises(CampaignAgentRefused, match="not campaign"):
        await load_business_config(world.db, business_id=world.other_business, mode="live", call_sid=GYM_CALL)
    # AND a call we placed that is no campaign's job
    await calls.create_call(
        world.db,
        call_sid="CA" + "c" * 32,
        from_number="+12125550100",
        to_number="+12125550199",
        business_id=world.plumber,
        direction="outbound",
    )
    with pytest.raises(CampaignAgentRefused, match="no campaign's job"):
        await load_business_config(world.db, business_id=world.plumber, mode="live", call_sid="CA" + "c" * 32)


async def test_a_campaign_whose_agent_is_gone_is_refused_not_answered_by_another(world: World) -> None:
    # GIVEN the campaign's pinned version no longer exists (a hand-edited database)
    await world.db.execute("UPDATE outbound_campaigns SET agent_version = 99 WHERE id = ?", (world.gym_campaign.id,))
    with pytest.raises(CampaignAgentRefused, match="is gone"):
        await load_business_config(world.db, business_id=world.plumber, mode="live", call_sid=GYM_CALL)


async def test_an_unfinished_campaigns_lines_are_prepared_before_its_first_call(world: World) -> None:
    # GIVEN the gym campaign paused (it will resume) THEN the worker prepares its opening with the receptionist's
    await campaigns.set_status(world.db, world.gym_campaign.id, "paused")
    phrases = {text for text, _, _ in await lines_to_prepare(world.db, llm=FakeLlm())}
    assert any(DISCLOSURE in text and GYM_QUESTION in text.lower() for text in phrases)
    assert any(RECEPTIONIST in text for text in phrases)
    # WHEN it has finished THEN its lines are no longer made
    await campaigns.set_status(world.db, world.gym_campaign.id, "finished")
    phrases = {text for text, _, _ in await lines_to_prepare(world.db, llm=FakeLlm())}
    assert not any(DISCLOSURE in text for text in phrases)


class Line(TwilioLine):
    """One media stream for `call_sid` (TwilioLine's calls all share one sid)."""

    def __init__(self, call_sid: str) -> None:
        super().__init__()
        self.call_sid = call_sid

    def start(self, services: WorkerServices, parameters: dict[str, str]) -> None:
        start: dict[str, object] = {"streamSid": STREAM_SID, "accountSid": "AC" + "0" * 32, "callSid": self.call_sid}
        start |= {"tracks": ["inbound"], "customParameters": parameters}
        start["mediaFormat"] = {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1}
        self.inbound.put_nowait(json.dumps({"event": "connected", "protocol": "Call", "version": "1.0.0"}))
        self.inbound.put_nowait(
            json.dumps({"event": "start", "sequenceNumber": "1", "streamSid": STREAM_SID, "start": start})
        )
        self.session_task = asyncio.create_task(CallSession(services=services, socket=self).run())

    def hang_up(self) -> None:
        self.inbound.put_nowait(
            json.dumps({"event": "stop", "streamSid": STREAM_SID, "stop": {"callSid": self.call_sid}})
        )


@pytest.fixture
async def services(settings: Settings, world: World) -> tuple[WorkerServices, list[CallRecord]]:
    finished: list[CallRecord] = []
    models = fake_models(caller_lines=[], tts_word_s=0.06)

    async def database() -> Database:
        return world.db

    return (
        WorkerServices(
            settings=settings,
            models=models,
            phrases=PhraseCache(tts=models.tts),
            events=LiveEvents(),
            database=database,
            finish_call=finished.append,
            flood_tolerance_ms=10**9,
        ),
        finished,
    )


def _parameters(settings: Settings, call_sid: str, business_id: str, **extra: str) -> dict[str, str]:
    token = issue_stream_token(secret=settings.dashboard_webhook_secret, call_sid=call_sid)
    return {"token": token, "call_sid": call_sid, "business_id": business_id, "mode": "live", **extra}


async def _answered_or_closed(line: Line) -> None:
    """Until the session has sent its first audio or closed the stream (the real database answers from a
    thread, so this waits on the clock, bounded)."""
    deadline = asyncio.get_running_loop().time() + 10
    while not line.events("media") and line.closed_code is None:
        assert asyncio.get_running_loop().time() < deadline, "the session neither spoke nor closed"
        await asyncio.sleep(0.01)


async def _hang_up(line: Line) -> None:
    await line.frames(SILENCE, 5)
    line.hang_up()
    assert line.session_task is not None
    await asyncio.wait_for(line.session_task, timeout=10)


def _said(record: CallRecord) -> str:
    return " ".join(entry.text for entry in record.transcript if entry.speaker == "agent")


async def test_a_campaign_streams_start_speaks_the_campaigns_agent(
    settings: Settings, world: World, services: tuple[WorkerServices, list[CallRecord]]
) -> None:
    worker, finished = services
    # GIVEN the answered gym call's stream (its campaign_id parameter is not what picks the agent)
    line = Line(GYM_CALL)
    parameters = _parameters(settings, GYM_CALL, world.plumber, direction="outbound")
    line.start(worker, parameters | {"campaign_id": world.other_campaign.id})
    await _answered_or_closed(line)
    await _hang_up(line)
    # THEN the callee hears the disclosure and the first gym question, not the plumber's receptionist
    [record] = finished
    assert DISCLOSURE in _said(record)
    assert GYM_QUESTION in _said(record).lower()
    assert RECEPTIONIST not in _said(record)
    assert (record.definition.name if record.definition else "", record.agent_version) == (
        "Gym information survey",
        1,
    )


async def test_a_tampered_stream_is_refused_while_a_call_to_the_business_goes_on(
    settings: Settings, world: World, services: tuple[WorkerServices, list[CallRecord]]
) -> None:
    worker, finished = services
    # GIVEN a caller already talking to the plumber's receptionist
    inbound = Line(INBOUND_CALL)
    inbound.start(worker, _parameters(settings, INBOUND_CALL, world.plumber))
    await _answered_or_closed(inbound)
    # WHEN the gym call's stream arrives naming the clinic (to run the clinic's agent on it)
    tampered = Line(GYM_CALL)
    parameters = _parameters(settings, GYM_CALL, world.other_business, direction="outbound")
    tampered.start(worker, parameters | {"campaign_id": world.other_campaign.id})
    await _answered_or_closed(tampered)
    # THEN it is refused before a word is said
    assert tampered.closed_code == 1008
    assert not tampered.events("media")
    assert tampered.session_task is not None
    await asyncio.wait_for(tampered.session_task, timeout=10)
    # AND the caller's call goes on and ends as usual, answered by the receptionist
    assert inbound.closed_code is None
    await _hang_up(inbound)
    [record] = finished
    assert record.call_sid == INBOUND_CALL
    assert RECEPTIONIST in _said(record)
    assert record.end_reason == "caller_hung_up"


def test_the_vocabulary_spells_the_business_and_each_person_once() -> None:
    from gpu_worker.conversation.business_config import vocabulary
    from shared.people.directory import Contact, Directory

    people = Directory(
        (
            Contact(name="Dana Whitfield", phone="+15550107701"),
            Contact(name="Accounts", kind="department", aliases=("billing", "Accounts")),
        )
    )
    assert vocabulary("Harbor Street Offices", people) == "Harbor Street Offices. Dana Whitfield, Accounts, billing."
    assert vocabulary("Summit Electric", Directory(())) == "Summit Electric."
