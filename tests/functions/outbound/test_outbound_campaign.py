"""A gym campaign end to end on loopback: the call queue rings numbers through the twilio SDK pointed at
the simulated Twilio REST API, which plays each callee as Twilio would (signed webhooks, the media stream
to a real worker process with fake stages, async AMD, status callbacks).

GIVEN a business whose agent is the gym_information template and a worker with room, WHEN its campaign
runs, THEN a receptionist's answers come back as fields, a machine gets the voicemail message after the
beep, and a busy line is retried with backoff and then given up. A plumbing business that runs the gym
survey as a campaign's agent gets the same: its callees never hear its receptionist.

The worker's fake language model streams a word every 50 ms (about a small model's pace on a GPU).
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from buddyhelps.simulator.callee_book import Callee, load_book
from buddyhelps.simulator.twilio_api import SimulatedTwilio, create_twilio_api
from buddyhelps.simulator.twilio_webhooks import WebhookTarget
from functions.local_app import create_local_app
from functions.outbound.call_queue import ring_due
from shared.agents.business_definition import from_template
from shared.database import Database, open_database
from shared.outbound import call_jobs, campaigns
from shared.outbound.calling_rules import CallingHours
from shared.outbound.campaign_results import campaign_results_csv
from shared.outbound.results_csv import results_csv
from shared.repositories import agent_definitions, businesses, calls, workers
from shared.settings import Settings, load_settings
from tests.buddyhelps.simulator.twilio_peers import ToneVoice
from tests.functions.conftest import ServedApp
from tests.s3_server import free_port

ROOT = Path(__file__).resolve().parents[3]
AUTH_TOKEN = "0123456789abcdef0123456789abcdef"
ACCOUNT_SID = "AC" + "1" * 32
ALL_DAY = CallingHours(0, 1440)


@dataclass
class Stack:
    settings: Settings
    db: Database
    twilio: SimulatedTwilio
    business_id: str
    plumber_id: str  # a business whose own agent is the plumbing receptionist
    worker: asyncio.subprocess.Process


def _callees() -> dict[str, Callee]:
    return load_book("gym_information").by_number()


BRIEF = _callees()["+12125550101"]
MACHINE = _callees()["+12125550109"]
BUSY = _callees()["+12125550110"]


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:]


async def _start_worker(settings: Settings, worker_url: str, log: Path, heard: list[str]) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "HOST": "127.0.0.1",
        "PORT": worker_url.rsplit(":", 1)[1],
        "BUDDYHELPS_DATA_DIR": str(settings.data_dir),
        "FUNCTIONS_BASE_URL": settings.public_base_url,
        "OUTBOUND_HEARD": json.dumps(heard),
        "OUTBOUND_LLM_WORD_S": "0.05",
        "WORKER_CAPACITY": "4",  # the calls at once the test places; not this machine's measured default
    }
    env.pop("BUDDYHELPS_SECRETS_ARN", None)
    with log.open("wb") as out:
        command = [sys.executable, "-m", "tests.functions.outbound.outbound_worker_process"]
        process = await asyncio.create_subprocess_exec(*command, cwd=ROOT, env=env, stdout=out, stderr=out)
    async with httpx.AsyncClient(timeout=2) as client, asyncio.timeout(120):
        while True:
            assert process.returncode is None, _tail(log)
            try:
                if (await client.get(worker_url + "/health")).status_code == 200:
                    return process
            except httpx.HTTPError:
                pass  # not listening yet
            await asyncio.sleep(0.1)  # another process's start-up: nothing to await but time


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[Stack]:
    functions_port, twilio_port, worker_port = free_port(), free_port(), free_port()
    settings = load_settings(
        BUDDYHELPS_DATA_DIR=tmp_path / "data",
        PUBLIC_BASE_URL=f"http://127.0.0.1:{functions_port}",
        TWILIO_API_BASE_URL=f"http://127.0.0.1:{twilio_port}",
        TWILIO_AUTH_TOKEN=AUTH_TOKEN,
        TWILIO_ACCOUNT_SID=ACCOUNT_SID,
        WORKER_HEALTH_TTL_S="0",
        WORKER_CAPACITY="4",  # the calls at once the test places; not this machine's measured default
    )
    worker_url = f"http://127.0.0.1:{worker_port}"
    db = await open_database(settings.database_url)
    business = await businesses.create_business(
        db, name="FitFinder", owner_phone="+12125550100", owner_email="o@fit.example", timezone="America/New_York"
    )
    await agent_definitions.save_definition(db, business.id, from_template("gym_information"), "test", "gyms")
    plumber = await businesses.create_business(
        db, name="Bob's Plumbing", owner_phone="+12125550100", timezone="America/New_York"
    )
    await agent_definitions.save_definition(db, plumber.id, from_template("plumbing"), "test")
    await workers.register_worker(db, base_url=worker_url, capacity=4)
    target = WebhookTarget(
        functions_url=settings.public_base_url, public_base_url=settings.public_base_url, auth_token=AUTH_TOKEN
    )
    functions = ServedApp(create_local_app(settings), functions_port)
    heard = list(BRIEF.turns)
    worker = await _start_worker(settings, worker_url, tmp_path / "worker.log", heard)
    async with SimulatedTwilio(target=target, account_sid=ACCOUNT_SID, callees=_callees(), voice=ToneVoice()) as twilio:
        api = ServedApp(create_twilio_api(twilio), twilio_port)
        await functions.start()
        await api.start()
        try:
            yield Stack(
                settings=settings, db=db, twilio=twilio, business_id=business.id, plumber_id=plumber.id, worker=worker
            )
        finally:
            await api.stop()
            await functions.stop()
            await functions.app.state.edge.close()
            worker.kill()
            await worker.wait()
            await db.close()


async def _campaign(
    stack: Stack, numbers: list[str], *, plumber_runs_the_gym_survey: bool = False
) -> campaigns.Campaign:
    campaign = await campaigns.create_campaign(
        stack.db,
        business_id=stack.plumber_id if plumber_runs_the_gym_survey else stack.business_id,
        name="gyms nearby",
        from_number="+12125550100",
        hours=ALL_DAY,
        max_attempts=2,
        retry_base_s=1,
        agent=from_template("gym_information") if plumber_runs_the_gym_survey else None,
    )
    queued, rejected = await campaigns.add_numbers(stack.db, campaign, [(n, "") for n in numbers])
    assert (queued, rejected) == (len(numbers), [])
    return campaign


async def _jobs(stack: Stack, campaign: campaigns.Campaign) -> dict[str, call_jobs.CallJob]:
    return {job.to_number: job for job in await call_jobs.list_jobs(stack.db, campaign.id)}


async def _report_stored(db: Database, call_sid: str) -> calls.Call:
    async with asyncio.timeout(60):
        while True:
            call = await calls.get_call_by_sid(db, call_sid)
            if call is not None and call.reported_at:
                return call
            await asyncio.sleep(0.1)  # the worker's outbox posts the report: nothing here to await


async def test_a_receptionists_answers_come_back_as_the_definitions_fields(stack: Stack) -> None:
    # GIVEN a receptionist who says the gym's name on picking up (in the pause before the stream, so the
    # worker hears only the answers) WHEN the campaign rings them
    assert BRIEF.pickup
    campaign = await _campaign(stack, [BRIEF.number])
    assert await ring_due(stack.db, stack.settings, max_concurrent=2) == {"placed": 1, "failed": 0}
    await asyncio.wait_for(stack.twilio.wait_finished(1), timeout=120)
    job = (await _jobs(stack, campaign))[BRIEF.number]
    assert (job.status, job.attempts) == ("completed", 1)
    assert job.call_sid is not None
    call = await _report_stored(stack.db, job.call_sid)
    assert call.direction == "outbound"
    said = " ".join(str(t.get("text", "")) for t in call.transcript if t.get("speaker") in {"agent", "assistant"})
    assert "automated call on behalf of FitFinder" in said
    fields = {f["name"]: f for f in call.fields}
    assert fields["day_pass_price"]["value"] == "15.00 USD"
    assert "11" in fields["hours"]["value"]
    assert "spin" in fields["classes"]["value"].lower()
    assert fields["drop_in"]["value"] == "yes"
    csv_text = results_csv(from_template("gym_information"), [job], {job.call_sid: call})
    [row] = list(csv.DictReader(io.StringIO(csv_text)))
    assert (row["number"], row["job_status"]) == (BRIEF.number, "completed")
    assert (row["day_pass_price"], row["day_pass_price_status"]) == ("15.00 USD", fields["day_pass_price"]["status"])


async def test_a_machine_gets_the_voicemail_and_a_busy_line_is_retried_then_given_up(stack: Stack) -> None:
    campaign = await _campaign(stack, [MACHINE.number, BUSY.number])
    assert await ring_due(stack.db, stack.settings, max_concurrent=2) == {"placed": 2, "failed": 0}
    await asyncio.wait_for(stack.twilio.wait_finished(2), timeout=120)
    jobs = await _jobs(stack, campaign)
    machine_call = stack.twilio.calls[jobs[MACHINE.number].call_sid or ""]
    assert machine_call.answered_by == "machine_end_beep"
    assert "automated call on behalf of FitFinder" in machine_call.message_left
    assert jobs[MACHINE.number].status == "voicemail"
    assert (jobs[BUSY.number].status, jobs[BUSY.number].last_outcome) == ("queued", "busy")
    # WHEN the backoff has passed, the busy number is rung once more, and then given up
    later = datetime.now(UTC) + timedelta(seconds=2)
    assert await ring_due(stack.db, stack.settings, max_concurrent=2, now=later) == {"placed": 1, "failed": 0}
    await asyncio.wait_for(stack.twilio.wait_finished(3), timeout=60)
    busy = (await _jobs(stack, campaign))[BUSY.number]
    assert (busy.status, busy.attempts, busy.last_outcome) == ("gave_up", 2, "busy after 2 attempts")


async def test_a_plumbers_gym_campaign_asks_the_gym_questions_and_reports_gym_fields(stack: Stack) -> None:
    # GIVEN a plumbing business (its own line answers as a plumber's receptionist) running the gym survey
    # as a campaign's agent WHEN the campaign rings a gym's receptionist
    campaign = await _campaign(stack, [BRIEF.number], plumber_runs_the_gym_survey=True)
    assert await ring_due(stack.db, stack.settings, max_concurrent=2) == {"placed": 1, "failed": 0}
    await asyncio.wait_for(stack.twilio.wait_finished(1), timeout=120)
    job = (await _jobs(stack, campaign))[BRIEF.number]
    assert (job.status, job.call_sid is not None) == ("completed", True)
    call = await _report_stored(stack.db, job.call_sid or "")
    # THEN the gym heard the survey on the plumber's behalf, not the plumber's receptionist
    said = " ".join(str(t.get("text", "")) for t in call.transcript if t.get("speaker") in {"agent", "assistant"})
    assert "automated call on behalf of Bob's Plumbing" in said
    assert "Thanks for calling" not in said
    # AND the report carries the gym's answers as the survey's fields, and no plumbing field
    fields = {f["name"]: f for f in call.fields}
    assert set(fields) == {"hours", "day_pass_price", "classes", "drop_in"}
    assert "11" in fields["hours"]["value"]
    assert fields["day_pass_price"]["value"] == "15.00 USD"
    assert "spin" in fields["classes"]["value"].lower()
    # AND the campaign's results CSV has the survey's columns filled
    [row] = list(csv.DictReader(io.StringIO(await campaign_results_csv(stack.db, campaign.id) or "")))
    assert (row["number"], row["day_pass_price"]) == (BRIEF.number, "15.00 USD")
    # AND the plumber's own line is still its receptionist
    own = await agent_definitions.current_definition(stack.db, stack.plumber_id)
    assert own is not None
    assert own.definition.direction == "inbound"


async def test_a_machine_gets_the_campaign_agents_voicemail_not_the_business_s(stack: Stack) -> None:
    # GIVEN the plumber's gym survey campaign WHEN an answering machine picks up
    campaign = await _campaign(stack, [MACHINE.number], plumber_runs_the_gym_survey=True)
    assert await ring_due(stack.db, stack.settings, max_concurrent=2) == {"placed": 1, "failed": 0}
    await asyncio.wait_for(stack.twilio.wait_finished(1), timeout=120)
    job = (await _jobs(stack, campaign))[MACHINE.number]
    # THEN after the beep it hears the survey's voicemail, naming the plumber
    message = stack.twilio.calls[job.call_sid or ""].message_left
    assert "automated call on behalf of Bob's Plumbing with a few questions about visiting your gym" in message
    assert job.status == "voicemail"
