"""The Lambda entry points (`handler = FunctionHandler(router)`, Mangum) with API Gateway HTTP API v2 events.

Settings come from environment variables, set before the first invocation (the app is built lazily).
PUBLIC_BASE_URL carries the stage path, as the execute-api URL Twilio is configured with does.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from twilio.request_validator import RequestValidator

from buddyhelps.cli import main as cli
from functions import call_status, healthz, incoming_call
from functions.edge_app import FunctionHandler
from shared.demo_business import DEMO_NUMBER
from shared.signatures import verify_stream_token
from tests.health_server import HealthServer, health_server

HOST = "abc123.execute-api.us-east-1.amazonaws.com"
AUTH_TOKEN = "0123456789abcdef0123456789abcdef"
WEBHOOK_SECRET = "lambda-test-webhook-secret-0123456789"
SID = "CA" + "d" * 32


def http_api_event(
    method: str,
    raw_path: str,
    *,
    body: str = "",
    headers: dict[str, str] | None = None,
    base64_body: bool = False,
    query: str = "",
    stage: str = "prod",
) -> dict[str, Any]:
    """An API Gateway HTTP API (payload 2.0) event as Lambda receives it: the stage is part of rawPath."""
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": raw_path,
        "rawQueryString": query,
        "headers": {"host": HOST, "x-forwarded-proto": "https", "user-agent": "TwilioProxy/1.1", **(headers or {})},
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abc123",
            "domainName": HOST,
            "domainPrefix": "abc123",
            "http": {
                "method": method,
                "path": raw_path,
                "protocol": "HTTP/1.1",
                "sourceIp": "54.172.60.1",
                "userAgent": "TwilioProxy/1.1",
            },
            "requestId": "req-1",
            "routeKey": "$default",
            "stage": stage,
            "time": "21/Nov/2026:20:00:00 +0000",
            "timeEpoch": 1795291200000,
        },
        "body": base64.b64encode(body.encode()).decode() if base64_body else body,
        "isBase64Encoded": base64_body,
    }


def signed_form_event(
    public_base: str, raw_path: str, path: str, params: dict[str, str], *, base64_body: bool = False, query: str = ""
) -> dict[str, Any]:
    url = public_base + path + (f"?{query}" if query else "")
    headers = {
        "content-type": "application/x-www-form-urlencoded",
        "x-twilio-signature": RequestValidator(AUTH_TOKEN).compute_signature(url, params),
    }
    return http_api_event(
        "POST", raw_path, body=urlencode(params), headers=headers, base64_body=base64_body, query=query
    )


def response_text(response: dict[str, Any]) -> str:
    body: str = response["body"]
    return base64.b64decode(body).decode() if response.get("isBase64Encoded") else body


@pytest.fixture
def worker() -> Iterator[HealthServer]:
    with health_server(200, {"ready": True, "active_calls": 0, "capacity": 4}) as server:
        yield server


@pytest.fixture
def lambda_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, worker: HealthServer) -> Iterator[pytest.MonkeyPatch]:
    """Environment of a deployed function, the demo business seeded, and the module handlers not built yet."""
    monkeypatch.setenv("BUDDYHELPS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PUBLIC_BASE_URL", f"https://{HOST}/prod")
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", AUTH_TOKEN)
    monkeypatch.setenv("DASHBOARD_WEBHOOK_SECRET", WEBHOOK_SECRET)
    monkeypatch.setenv("BUDDYHELPS_ENV", "development")
    monkeypatch.setenv("WORKER_CAPACITY", "4")  # as the worker's health says; not this machine's measured default
    assert cli(["seed-demo", "--worker-url", worker.base_url]) == 0
    handlers = (incoming_call.handler, call_status.handler, healthz.handler)
    for handler in handlers:
        monkeypatch.setattr(handler, "_app", None)
        monkeypatch.setattr(handler, "_mangum", None)
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    try:
        yield monkeypatch
    finally:
        # What a warm container keeps open (the database) is closed on the loop Mangum ran it on.
        for handler in handlers:
            if handler._app is not None:
                loop = asyncio.get_event_loop_policy().get_event_loop()
                loop.run_until_complete(handler._app.state.edge.close())
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)


def stream_parameters(text: str) -> dict[str, str]:
    stream = ET.fromstring(text).find("./Connect/Stream")  # noqa: S314 - the TwiML our own app produced
    assert stream is not None, text
    return {p.attrib["name"]: p.attrib["value"] for p in stream.findall("Parameter")}


def call_form(**overrides: str) -> dict[str, str]:
    return {"CallSid": SID, "From": "+15557654321", "To": DEMO_NUMBER, "CallStatus": "ringing", **overrides}


@pytest.mark.parametrize("base64_body", [False, True], ids=["plain-body", "base64-body"])
def test_incoming_call_through_api_gateway_with_a_stage_streams_the_call(
    lambda_env: pytest.MonkeyPatch, worker: HealthServer, base64_body: bool
) -> None:
    # GIVEN a signed Twilio webhook for https://HOST/prod/incoming-call, as API Gateway hands it to Lambda
    event = signed_form_event(
        f"https://{HOST}/prod", "/prod/incoming-call", "/incoming-call", call_form(), base64_body=base64_body
    )
    # WHEN the module's Lambda handler runs it
    response = incoming_call.handler(event, None)
    # THEN Twilio gets TwiML streaming the call to the worker, with a valid token for this call
    assert response["statusCode"] == 200, response_text(response)
    assert response["headers"]["content-type"].startswith("application/xml")
    parameters = stream_parameters(response_text(response))
    verify_stream_token(secret=WEBHOOK_SECRET, token=parameters["token"], call_sid=SID)
    assert worker.requests == 1


def test_a_warm_container_answers_the_next_call_too(lambda_env: pytest.MonkeyPatch) -> None:
    # GIVEN a handler that already served one call
    base = f"https://{HOST}/prod"
    first = incoming_call.handler(signed_form_event(base, "/prod/incoming-call", "/incoming-call", call_form()), None)
    # WHEN a second call arrives on the same (warm) container
    second_form = call_form(CallSid="CA" + "e" * 32)
    second = incoming_call.handler(signed_form_event(base, "/prod/incoming-call", "/incoming-call", second_form), None)
    # THEN both are streamed
    assert (first["statusCode"], second["statusCode"]) == (200, 200)
    assert stream_parameters(response_text(second))["call_sid"] == "CA" + "e" * 32


def test_a_webhook_signed_for_the_host_without_the_stage_is_refused(lambda_env: pytest.MonkeyPatch) -> None:
    # GIVEN a signature over https://HOST/incoming-call (not the public URL with /prod)
    event = signed_form_event(f"https://{HOST}", "/prod/incoming-call", "/incoming-call", call_form())
    # WHEN the handler runs it THEN it is refused
    assert incoming_call.handler(event, None)["statusCode"] == 403


def test_the_default_stage_has_no_stage_in_the_path(lambda_env: pytest.MonkeyPatch) -> None:
    # GIVEN a $default stage: the public URL has no path and neither has rawPath
    lambda_env.setenv("PUBLIC_BASE_URL", f"https://{HOST}")
    event = signed_form_event(f"https://{HOST}", "/incoming-call", "/incoming-call", call_form())
    event["requestContext"]["stage"] = "$default"
    # WHEN the handler runs it THEN the call is streamed
    response = incoming_call.handler(event, None)
    assert response["statusCode"] == 200, response_text(response)
    assert stream_parameters(response_text(response))["call_sid"] == SID


def test_call_status_and_voicemail_recording_through_api_gateway(lambda_env: pytest.MonkeyPatch) -> None:
    # GIVEN a call answered through the incoming-call function
    base = f"https://{HOST}/prod"
    incoming_call.handler(signed_form_event(base, "/prod/incoming-call", "/incoming-call", call_form()), None)
    # WHEN its recording callback (with ?voicemail=1) and completed status reach the call-status function
    recording = call_form(CallStatus="completed", RecordingSid="RE" + "2" * 32, RecordingUrl="https://api.twilio.com/r")
    rec = call_status.handler(
        signed_form_event(base, "/prod/call-status", "/call-status", recording, query="voicemail=1", base64_body=True),
        None,
    )
    completed = call_form(CallStatus="completed", CallDuration="8")
    done = call_status.handler(signed_form_event(base, "/prod/call-status", "/call-status", completed), None)
    # THEN both are accepted with empty TwiML
    assert (rec["statusCode"], done["statusCode"]) == (200, 200), response_text(rec)
    assert ET.fromstring(response_text(done)).tag == "Response"  # noqa: S314 - our own TwiML
    # AND healthz on the same database reports the schema
    health = healthz.handler(http_api_event("GET", "/prod/healthz"), None)
    assert health["statusCode"] == 200
    assert json.loads(response_text(health))["ok"] is True


def test_a_non_form_body_is_refused_by_the_lambda_too(lambda_env: pytest.MonkeyPatch) -> None:
    # GIVEN a JSON body WHEN the handler runs it THEN 415
    event = http_api_event(
        "POST", "/prod/incoming-call", body=json.dumps(call_form()), headers={"content-type": "application/json"}
    )
    assert incoming_call.handler(event, None)["statusCode"] == 415


def test_importing_a_function_module_builds_nothing(lambda_env: pytest.MonkeyPatch) -> None:
    # GIVEN fresh handlers (the fixture reset them) WHEN nothing has been invoked THEN no app or settings exist yet
    fresh = FunctionHandler(incoming_call.router)
    assert fresh._app is None
    assert incoming_call.handler._app is None
