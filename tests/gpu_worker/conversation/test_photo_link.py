"""The worker's photo-link client against the real functions app on a loopback port."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from functions.local_app import create_local_app
from gpu_worker.after_call.call_record import CallRecord
from gpu_worker.conversation.photo_link import PhotoOffer, photo_link_url, request_photo_link, shows_in_a_photo
from shared.agents.templates import load_template
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


async def _ask(settings: Settings, served: ServedApp, secret: str | None = None, language: str = "en") -> bool:
    worker_settings = settings.model_copy(update={"functions_base_url": served.base_url})
    return await request_photo_link(
        url=photo_link_url(worker_settings),
        secret=secret or settings.dashboard_webhook_secret,
        call_sid=CALL_SID,
        from_number=CALLER,
        to_number=BUSINESS_NUMBER,
        business_id="biz_rapid",
        language=language,
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


async def test_a_spanish_call_gets_the_link_texted_in_spanish(
    served: ServedApp, settings: Settings, db: Database
) -> None:
    # GIVEN functions up WHEN the worker of a call held in Spanish asks for the link
    await served.start()
    assert await _ask(settings, served, language="es") is True
    # THEN the caller's SMS is written in Spanish
    call = await get_call_by_sid(db, CALL_SID)
    assert call is not None
    [sms] = await list_for_call(db, call.id)
    assert sms.body.startswith("Gracias por llamar a Rapid Rooter Plumbing. Si puede, envíenos fotos del problema")
    assert "/photo/" in sms.body


@pytest.mark.parametrize(
    ("template", "said", "language", "offered"),
    [
        ("plumbing", "My kitchen sink is leaking all over the floor.", "en", True),
        ("plumbing", "Tengo una fuga debajo del fregadero.", "es", True),
        ("plumbing", "I'd like a quote for a new faucet.", "en", False),
        ("electrician", "There's a scorch mark around the outlet.", "en", True),
        ("electrician", "El enchufe está quemado.", "es", True),
        ("hvac", "Hay agua debajo de la unidad.", "es", True),
        ("front_desk", "There's a leak in your lobby ceiling.", "en", False),  # a front desk asks for no photos
    ],
)
def test_the_definition_decides_what_a_photo_would_show(template: str, said: str, language: str, offered: bool) -> None:
    # GIVEN a business's template WHEN the caller says this in their language THEN a link is offered or not
    assert shows_in_a_photo(load_template(template), said, language) is offered


def test_the_line_that_tells_the_caller_follows_the_calls_language(settings: Settings) -> None:
    # GIVEN a plumbing call that switched to Spanish
    language = ["en"]
    record = CallRecord(call_sid=CALL_SID, from_number=CALLER, to_number=BUSINESS_NUMBER, business_id="biz_rapid")
    offer = PhotoOffer(
        settings=settings,
        record=record,
        definition=load_template("plumbing"),
        language=lambda: language[0],
        spawn=lambda coroutine, name: coroutine.close(),
    )
    assert offer.line == "I've also texted you a link where you can send us photos of it."
    language[0] = "es"
    # WHEN the caller describes a leak THEN it is offered, and the line is said in Spanish
    assert offer.wanted("Se está goteando el techo del baño.")
    assert offer.offer() == "También le he enviado un mensaje con un enlace para mandarnos fotos."
    assert offer.offer() == ""  # once a call
