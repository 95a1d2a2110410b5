"""What the demo's calls need beside the functions and the worker: each scenario's business seeded (the demo
plumber, or the `[business]` it names), a real CalDAV server when one books into a calendar, and the
simulated Twilio REST API a transfer redirects the call through. Also the environment the stack starts with
so the worker reaches both."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import uvicorn

from buddyhelps.document_commands import seed_demo_documents
from buddyhelps.radicale_server import RadicaleServer, start_radicale
from buddyhelps.scenario_seed import seed_scenario_business
from buddyhelps.simulator.caller_voice import PiperCallerVoice
from buddyhelps.simulator.live_redirects import LiveRedirects
from buddyhelps.simulator.scenario import Scenario
from buddyhelps.simulator.twilio_api import SimulatedTwilio, create_twilio_api
from buddyhelps.simulator.twilio_webhooks import WebhookTarget
from shared.database import Database
from shared.demo_business import DEMO_BUSINESS_ID, DEMO_NAME, DEMO_NUMBER, seed_demo_business
from shared.settings import Settings


@dataclass(frozen=True, kw_only=True)
class CallTarget:
    """Whom a scenario's call reaches and how the phone network around it behaves."""

    business_id: str
    business_name: str
    number: str
    dial_answer: str = "no-answer"  # what a number a transfer rings does


@dataclass(frozen=True, kw_only=True)
class DemoServices:
    targets: dict[str, CallTarget]  # by scenario name
    env: dict[str, str]  # for the stack: the simulated REST API, the CalDAV account
    redirects: LiveRedirects


@asynccontextmanager
async def demo_services(
    db: Database, settings: Settings, scenarios: Sequence[Scenario], *, twilio_port: int
) -> AsyncIterator[DemoServices]:
    async with AsyncExitStack() as stack:
        env: dict[str, str] = {"TWILIO_API_BASE_URL": f"http://127.0.0.1:{twilio_port}"}
        radicale: RadicaleServer | None = None
        if any(s.business is not None and s.business.calendar == "caldav" for s in scenarios):
            radicale = await asyncio.to_thread(start_radicale, _fresh(settings.data_dir / "radicale"))
            stack.callback(radicale.stop)
            env |= {"CALDAV_USERNAME": radicale.username, "CALDAV_PASSWORD": radicale.password}
        targets = {s.name: await _seed(db, settings, s, radicale) for s in scenarios}
        twilio = await stack.enter_async_context(_simulated_twilio(settings, twilio_port))
        yield DemoServices(targets=targets, env=env, redirects=twilio.inbound)


async def _seed(db: Database, settings: Settings, scenario: Scenario, radicale: RadicaleServer | None) -> CallTarget:
    business = scenario.business
    if business is None:
        await seed_demo_business(db, worker_url=settings.default_worker_url, worker_capacity=settings.worker_capacity)
        await seed_demo_documents(db, DEMO_BUSINESS_ID)  # what the agent answers questions from
        return CallTarget(business_id=DEMO_BUSINESS_ID, business_name=DEMO_NAME, number=DEMO_NUMBER)
    calendar_url = ""
    if business.calendar == "caldav" and radicale is not None:
        calendar_url = await asyncio.to_thread(radicale.new_calendar, scenario.name)
    seeded = await seed_scenario_business(
        db,
        business,
        worker_url=settings.default_worker_url,
        worker_capacity=settings.worker_capacity,
        calendar_url=calendar_url,
    )
    return CallTarget(
        business_id=seeded.business_id,
        business_name=f"{seeded.name} ({business.template} template, clock {seeded.timezone})",
        number=seeded.number,
        dial_answer=business.dial_answer,
    )


@asynccontextmanager
async def _simulated_twilio(settings: Settings, port: int) -> AsyncIterator[SimulatedTwilio]:
    target = WebhookTarget(
        functions_url=settings.public_base_url,
        public_base_url=settings.public_base_url,
        auth_token=settings.twilio_auth_token,
    )
    voice = PiperCallerVoice(cache_dir=settings.data_dir / "caller-voice-cache")  # no outbound callee speaks
    async with SimulatedTwilio(target=target, account_sid=settings.twilio_account_sid, callees={}, voice=voice) as api:
        config = uvicorn.Config(create_twilio_api(api), host="127.0.0.1", port=port, log_level="warning")
        server = uvicorn.Server(config)
        serving = asyncio.create_task(server.serve(), name="simulated-twilio")
        while not server.started and not serving.done():  # noqa: ASYNC110 - uvicorn's only signal is a flag
            await asyncio.sleep(0.05)
        try:
            yield api
        finally:
            server.should_exit = True
            await serving


def _fresh(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return folder
