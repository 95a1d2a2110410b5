"""Each receptionist tool's run time through the ToolDesk with its real dependencies on loopback: the hours
tool in-process, take_message through the functions app (signed POST, libSQL, notifications outbox), book_visit
offering and booking in a real Radicale CalDAV server. Prints JSON (median/max ms over 5 runs). Not the heard latency:
add the reply's synthesis and playback. Run: PYTHONPATH=. .venv/bin/python scripts/tool_timing.py"""

import asyncio
import json
import secrets
import statistics
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import caldav
import httpx

from functions.local_app import create_local_app
from gpu_worker.tools.book_visit import BookVisitTool
from gpu_worker.tools.functions_actions import FunctionsActions
from gpu_worker.tools.hours import HoursTool
from gpu_worker.tools.take_message import TakeMessageTool
from gpu_worker.tools.tool_desk import ToolDesk
from shared.calendars import CalendarChoice
from shared.calendars.factory import open_booking_desk
from shared.database import open_database
from shared.people.directory import Contact, Directory
from shared.repositories.businesses import create_business
from shared.settings import load_settings
from tests.functions.conftest import ServedApp
from tests.gpu_worker.tools.tool_call import context_for
from tests.radicale_server import start_radicale
from tests.s3_server import free_port

NOW = datetime(2026, 11, 30, 21, 0, tzinfo=UTC)


async def main() -> None:
    tmp = Path(tempfile.mkdtemp())
    (tmp / "rad").mkdir()
    radicale = start_radicale(tmp / "rad")
    name = f"v-{secrets.token_hex(3)}"
    dav: Any = caldav
    with dav.DAVClient(
        radicale.url + "/", require_tls=False, username=radicale.username, password=radicale.password
    ) as c:
        c.principal().make_calendar(name=name, cal_id=name)
    settings = load_settings(
        BUDDYHELPS_DATA_DIR=str(tmp / "data"),
        CALENDAR_PROVIDER="caldav",
        CALDAV_URL=radicale.calendar_url(name),
        CALDAV_USERNAME=radicale.username,
        CALDAV_PASSWORD=radicale.password,
    )
    db = await open_database(settings.database_url)
    await create_business(db, name="Front Desk Co", owner_phone="+12125550100", business_id="biz-1")
    served = ServedApp(create_local_app(settings), free_port())
    await served.start()
    times: dict[str, list[float]] = {"hours": [], "take_message": [], "book_visit offer": [], "book_visit book": []}
    ctx = context_for("hvac", NOW)
    hours = ctx.definition.facts.hours
    async with (
        httpx.AsyncClient() as client,
        open_booking_desk(settings, CalendarChoice(provider="caldav"), hours) as desk,
    ):
        actions = FunctionsActions(
            base_url=served.base_url,
            secret=settings.dashboard_webhook_secret,
            call_sid="CA" + "1" * 32,
            business_id="biz-1",
            caller="+13125550142",
            called="+13125550100",
            client=client,
        )
        office = Directory((Contact(name="Sam Rivera", phone="+12125550111", email="s@x.example"),))
        for i in range(5):
            visit = BookVisitTool(ctx, desk, actions, timezone=hours.timezone)
            tools = {
                "hours": HoursTool(ctx),
                "take_message": TakeMessageTool(ctx, office, actions),
                "book_visit": visit,
            }
            d = ToolDesk(tools, ctx, hold_after_s=30)
            await d.run("hours", {"now": "true"}, language="en", hold=lambda _l: None)
            await d.run(
                "take_message", {"for_whom": "Sam", "message": f"call me {i}"}, language="en", hold=lambda _l: None
            )
            await d.run("book_visit", {"wish": f"December {8 + i} morning"}, language="en", hold=lambda _l: None)
            await d.run("book_visit", {"choice": "yes, the first one"}, language="en", hold=lambda _l: None)
            for entry, key in zip(d.log, times, strict=True):
                times[key].append(entry.duration_ms)
            assert d.log[-1].detail.get("booking") == "booked", d.log[-2:]
    await served.stop()
    radicale.stop()
    await db.close()
    print(
        json.dumps(
            {k: {"median_ms": statistics.median(v), "max_ms": max(v), "runs": len(v)} for k, v in times.items()},
            indent=1,
        )
    )


asyncio.run(main())
