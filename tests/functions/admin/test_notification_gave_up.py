"""The console's call page says when a notification was given up, and after how many attempts."""

from __future__ import annotations

import httpx

from shared.database import Database
from tests.functions.admin.call_seed import seed_call, seed_failed_sms


async def test_a_given_up_notification_says_after_how_many_attempts(
    console: tuple[httpx.AsyncClient, str], db: Database
) -> None:
    # GIVEN a call whose owner SMS failed for good after 5 attempts
    client, _ = console
    call = await seed_call(db, call_sid="CAgaveup1", business_id=None, said=[("caller", "Leak")], latency_ms=[900])
    await seed_failed_sms(db, call.id)
    # WHEN an operator opens the call page
    page = await client.get(f"/admin/calls/{call.id}")
    # THEN the notification reads as given up after 5 attempts, with the provider's last error
    assert "gave up after 5 attempts" in page.text
    assert "provider said no" in page.text
