"""The owner is told the agent definition's fields: a gym survey shows hours and prices, not "urgency";
a number the caller confirmed is the one shown, in the national format people read."""

from __future__ import annotations

import httpx

from shared.call_report import ReportField
from shared.database import Database
from shared.repositories.calls import get_call
from shared.repositories.notifications import list_for_call
from shared.settings import Settings
from tests.functions.conftest import make_report, post_report


def field(name: str, label: str, kind: str, value: str, spoken: str = "", status: str = "given") -> ReportField:
    return ReportField(name=name, label=label, kind=kind, value=value, spoken=spoken or value, status=status)  # type: ignore[arg-type]


GYM_FIELDS = [
    field("hours", "Opening hours", "free_text", "6 am to 10 pm every day"),
    field("day_pass_price", "Day-pass price", "money", "15.00 USD", "15 dollars"),
    field("classes", "Classes", "free_text", "", status="unknown"),
    field("drop_in", "Drop-in allowed", "yes_no", "yes"),
]


async def test_a_survey_report_shows_its_own_fields(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    # GIVEN an outbound gym survey reported with its definition's fields
    report = make_report(direction="outbound", fields=GYM_FIELDS, agent_name="Gym information", agent_version=2)
    # WHEN the worker posts it
    response = await post_report(client, settings, report)
    assert response.status_code == 200, response.text
    call = await get_call(db, response.json()["call_id"])
    assert call is not None
    # THEN the fields are stored with the version, and no urgency is made up
    assert [f["name"] for f in call.fields] == ["hours", "day_pass_price", "classes", "drop_in"]
    assert call.agent_version == 2
    assert call.urgency is None
    # AND the owner's text lists hours and price, says what the gym didn't know, and has no urgency tag
    sms = next(n for n in await list_for_call(db, call.id) if n.purpose == "owner_sms")
    assert sms.body.startswith("Call result for ")
    assert "Opening hours: 6 am to 10 pm every day" in sms.body
    assert "Day-pass price: 15 dollars" in sms.body
    assert "Classes: (didn't know)" in sms.body
    assert "Urgency" not in sms.body
    # AND the call page shows the same rows
    page = await client.get(f"/c/{call.id}")
    assert "Day-pass price" in page.text
    assert 'data-testid="urgency"' not in page.text


async def test_the_confirmed_callback_is_shown_in_national_format(
    client: httpx.AsyncClient, settings: Settings, db: Database
) -> None:
    # GIVEN a plumbing call where the caller confirmed another number than their caller ID
    fields = [
        field("problem", "Problem", "free_text", "burst pipe under the sink"),
        field("name", "Name", "person_name", "Maria Lopez", status="confirmed"),
        field("callback", "Callback number", "phone", "+15125550199", "5 1 2, 5 5 5, 0 1 9 9", "confirmed"),
        field("urgency", "Urgency", "enum", "emergency", "emergency", "extracted"),
    ]
    report = make_report(fields=fields)
    # WHEN reported
    response = await post_report(client, settings, report)
    call = await get_call(db, response.json()["call_id"])
    assert call is not None
    # THEN the urgency column follows the fields, the owner sees the confirmed number as people write it,
    # and the caller's photo link goes to that number
    assert call.urgency == "emergency"
    sent = {n.purpose: n for n in await list_for_call(db, call.id)}
    assert sent["owner_sms"].body.startswith("[EMERGENCY] New call for ")
    assert "Callback number: (512) 555-0199" in sent["owner_sms"].body
    assert sent["caller_photo_link"].recipient == "+15125550199"
    page = await client.get(f"/c/{call.id}")
    assert "(512) 555-0199" in page.text
