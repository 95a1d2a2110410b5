"""The longest call: at MAX_CALL_SECONDS the agent says a closing line and hangs up, and the report says
why the call ended. Through the real worker on loopback and a real WebSocket."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from gpu_worker.conversation.call_time_limit import END_REASON, closing_line
from shared.database import Database
from shared.demo_business import DEMO_BUSINESS_ID, DEMO_NAME, seed_demo_business
from shared.settings import Settings
from tests.gpu_worker.fake_stages import fake_models
from tests.gpu_worker.worker_on_loopback import call_parameters, twilio_stream, worker_on_loopback

CALL_SID = "CA" + "e" * 32


async def _report(pending: Path) -> dict[str, object]:
    """The call's report, once the worker has written it to its outbox (the functions are unreachable)."""
    path = pending / f"{CALL_SID}.json"
    for _ in range(200):
        if path.exists():
            report: dict[str, object] = json.loads(path.read_text())
            return report
        await asyncio.sleep(0.05)  # written by the worker's post-call task, in another thread
    raise AssertionError("no report in the outbox")


async def test_a_call_that_reaches_the_longest_length_is_closed_politely(settings: Settings, db: Database) -> None:
    # GIVEN a worker whose longest call is one second (its functions unreachable, so reports stay in the outbox)
    await seed_demo_business(db, worker_url="http://127.0.0.1:8001", worker_capacity=2)
    worker_settings = settings.model_copy(update={"max_call_seconds": 1.0, "functions_base_url": "http://127.0.0.1:9"})
    with worker_on_loopback(worker_settings, fake_models(caller_lines=[])) as url:
        params = call_parameters(worker_settings, CALL_SID, business_id=DEMO_BUSINESS_ID)
        # WHEN a caller stays on the line past it
        async with twilio_stream(url, call_sid=CALL_SID, parameters=params) as call:
            # THEN the agent says the closing line and ends the call (a normal close, after its audio played)
            assert await call.closed(timeout_s=20) == 1000
        report = await _report(worker_settings.outbox_dir / "pending")
    transcript = report["transcript"]
    assert isinstance(transcript, list)
    assert transcript[-1]["speaker"] == "agent"
    assert transcript[-1]["text"] == closing_line(DEMO_NAME)
    assert report["end_reason"] == END_REASON
    assert len(call.events("mark")) >= 2  # the greeting's and the closing line's, each echoed before the close
