"""The console's call page shows the intent log (each tool the agent used) and the messages it took."""

from __future__ import annotations

import httpx

from functions.intent_log import intent_log_statements
from shared.call_report import ToolCallEntry
from shared.database import Database
from tests.functions.admin.call_seed import seed_call
from tests.functions.conftest import make_report


async def test_the_call_page_lists_the_tools_used_and_the_message_taken(
    console: tuple[httpx.AsyncClient, str], db: Database
) -> None:
    # GIVEN a call where the agent checked the hours, then took a message for Sam
    client, _ = console
    call = await seed_call(db, call_sid="CAintent1", business_id=None, said=[("caller", "Is Sam in?")], latency_ms=[])
    report = make_report(
        "CAintent1",
        tools=[
            ToolCallEntry(
                name="hours", arguments={"now": "true"}, outcome="ok", result="We're closed right now.", duration_ms=2
            ),
            ToolCallEntry(
                name="take_message",
                arguments={"for_whom": "Sam"},
                outcome="timed_out",
                result="Sorry, I couldn't do that just now.",
                duration_ms=8000,
            ),
        ],
    )
    await db.batch(intent_log_statements(report, only_if=("1 = 1", ())))
    await db.execute(
        "INSERT INTO call_messages (id, call_id, for_whom, contact_name, from_name, callback, message, created_at)"
        " VALUES ('m1', ?, 'Sam', 'Sam Rivera', 'Alex', '+15550100123', 'The invoice is wrong.', '2026-11-30')",
        (call.id,),
    )
    # WHEN an operator opens the call page
    page = (await client.get(f"/admin/calls/{call.id}")).text
    # THEN the intent log lists both tools in order with their outcome and words, and the message is shown
    log = page[page.index('id="intent-log"') : page.index("</table>", page.index('id="intent-log"'))]
    assert log.index("hours") < log.index("take message")
    assert "We&#39;re closed right now." in log
    assert "timed out" in log
    assert "For Sam Rivera</strong> from Alex" in page
    assert "The invoice is wrong." in page
