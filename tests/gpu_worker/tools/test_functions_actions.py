"""The tools' deliveries through the real functions app on a loopback port: a message for a person is
stored on the call and sent to their phone and email; the caller's booking confirmation and link texted."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from functions.local_app import create_local_app
from gpu_worker.tools.functions_actions import FunctionsActions
from gpu_worker.tools.take_message import TakenMessage
from shared.database import Database
from shared.people.directory import Contact
from shared.repositories.businesses import create_business
from shared.repositories.calls import get_call_by_sid
from shared.repositories.notifications import list_for_call
from shared.settings import Settings
from tests.functions.conftest import BUSINESS_NUMBER, CALLER, OWNER_PHONE, ServedApp
from tests.s3_server import free_port

CALL_SID = "CA" + "7" * 32


@pytest.fixture
async def served(settings: Settings, db: Database) -> AsyncIterator[ServedApp]:
    await create_business(db, name="Front Desk Co", owner_phone=OWNER_PHONE, business_id="biz_front")
    app = ServedApp(create_local_app(settings), free_port())
    await app.start()
    try:
        yield app
    finally:
        await app.stop()


def _actions(settings: Settings, served: ServedApp, client: httpx.AsyncClient) -> FunctionsActions:
    return FunctionsActions(
        base_url=served.base_url,
        secret=settings.dashboard_webhook_secret,
        call_sid=CALL_SID,
        business_id="biz_front",
        caller=CALLER,
        called=BUSINESS_NUMBER,
        client=client,
    )


async def test_a_message_for_a_person_is_kept_on_the_call_and_sent_to_their_phone_and_email(
    served: ServedApp, settings: Settings, db: Database
) -> None:
    sam = Contact(name="Sam Rivera", phone="+12125550111", email="sam@frontdesk.example")
    taken = TakenMessage(CALL_SID, "biz_front", "Sam", sam, "Alex", CALLER, "The invoice is wrong.")
    async with httpx.AsyncClient() as client:
        assert await _actions(settings, served, client).deliver(taken) is True
    call = await get_call_by_sid(db, CALL_SID)
    assert call is not None
    rows = await db.fetch_all("SELECT for_whom, contact_name, message FROM call_messages WHERE call_id = ?", (call.id,))
    assert [tuple(row.values()) for row in rows] == [("Sam", "Sam Rivera", "The invoice is wrong.")]
    sent = {(n.channel, n.recipient) for n in await list_for_call(db, call.id)}
    assert sent == {("sms", "+12125550111"), ("email", "sam@frontdesk.example")}
    assert all("The invoice is wrong." in n.body for n in await list_for_call(db, call.id))


async def test_the_caller_is_texted_the_booking_confirmation_and_a_link_when_booking_failed(
    served: ServedApp, settings: Settings, db: Database
) -> None:
    async with httpx.AsyncClient() as client:
        actions = _actions(settings, served, client)
        assert await actions.booking_confirmed(
            starts_utc="2026-12-02T15:00:00+00:00", timezone="America/Chicago", language="en"
        )
        assert await actions.booking_link(url="https://book.example/front", language="en")
    call = await get_call_by_sid(db, CALL_SID)
    assert call is not None
    bodies = {n.purpose: n.body for n in await list_for_call(db, call.id)}
    assert bodies["caller_booking"].startswith(
        "Front Desk Co: your visit is booked for Wednesday, December 2 at 9:00 AM"
    )
    assert bodies["caller_booking_link"].endswith("https://book.example/front")


async def test_a_spanish_call_texts_the_caller_in_spanish(served: ServedApp, settings: Settings, db: Database) -> None:
    # GIVEN a call held in Spanish WHEN its booking is confirmed and a link is sent
    async with httpx.AsyncClient() as client:
        actions = _actions(settings, served, client)
        assert await actions.booking_confirmed(
            starts_utc="2026-12-05T16:00:00+00:00", timezone="America/Chicago", language="es"
        )
        assert await actions.booking_link(url="https://book.example/front", language="es")
    # THEN both texts are in Spanish, the day and month named in Spanish on the business's clock
    call = await get_call_by_sid(db, CALL_SID)
    assert call is not None
    bodies = {n.purpose: n.body for n in await list_for_call(db, call.id)}
    assert bodies["caller_booking"] == (
        "Front Desk Co: su visita está reservada para el sábado 5 de diciembre a las 10:00 (CST). "
        "Para cambiarla, llámenos."
    )
    assert bodies["caller_booking_link"] == (
        "Gracias por llamar a Front Desk Co. Elija una hora para su visita aquí: https://book.example/front"
    )


async def test_a_wrong_secret_is_false_not_an_error(served: ServedApp, settings: Settings) -> None:
    async with httpx.AsyncClient() as client:
        wrong = FunctionsActions(
            base_url=served.base_url,
            secret="not-the-secret",
            call_sid=CALL_SID,
            business_id=None,
            caller=CALLER,
            called=BUSINESS_NUMBER,
            client=client,
        )
        assert await wrong.booking_link(url=None, language="en") is False
