"""The webhooks Twilio sends around a call, signed exactly as Twilio signs them."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass

import httpx

from shared.signatures import twilio_signature

API_VERSION = "2010-04-01"


def new_sid(prefix: str) -> str:
    """A Twilio-shaped sid: two letters and 32 hex digits (CA… calls, MZ… streams)."""
    return prefix + secrets.token_hex(16)


@dataclass(frozen=True, kw_only=True)
class WebhookTarget:
    """Where to POST (`functions_url`) and which public URL Twilio signs (`public_base_url`)."""

    functions_url: str
    public_base_url: str
    auth_token: str

    def post_url(self, path: str) -> str:
        return self.functions_url.rstrip("/") + path

    def signed_url(self, path: str) -> str:
        return self.public_base_url.rstrip("/") + path


def incoming_call_form(*, call_sid: str, account_sid: str, caller: str, called: str) -> dict[str, str]:
    return {
        "AccountSid": account_sid,
        "ApiVersion": API_VERSION,
        "CallSid": call_sid,
        "CallStatus": "ringing",
        "Called": called,
        "CalledCountry": "US",
        "Caller": caller,
        "CallerCountry": "US",
        "Direction": "inbound",
        "From": caller,
        "FromCountry": "US",
        "To": called,
        "ToCountry": "US",
    }


def call_status_form(*, call_sid: str, account_sid: str, caller: str, called: str, duration_s: float) -> dict[str, str]:
    form = incoming_call_form(call_sid=call_sid, account_sid=account_sid, caller=caller, called=called)
    form.update(
        {
            "CallStatus": "completed",
            "CallDuration": str(max(0, round(duration_s))),
            "Duration": str(max(1, -(-round(duration_s) // 60))),
            "CallbackSource": "call-progress-events",
            "SequenceNumber": "0",
        }
    )
    return form


async def post_signed(
    client: httpx.AsyncClient, target: WebhookTarget, path: str, form: Mapping[str, str]
) -> httpx.Response:
    signature = twilio_signature(auth_token=target.auth_token, url=target.signed_url(path), params=form)
    return await client.post(
        target.post_url(path),
        data=dict(form),
        headers={"X-Twilio-Signature": signature, "User-Agent": "TwilioProxy/1.1"},
    )
