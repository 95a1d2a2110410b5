"""The demo plumbing business `buddyhelps seed-demo` creates: what a newcomer's first call talks to."""

from __future__ import annotations

from shared.agents.business_definition import from_template
from shared.database import Database
from shared.repositories import agent_definitions, businesses, keyword_corrections, phone_numbers, prompts, workers
from shared.repositories.workers import Worker

DEMO_BUSINESS_ID = "biz_demo_plumbing"
DEMO_NUMBER = "+15550100001"
DEMO_OWNER_PHONE = "+15550109999"
DEMO_OWNER_EMAIL = "owner@demo-plumbing.example"
DEMO_NAME = "Demo Plumbing Co"
DEMO_TIMEZONE = "America/Chicago"  # the plumbing template's opening hours are Central time

DEMO_SYSTEM_PROMPT = (
    "You are the friendly phone receptionist for Demo Plumbing Co, a family plumbing business. "
    "Your job is to take a message for the plumber: the caller's name, the problem, how urgent it is, "
    "the address, and a callback number. Ask for one missing detail at a time. "
    "Never promise prices, arrival times or appointments: say the plumber will call back to arrange that. "
    "Opening hours: Monday to Friday 7am to 6pm, emergencies around the clock."
)
DEMO_GREETING = "Thanks for calling Demo Plumbing. This is the virtual receptionist. How can I help you today?"

DEMO_CORRECTIONS = (
    ("quogged", "clogged"),
    ("leek", "leak"),
    ("water heeter", "water heater"),
    ("p trap", "P-trap"),
    ("sump bump", "sump pump"),
)


async def seed_demo_business(db: Database, *, worker_url: str, worker_capacity: int) -> Worker:
    """Create (idempotently) the demo business, its number, prompts, plumbing agent, corrections and worker."""
    if await businesses.get_business(db, DEMO_BUSINESS_ID) is None:
        await businesses.create_business(
            db,
            business_id=DEMO_BUSINESS_ID,
            name=DEMO_NAME,
            owner_phone=DEMO_OWNER_PHONE,
            owner_email=DEMO_OWNER_EMAIL,
            timezone=DEMO_TIMEZONE,
            opening_hours="Mon-Fri 7:00-18:00; emergencies 24/7",
        )
    if not await agent_definitions.list_versions(db, DEMO_BUSINESS_ID):
        # The plumbing template as it stands, facts included: the demo shows what the template does.
        plumbing = from_template("plumbing", timezone=DEMO_TIMEZONE)
        await agent_definitions.save_definition(db, DEMO_BUSINESS_ID, plumbing, "seed-demo", "the plumbing template")
    worker = await workers.register_worker(db, base_url=worker_url, capacity=worker_capacity)
    if await phone_numbers.get_number(db, DEMO_NUMBER) is None:
        await phone_numbers.add_number(db, e164=DEMO_NUMBER, business_id=DEMO_BUSINESS_ID, mode="demo")
    for mode in ("demo", "live"):
        if await prompts.current_prompt(db, business_id=DEMO_BUSINESS_ID, mode=mode) is None:
            await prompts.add_prompt_version(
                db,
                business_id=DEMO_BUSINESS_ID,
                mode=mode,
                system_prompt=DEMO_SYSTEM_PROMPT,
                greeting=DEMO_GREETING,
                created_by="seed-demo",
            )
    existing = {c.heard.lower() for c in await keyword_corrections.corrections_for(db, None)}
    for heard, corrected in DEMO_CORRECTIONS:
        if heard.lower() not in existing:
            await keyword_corrections.add_correction(db, heard=heard, corrected=corrected)
    return worker
