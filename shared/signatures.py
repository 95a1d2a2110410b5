"""Every signature and token BuddyHelps issues or checks.

- Twilio webhooks: X-Twilio-Signature (HMAC-SHA1 over the public URL + sorted params), via the SDK.
- Worker → functions requests: HMAC-SHA256 over timestamp, method, path and body, 5-minute replay
  window (a body signed for one route does not pass at another).
- Media stream tokens: short-lived, bound to one call sid, passed as a TwiML <Parameter>.
- Photo upload tokens: 128+ random bits; only their SHA-256 is stored.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Mapping

from twilio.request_validator import RequestValidator

REPORT_WINDOW_S = 300
# The routes the worker calls, as the functions' router sees them (no stage prefix): what gets signed.
CALL_COMPLETE_PATH = "/api/call-complete"
PHOTO_LINK_PATH = "/api/photo-link"
STREAM_TOKEN_TTL_S = 300


class SignatureError(ValueError):
    """A signature or token that must be refused; the message says why (safe to log)."""


def verify_twilio_signature(*, auth_token: str, url: str, params: Mapping[str, str], signature: str) -> bool:
    if not signature:
        return False
    return bool(RequestValidator(auth_token).validate(url, dict(params), signature))


def twilio_signature(*, auth_token: str, url: str, params: Mapping[str, str]) -> str:
    """What Twilio would send for this request (used by the caller simulator and tests)."""
    return str(RequestValidator(auth_token).compute_signature(url, dict(params)))


def sign_report(*, secret: str, timestamp: int, method: str, path: str, body: bytes) -> str:
    if "\n" in method or "\n" in path:
        raise SignatureError("method and path cannot contain a line break")
    # One field per line before the body: no two (method, path, body) triples give the same message.
    message = f"{timestamp}\n{method.upper()}\n{path}\n".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify_report(
    *,
    secret: str,
    timestamp: str | None,
    signature: str | None,
    method: str,
    path: str,
    body: bytes,
    now: float | None = None,
) -> None:
    """Raise SignatureError unless this request (method, path, body) is signed within the replay window."""
    if not timestamp or not signature:
        raise SignatureError("missing signature or timestamp header")
    try:
        sent_at = int(timestamp)
    except ValueError as error:
        raise SignatureError("timestamp is not an integer") from error
    current = time.time() if now is None else now
    if abs(current - sent_at) > REPORT_WINDOW_S:
        raise SignatureError("timestamp outside the 5-minute window")
    expected = sign_report(secret=secret, timestamp=sent_at, method=method, path=path, body=body)
    if not hmac.compare_digest(expected, signature):
        raise SignatureError("signature does not match")


def _stream_key(secret: str) -> bytes:
    # Derived so a stream token can never be replayed as a report signature or vice versa.
    return hmac.new(secret.encode(), b"buddyhelps-stream-token-v1", hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def issue_stream_token(*, secret: str, call_sid: str, now: float | None = None, ttl_s: int = STREAM_TOKEN_TTL_S) -> str:
    issued = int(time.time() if now is None else now)
    payload = _b64(json.dumps({"sid": call_sid, "exp": issued + ttl_s}, separators=(",", ":")).encode())
    mac = hmac.new(_stream_key(secret), payload.encode(), hashlib.sha256).digest()
    return payload + "." + _b64(mac)


def verify_stream_token(*, secret: str, token: str, call_sid: str, now: float | None = None) -> None:
    """Raise SignatureError unless the token was issued by us, for this call, and has not expired."""
    payload, _, mac = token.partition(".")
    if not payload or not mac:
        raise SignatureError("stream token is malformed")
    expected = hmac.new(_stream_key(secret), payload.encode(), hashlib.sha256).digest()
    try:
        given = _unb64(mac)
        claims = json.loads(_unb64(payload))
    except (ValueError, json.JSONDecodeError) as error:
        raise SignatureError("stream token is malformed") from error
    if not hmac.compare_digest(expected, given):
        raise SignatureError("stream token signature does not match")
    if not isinstance(claims, dict) or claims.get("sid") != call_sid:
        raise SignatureError("stream token was issued for another call")
    current = time.time() if now is None else now
    if not isinstance(claims.get("exp"), int) or current > claims["exp"]:
        raise SignatureError("stream token has expired")


def new_photo_token() -> tuple[str, str]:
    """(token for the link, its hash for the database): 256 random bits."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
