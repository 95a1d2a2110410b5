"""Signatures and tokens: Twilio webhooks (real SDK), worker reports, media stream and photo tokens."""

from __future__ import annotations

import base64
import json
import time

import pytest
from twilio.request_validator import RequestValidator

from shared.signatures import (
    SignatureError,
    hash_token,
    issue_stream_token,
    new_photo_token,
    sign_report,
    twilio_signature,
    verify_report,
    verify_stream_token,
    verify_twilio_signature,
)

AUTH_TOKEN = "0123456789abcdef0123456789abcdef"
SECRET = "a-long-webhook-secret-of-at-least-32-chars"
URL = "https://abc.execute-api.us-east-1.amazonaws.com/prod/incoming-call"
PARAMS = {"CallSid": "CA" + "1" * 32, "From": "+15557654321", "To": "+15550100001"}
PATH = "/api/call-complete"


def test_a_signature_twilio_would_send_is_accepted() -> None:
    # GIVEN a signature computed by the twilio SDK itself
    signature = RequestValidator(AUTH_TOKEN).compute_signature(URL, PARAMS)
    # WHEN verified THEN it is accepted, and our own signer produces the same value
    assert verify_twilio_signature(auth_token=AUTH_TOKEN, url=URL, params=PARAMS, signature=signature)
    assert twilio_signature(auth_token=AUTH_TOKEN, url=URL, params=PARAMS) == signature


@pytest.mark.parametrize(
    ("url", "params", "token"),
    [
        (URL, {**PARAMS, "To": "+15550100002"}, AUTH_TOKEN),
        (URL, {**PARAMS, "Extra": "1"}, AUTH_TOKEN),
        ("https://evil.example/prod/incoming-call", PARAMS, AUTH_TOKEN),
        (URL.replace("/prod", ""), PARAMS, AUTH_TOKEN),
        (URL, PARAMS, "another-accounts-auth-token-000000"),
    ],
    ids=["tampered-param", "added-param", "other-host", "other-path", "other-token"],
)
def test_a_signature_for_anything_else_is_refused(url: str, params: dict[str, str], token: str) -> None:
    # GIVEN a genuine signature of the original request
    signature = RequestValidator(AUTH_TOKEN).compute_signature(URL, PARAMS)
    # WHEN checked against a different request, URL or token THEN it is refused
    assert not verify_twilio_signature(auth_token=token, url=url, params=params, signature=signature)


def test_a_missing_signature_is_refused() -> None:
    assert not verify_twilio_signature(auth_token=AUTH_TOKEN, url=URL, params=PARAMS, signature="")


def test_a_signed_report_within_the_window_is_accepted() -> None:
    # GIVEN a report body signed by the worker a minute ago
    body = b'{"call_sid": "CA1"}'
    sent = int(time.time()) - 60
    signature = sign_report(secret=SECRET, timestamp=sent, method="POST", path=PATH, body=body)
    # WHEN verified THEN it passes (no exception)
    verify_report(secret=SECRET, timestamp=str(sent), signature=signature, method="POST", path=PATH, body=body)


@pytest.mark.parametrize(
    ("timestamp_offset", "body", "secret", "reason"),
    [
        (-301, b'{"call_sid": "CA1"}', SECRET, "outside the 5-minute window"),
        (301, b'{"call_sid": "CA1"}', SECRET, "outside the 5-minute window"),
        (0, b'{"call_sid": "CA2"}', SECRET, "does not match"),
        (0, b'{"call_sid": "CA1"}', "another-secret-another-secret-another", "does not match"),
    ],
    ids=["replayed", "from-the-future", "tampered-body", "wrong-secret"],
)
def test_a_bad_report_is_refused_with_the_reason(timestamp_offset: int, body: bytes, secret: str, reason: str) -> None:
    # GIVEN a report signed over the original body at "now + offset"
    sent = int(time.time()) + timestamp_offset
    signature = sign_report(secret=SECRET, timestamp=sent, method="POST", path=PATH, body=b'{"call_sid": "CA1"}')
    # WHEN verified against a different body, secret or time THEN it is refused and says why
    with pytest.raises(SignatureError, match=reason):
        verify_report(secret=secret, timestamp=str(sent), signature=signature, method="POST", path=PATH, body=body)


@pytest.mark.parametrize(
    ("method", "path"), [("POST", "/api/photo-link"), ("PUT", PATH), ("POST", PATH + "/")], ids=str
)
def test_a_report_signed_for_one_route_is_refused_at_another(method: str, path: str) -> None:
    # GIVEN a body signed for POST /api/call-complete
    sent = int(time.time())
    signature = sign_report(secret=SECRET, timestamp=sent, method="POST", path=PATH, body=b"{}")
    # WHEN it is presented with another method or path THEN the signature does not match
    with pytest.raises(SignatureError, match="does not match"):
        verify_report(secret=SECRET, timestamp=str(sent), signature=signature, method=method, path=path, body=b"{}")


@pytest.mark.parametrize(
    ("timestamp", "signature", "reason"),
    [(None, "abc", "missing"), ("123", None, "missing"), ("yesterday", "abc", "not an integer")],
)
def test_missing_or_malformed_report_headers_are_refused(
    timestamp: str | None, signature: str | None, reason: str
) -> None:
    with pytest.raises(SignatureError, match=reason):
        verify_report(secret=SECRET, timestamp=timestamp, signature=signature, method="POST", path=PATH, body=b"{}")


def test_a_stream_token_verifies_for_its_call_until_it_expires() -> None:
    # GIVEN a token issued for one call
    sid = "CA" + "1" * 32
    token = issue_stream_token(secret=SECRET, call_sid=sid, now=1_000_000, ttl_s=300)
    # WHEN verified within its lifetime THEN it passes
    verify_stream_token(secret=SECRET, token=token, call_sid=sid, now=1_000_299)
    # WHEN verified after it expired, for another call, or with another secret THEN it is refused
    with pytest.raises(SignatureError, match="expired"):
        verify_stream_token(secret=SECRET, token=token, call_sid=sid, now=1_000_301)
    with pytest.raises(SignatureError, match="another call"):
        verify_stream_token(secret=SECRET, token=token, call_sid="CA" + "2" * 32, now=1_000_001)
    with pytest.raises(SignatureError, match="does not match"):
        verify_stream_token(secret="x" * 40, token=token, call_sid=sid, now=1_000_001)


def test_a_stream_token_with_a_rewritten_payload_is_refused() -> None:
    # GIVEN a genuine token whose payload an attacker rewrites for another call, keeping the MAC
    token = issue_stream_token(secret=SECRET, call_sid="CA" + "1" * 32)
    _, _, mac = token.partition(".")
    forged_claims = {"sid": "CA" + "2" * 32, "exp": int(time.time()) + 10_000}
    forged = base64.urlsafe_b64encode(json.dumps(forged_claims).encode()).rstrip(b"=").decode() + "." + mac
    # WHEN verified THEN the signature check refuses it
    with pytest.raises(SignatureError, match="does not match"):
        verify_stream_token(secret=SECRET, token=forged, call_sid="CA" + "2" * 32)


@pytest.mark.parametrize("token", ["", "no-dot", ".mac-only", "payload.", "!!!.@@@"])
def test_a_malformed_stream_token_is_refused(token: str) -> None:
    with pytest.raises(SignatureError):
        verify_stream_token(secret=SECRET, token=token, call_sid="CA1")


def test_a_stream_token_cannot_pass_as_a_report_signature() -> None:
    # GIVEN a stream token issued with the same secret as reports
    now = int(time.time())
    token = issue_stream_token(secret=SECRET, call_sid="CA1", now=now)
    payload, _, mac = token.partition(".")
    # WHEN presented as a report signature over its own payload THEN it is refused
    with pytest.raises(SignatureError, match="does not match"):
        verify_report(secret=SECRET, timestamp=str(now), signature=mac, method="POST", path=PATH, body=payload.encode())


def test_photo_tokens_are_random_and_only_their_hash_is_kept() -> None:
    # GIVEN two new photo tokens
    (token_a, hash_a), (token_b, _) = new_photo_token(), new_photo_token()
    # THEN they differ, are long, and the stored hash is the token's SHA-256, not the token
    assert token_a != token_b
    assert len(token_a) >= 43
    assert hash_a == hash_token(token_a)
    assert token_a not in hash_a
    assert len(hash_a) == 64
