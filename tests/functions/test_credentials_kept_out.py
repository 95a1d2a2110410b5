"""Links that open a call (photo tokens, call page ids) stay out of logs and out of stored texts,
and a photo link can still be re-sent, through the real app (uvicorn on loopback, the real SDKs)."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import socket
from collections.abc import Iterator

import httpx
import pytest
import uvicorn

from functions.local_app import create_local_app
from shared.database import Database
from shared.repositories.businesses import Business
from shared.repositories.notifications import list_for_call
from shared.repositories.operators import create_api_token, create_operator
from shared.settings import Settings
from shared.structured_logging import JsonFormatter
from tests.functions.conftest import make_report, post_report
from tests.functions.test_photo_upload import reported_call
from tests.provider_fake import ProviderFake


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """What the entry points' JSON logging writes (root logger, INFO), captured."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    # An earlier test that ran uvicorn with its default log config left "uvicorn" and "uvicorn.access" not
    # propagating to the root: capture the access log at its own logger, as `serve`'s JSON logging does.
    access = logging.getLogger("uvicorn.access")
    saved = (access.propagate, access.disabled, access.level, list(access.handlers))
    access.propagate, access.disabled, access.level, access.handlers = False, False, logging.INFO, [handler]
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        access.propagate, access.disabled, access.level, access.handlers = saved


async def test_the_access_log_and_the_recorder_keep_credentials_and_personal_data_out(
    settings: Settings, business: Business, db: Database, json_log: io.StringIO
) -> None:
    # GIVEN the functions served by uvicorn as `buddyhelps serve` does (access log on, JSON logging)
    listening = socket.create_server(("127.0.0.1", 0))  # bound first: clients wait in the backlog
    server = uvicorn.Server(uvicorn.Config(create_local_app(settings), log_config=None, lifespan="on"))
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{listening.getsockname()[1]}") as client:
        serving = asyncio.create_task(server.serve(sockets=[listening]))
        try:
            # WHEN a call is reported (the recorder "sends" three messages), and its page and photo link opened
            call_id, token = await reported_call(client, settings, db)
            assert (await client.get(f"/c/{call_id}")).status_code == 200
            assert (await client.get(f"/photo/{token}")).status_code == 200
        finally:
            server.should_exit = True
            await serving
            listening.close()
    logged = json_log.getvalue()
    access = [entry["msg"] for entry in map(json.loads, logged.splitlines()) if entry["logger"] == "uvicorn.access"]
    # THEN the access log shows the routes with the credentials redacted
    assert any(line.endswith('"GET /c/[redacted] HTTP/1.1" 200') for line in access), access
    assert any(line.endswith('"GET /photo/[redacted] HTTP/1.1" 200') for line in access), access
    assert call_id not in logged
    assert token not in logged
    # AND no message text reached the log: not the caller's name, address, problem or transcript
    for personal in ("Maria Lopez", "12 Oak Street", "Burst pipe", "kitchen sink"):
        assert personal not in logged


async def test_a_sent_photo_link_is_stored_without_its_token_and_a_resend_carries_a_fresh_one(
    live_client: httpx.AsyncClient, live_settings: Settings, provider: ProviderFake, db: Database
) -> None:
    # GIVEN a reported call whose photo link went out through Twilio
    answer = (await post_report(live_client, live_settings, make_report())).json()
    call_id = answer["call_id"]
    [first_sms] = [r for r in provider.sms() if "/photo/" in r.form["Body"]]
    first_token = first_sms.form["Body"].rsplit("/photo/", 1)[1]
    # THEN the stored text no longer holds the token
    [stored] = [n for n in await list_for_call(db, call_id) if n.purpose == "caller_photo_link"]
    assert first_token not in stored.body
    assert stored.body.endswith("/photo/[redacted]")
    # WHEN an operator re-sends it from the console API
    operator = await create_operator(db, email="ops@buddyhelps.example", password="correct horse battery staple")
    _, api_token = await create_api_token(db, operator_id=operator.id, name="tests")
    resent = await live_client.post(
        f"/admin/api/calls/{call_id}/notifications/{stored.id}/resend",
        headers={"Authorization": f"Bearer {api_token}"},
    )
    # THEN the caller gets a new link that works, and it is not kept either
    assert resent.status_code == 200, resent.text
    assert resent.json()["status"] == "sent"
    second_body = [r for r in provider.sms() if "/photo/" in r.form["Body"]][-1].form["Body"]
    second_token = second_body.rsplit("/photo/", 1)[1]
    assert second_token not in (first_token, "[redacted]")
    assert (await live_client.get(f"/photo/{second_token}")).status_code == 200
    [again] = [n for n in await list_for_call(db, call_id) if n.purpose == "caller_photo_link"]
    assert second_token not in again.body
