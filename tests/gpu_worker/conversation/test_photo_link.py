"""The worker's photo-link client against the real functions app on a loopback port."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from functions.local_app import create_local_app
from gpu_worker.conversation.photo_link import photo_link_url, request_photo_link
from shared.database import Database
from shared.repositories.businesses import create_business
from shared.repositories.calls import get_call_by_sid
from shared.repositories.notifications import list_for_call
from shared.settings import Settings
from tests.functions.conftest import BUSINESS_NUMBER, CALLER, OWNER_PHONE, ServedApp
from tests.s3_server import free_port

CALL_SID = "CA" + "e" * 32


@pytest.fixture
async def served(settings: Settings, db: Database) -> AsyncIterator[ServedApp]:
    await create_business(db, name="Rapid Rooter Plumbing", owner_phone=OWNER_PHONE, business_id="biz_rapid")
    app = ServedApp(create_local_app(settings), free_port())
    try:
        yield app
    finally:
        await app.stop()


async def _ask(settings: Settings, served: ServedApp, secret: str | None = None) -> bool:
    worker_settings = settings.model_copy(update={"functions_base_url": served.base_url})
    return await request_photo_link(
        url=photo_link_url(worker_settings),
        secret=secret or settings.dashboard_webhook_secret,
        call_sid=CALL_SID,
        from_number=CALLER,
        to_number=BUSINESS_NUMBER,
        business_id="biz_rapid",
    )


async def test_worker_gets_the_link_texted_once(served: ServedApp, settings: Settings, db: Database) -> None:
    # GIVEN functions up WHEN the worker asks twice during a call
    await served.start()
    first = await _ask(settings, served)
    second = await _ask(settings, served)
    # THEN both succeed, and the caller got one SMS with a photo link
    assert first is True
    assert second is True
    call = await get_call_by_sid(db, CALL_SID)
    assert call is not None
    [sms] = await list_for_call(db, call.id)
    assert sms.recipient == CALLER
    assert "/photo/" in sms.body


async def test_functions_down_or_wrong_secret_is_false_not_an_error(served: ServedApp, settings: Settings) -> None:
    # GIVEN functions down WHEN asked THEN False (the call goes on)
    assert await _ask(settings, served) is False
    # GIVEN functions up but the worker's secret wrong WHEN asked THEN False
    await served.start()
    assert await _ask(settings, served, secret="not-the-shared-secret") is False
