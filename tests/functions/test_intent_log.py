"""The intent log: the tools the agent used on a call arrive with its report, are stored once (a replayed
report adds nothing) and are read back in order for the call page."""

from __future__ import annotations

import httpx

from functions.intent_log import intent_log
from shared.call_report import ToolCallEntry
from shared.database import Database
from shared.settings import Settings
from tests.functions.conftest import make_report, post_report


async def test_the_tools_of_a_call_are_stored_once_in_order(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    # GIVEN a report whose call used the hours tool, then took a message
    tools = [
        ToolCallEntry(
            name="hours", arguments={"now": "true"}, outcome="ok", result="We're open now, until 6 PM.", duration_ms=3
        ),
        ToolCallEntry(
            name="take_message",
            arguments={"for_whom": "Sam", "message": "Call me"},
            outcome="ok",
            result="I'll pass your message on to Sam Rivera.",
            detail={"to": "Sam Rivera"},
            duration_ms=41,
        ),
    ]
    report = make_report(tools=tools)
    # WHEN it is delivered twice (a retry after a lost acknowledgement)
    assert (await post_report(client, settings, report)).status_code == 200
    assert (await post_report(client, settings, report)).status_code == 200
    # THEN the call's intent log holds each tool once, in order, with what it said
    logged = await intent_log(db, report.call_sid)
    assert [(e.name, e.arguments, e.result, e.detail) for e in logged] == [
        ("hours", {"now": "true"}, "We're open now, until 6 PM.", {}),
        (
            "take_message",
            {"for_whom": "Sam", "message": "Call me"},
            "I'll pass your message on to Sam Rivera.",
            {"to": "Sam Rivera"},
        ),
    ]
