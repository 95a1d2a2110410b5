"""JSON logs: one object per line, call sid on every line, phone numbers masked, secrets never printed."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from shared.settings import load_settings
from shared.structured_logging import JsonFormatter, call_sid_var, configure_logging, mask_phone

CALLER = "+15557654321"
SECRET = "5d1f0c7a9e3b46a2b8c4d6e0f1a2b3c4"


@pytest.fixture
def log_lines() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("tests.structured_logging")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        yield logger, stream
    finally:
        logger.removeHandler(handler)


def lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_each_line_is_json_with_the_call_sid_of_the_current_call(log_lines) -> None:
    logger, stream = log_lines
    # GIVEN a call sid set for the current call
    token = call_sid_var.set("CA" + "1" * 32)
    try:
        # WHEN two lines are logged
        logger.info("greeting sent")
        logger.warning("slow turn", extra={"latency_ms": 1800})
    finally:
        call_sid_var.reset(token)
    logger.info("after the call")
    # THEN each is one JSON object carrying the call sid; the line after the call has none
    first, second, third = lines(stream)
    assert (first["msg"], first["level"], first["call_sid"]) == ("greeting sent", "info", "CA" + "1" * 32)
    assert (second["level"], second["latency_ms"], second["call_sid"]) == ("warning", 1800, "CA" + "1" * 32)
    assert "call_sid" not in third


def test_phone_numbers_are_masked_in_messages_fields_and_errors(log_lines) -> None:
    logger, stream = log_lines
    # GIVEN a caller's number in the message, a field and an exception
    try:
        raise ValueError(f"cannot text {CALLER}")
    except ValueError:
        logger.exception("call from %s to (555) 010-0001", CALLER, extra={"to": "+15550100001"})
    # WHEN the line is written THEN no full number appears, but a masked form that tells them apart does
    text = stream.getvalue()
    assert CALLER not in text
    assert "5550100001" not in text
    assert "010-0001" not in text
    entry = lines(stream)[0]
    assert entry["to"] == mask_phone("+15550100001") == "+1555•••0001"
    assert mask_phone(CALLER) in entry["msg"]
    assert mask_phone(CALLER) in entry["error"]


def test_secret_fields_are_redacted_even_when_nested(log_lines) -> None:
    logger, stream = log_lines
    # GIVEN fields whose names say they hold secrets, at the top level and inside a dict
    logger.info(
        "webhook rejected",
        extra={
            "auth_token": SECRET,
            "webhook_secret": SECRET,
            "signature": SECRET,
            "request": {"headers": {"X-Twilio-Signature": SECRET, "Authorization": "Basic " + SECRET}},
            "attempts": [{"api_key": SECRET}],
        },
    )
    # WHEN written THEN the secret appears nowhere, and the structure is still there
    assert SECRET not in stream.getvalue()
    entry = lines(stream)[0]
    assert entry["auth_token"] == "[redacted]"
    assert entry["request"]["headers"]["X-Twilio-Signature"] == "[redacted]"
    assert entry["attempts"] == [{"api_key": "[redacted]"}]


def test_logging_the_settings_object_shows_no_secret(log_lines) -> None:
    logger, stream = log_lines
    # GIVEN settings holding real-looking secrets
    settings = load_settings(TWILIO_AUTH_TOKEN=SECRET, DASHBOARD_WEBHOOK_SECRET="w" * 40)
    # WHEN someone logs the whole object, as an argument and as a field
    logger.info("loaded %s", settings, extra={"config": settings})
    # THEN neither secret is printed
    assert SECRET not in stream.getvalue()
    assert "w" * 40 not in stream.getvalue()


def test_timestamps_and_ids_are_not_mistaken_for_phone_numbers(log_lines) -> None:
    logger, stream = log_lines
    # GIVEN a field holding a timestamp and a message with a date and an id
    logger.info("token expires 2026-11-21T20:35:55Z", extra={"expires_at": "2026-11-21T20:35:55.123Z"})
    # WHEN written THEN they stay readable
    entry = lines(stream)[0]
    assert entry["msg"] == "token expires 2026-11-21T20:35:55Z"
    assert entry["expires_at"] == "2026-11-21T20:35:55.123Z"


def test_configure_logging_writes_json_lines_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    # GIVEN the root logger configured by an entry point
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    try:
        configure_logging("debug")
        # WHEN a module logs
        logging.getLogger("functions.incoming_call").debug("no enabled business", extra={"to": CALLER})
        # THEN stderr has one JSON line with the masked number, at the configured level
        entry = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
        assert (entry["logger"], entry["level"], entry["to"]) == ("functions.incoming_call", "debug", "+1555•••4321")
        assert entry["ts"].endswith("Z")
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)


def test_links_that_open_a_call_are_redacted(log_lines) -> None:
    # GIVEN a request line with a photo token, a call page and a console call path, and a call id field
    logger, stream = log_lines
    token, call_id = "F_vGnaSnkS9QZPT2lFUqd2w3vUgvmMfS3HndDMkYohg", "QMJvEcE_BH56vaG4fG8KYw"
    logger.info('"GET /photo/%s HTTP/1.1" 200', token, extra={"call_id": call_id, "url": f"https://x/c/{call_id}"})
    logger.info("/admin/calls/%s/resend and /admin/calls", call_id)
    # WHEN written THEN neither credential is in the log, and the routes still read clearly
    first, second = lines(stream)
    assert first["msg"] == '"GET /photo/[redacted] HTTP/1.1" 200'
    assert first["call_id"] == "[redacted]"
    assert first["url"] == "https://x/c/[redacted]"
    assert second["msg"] == "/admin/calls/[redacted]/resend and /admin/calls"
