"""A campaign against simulated callees, start to finish on this machine (`buddyhelps campaign run
--simulate BOOK`, `buddyhelps campaign eval`): the simulated Twilio REST API in this process, `buddyhelps
serve` (functions with the call-queue loop, and the worker) as a child process pointed at it.

The campaign rings through the real path — queue pass, twilio SDK, signed webhooks, media stream to the
real worker, AMD and status callbacks, the worker's report — and the results are read from the database.
It is queued paused and made active once the stack is ready with its agents' lines synthesized: the worker
makes those only between calls, so a campaign ringing from the start kept it from ever getting ready.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn

from buddyhelps.local_stack import LocalStack
from buddyhelps.simulator.callee_book import CalleeBook
from buddyhelps.simulator.caller_voice import CallerVoice
from buddyhelps.simulator.twilio_api import SimulatedTwilio, create_twilio_api
from buddyhelps.simulator.twilio_webhooks import WebhookTarget
from shared.agents.definition import AgentDefinition
from shared.database import Database, open_database
from shared.outbound import call_jobs, campaigns
from shared.outbound.calling_rules import CallingHours
from shared.repositories import calls
from shared.settings import Settings

log = logging.getLogger(__name__)
TERMINAL = frozenset({"completed", "voicemail", "gave_up", "do_not_call"})
REPORT_WAIT_S = 120.0  # extraction runs after the hang-up; the report lands seconds later


@dataclass(frozen=True, kw_only=True)
class SimulatedRun:
    campaign: campaigns.Campaign
    jobs: list[call_jobs.CallJob]
    calls_by_sid: dict[str, calls.Call]
    twilio: dict[str, Any]  # call sid → what the simulator saw (answered_by, message left, seconds)
    wall_s: float


@dataclass(frozen=True, kw_only=True)
class RunOptions:
    business_id: str
    from_number: str
    agent: AgentDefinition | None = None  # None: the business's own (outbound) agent
    functions_port: int = 8000
    worker_port: int = 8001
    twilio_port: int = 8010
    hours: CallingHours = field(default_factory=CallingHours)
    max_attempts: int = 2
    retry_base_s: int = 5
    timeout_s: float = 3600.0
    ready_timeout_s: float = 900.0  # the worker synthesizes its fixed lines first: minutes on a busy CPU
    log_path: Path = Path("artifacts/outbound-stack.log")


async def run_simulated(
    settings: Settings, book: CalleeBook, numbers: Sequence[tuple[str, str]], options: RunOptions, voice: CallerVoice
) -> SimulatedRun:
    started = time.monotonic()
    functions_url = f"http://127.0.0.1:{options.functions_port}"
    target = WebhookTarget(
        functions_url=functions_url, public_base_url=functions_url, auth_token=settings.twilio_auth_token
    )
    db = await open_database(settings.database_url, auth_token=settings.turso_auth_token)
    try:
        campaign = await _queue(db, numbers, options)
        async with SimulatedTwilio(
            target=target, account_sid=settings.twilio_account_sid, callees=book.by_number(), voice=voice
        ) as twilio:
            server = uvicorn.Server(
                uvicorn.Config(
                    create_twilio_api(twilio), host="127.0.0.1", port=options.twilio_port, log_level="warning"
                )
            )
            serving = asyncio.create_task(server.serve(), name="simulated-twilio")
            try:
                await _with_stack(db, twilio, campaign, options, functions_url)
            finally:
                server.should_exit = True
                await serving
            seen = {
                sid: {"answered_by": c.answered_by, "message_left": c.message_left, "seconds": round(c.duration_s, 1)}
                for sid, c in twilio.calls.items()
            }
        jobs = await call_jobs.list_jobs(db, campaign.id)
        by_sid = {job.call_sid: await calls.get_call_by_sid(db, job.call_sid) for job in jobs if job.call_sid}
        found = {sid: call for sid, call in by_sid.items() if call is not None}
        return SimulatedRun(
            campaign=campaign, jobs=jobs, calls_by_sid=found, twilio=seen, wall_s=time.monotonic() - started
        )
    finally:
        await db.close()


async def _queue(db: Database, numbers: Sequence[tuple[str, str]], options: RunOptions) -> campaigns.Campaign:
    campaign = await campaigns.create_campaign(
        db,
        business_id=options.business_id,
        name="simulated run",
        from_number=options.from_number,
        hours=options.hours,
        max_attempts=options.max_attempts,
        retry_base_s=options.retry_base_s,
        agent=options.agent,
        created_by="simulated run",
    )
    queued, rejected = await campaigns.add_numbers(db, campaign, numbers)
    for line in rejected:
        log.warning("number not queued", extra={"reason": line.reason})
    await campaigns.set_status(db, campaign.id, "paused")  # until the stack is ready (see the module's note)
    log.info("campaign queued", extra={"campaign": campaign.id, "queued": queued})
    return campaign


async def _with_stack(
    db: Database, twilio: SimulatedTwilio, campaign: campaigns.Campaign, options: RunOptions, functions_url: str
) -> None:
    env = {
        "PUBLIC_BASE_URL": functions_url,
        "TWILIO_API_BASE_URL": f"http://127.0.0.1:{options.twilio_port}",
    }
    stack = LocalStack(
        functions_port=options.functions_port, worker_port=options.worker_port, env=env, log_path=options.log_path
    )
    stack.start()
    try:
        await stack.wait_ready(timeout_s=options.ready_timeout_s)
        await campaigns.set_status(db, campaign.id, "active")
        async with asyncio.timeout(options.timeout_s):
            while not await _all_ended(db, campaign):
                await twilio.wait_finished(twilio.finished_count() + 1)
            await _reports_in(db, campaign)
    finally:
        stack.stop()


async def _all_ended(db: Database, campaign: campaigns.Campaign) -> bool:
    return all(job.status in TERMINAL for job in await call_jobs.list_jobs(db, campaign.id))


async def _reports_in(db: Database, campaign: campaigns.Campaign) -> None:
    """Wait (bounded) for the worker's report of every call a person answered."""
    deadline = time.monotonic() + REPORT_WAIT_S
    for job in await call_jobs.list_jobs(db, campaign.id):
        while job.status == "completed" and job.call_sid and time.monotonic() < deadline:
            call = await calls.get_call_by_sid(db, job.call_sid)
            if call is not None and call.reported_at:
                break
            await asyncio.sleep(0.5)  # the worker process posts the report: nothing here to await
