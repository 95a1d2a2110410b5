"""The stream's end through API Gateway: the incoming_call Lambda answers its <Connect action> too."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from functions import incoming_call
from tests.functions import test_lambda_handlers as lambda_tests
from tests.functions.test_lambda_handlers import HOST, call_form, response_text, signed_form_event

lambda_env = lambda_tests.lambda_env
worker = lambda_tests.worker


def test_the_incoming_call_lambda_answers_the_stream_end_of_a_call_the_worker_dropped(
    lambda_env: pytest.MonkeyPatch, worker: lambda_tests.HealthServer
) -> None:
    # GIVEN a call streamed to the only worker, which then stops answering
    base = f"https://{HOST}/prod"
    answer = incoming_call.handler(signed_form_event(base, "/prod/incoming-call", "/incoming-call", call_form()), None)
    connect = ET.fromstring(response_text(answer)).find("./Connect")  # noqa: S314 - our own TwiML
    assert connect is not None
    assert connect.attrib["action"] == f"{base}/stream-end?leg=1"
    worker.answer(503, {"ready": False})
    # WHEN Twilio requests the action URL through API Gateway
    ended = call_form(CallStatus="in-progress")
    event = signed_form_event(base, "/prod/stream-end", "/stream-end", ended, query="leg=1")
    response = incoming_call.handler(event, None)
    # THEN the same function answers it: the apology and a voicemail
    assert response["statusCode"] == 200, response_text(response)
    root = ET.fromstring(response_text(response))  # noqa: S314 - our own TwiML
    assert [verb.tag for verb in root][:2] == ["Say", "Record"]
