"""Placing an outbound call through Twilio's REST API (the SDK; TWILIO_API_BASE_URL points it at the
simulator locally), and redirecting a live call to other TwiML (the voicemail after the beep).

Answering-machine detection is asynchronous (`AsyncAmd`) with `DetectMessageEnd`: the call is connected
to the worker at once, so a person never waits through detection, and the result arrives later at the
AMD callback, after a machine's greeting and beep.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any, Protocol

from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from shared.settings import Settings

log = logging.getLogger(__name__)
PROVIDER_TIMEOUT_S = 10.0
STATUS_EVENTS = ["initiated", "ringing", "answered", "completed"]


class DialFailed(RuntimeError):
    """Twilio refused or could not be reached; the attempt counts as failed (and is retried)."""


@dataclass(frozen=True, kw_only=True)
class OutboundCall:
    to_number: str
    from_number: str
    answer_url: str
    status_url: str
    amd_url: str


class Dialer(Protocol):
    async def place(self, call: OutboundCall) -> str: ...

    async def redirect(self, call_sid: str, twiml: str) -> None: ...


class TwilioDialer:
    def __init__(self, settings: Settings) -> None:
        self._client = Client(
            settings.twilio_account_sid,
            settings.twilio_auth_token,
            http_client=TwilioHttpClient(timeout=PROVIDER_TIMEOUT_S),
        )
        if settings.twilio_api_base_url:
            self._client.api.base_url = settings.twilio_api_base_url.rstrip("/")

    async def place(self, call: OutboundCall) -> str:
        created = await self._run(
            "place a call",
            self._client.calls.create,
            to=call.to_number,
            from_=call.from_number,
            url=call.answer_url,
            method="POST",
            status_callback=call.status_url,
            status_callback_method="POST",
            status_callback_event=STATUS_EVENTS,
            machine_detection="DetectMessageEnd",
            async_amd="true",
            async_amd_status_callback=call.amd_url,
            async_amd_status_callback_method="POST",
        )
        return str(created.sid)

    async def redirect(self, call_sid: str, twiml: str) -> None:
        await self._run("redirect a call", self._client.calls(call_sid).update, twiml=twiml)

    async def _run(self, what: str, action: Any, **kwargs: Any) -> Any:
        try:
            return await asyncio.to_thread(action, **kwargs)
        except TwilioRestException as error:
            log.warning("twilio refused", extra={"action": what, "twilio_code": error.code, "status": error.status})
            raise DialFailed(f"Twilio refused to {what}: {error.msg} (code {error.code})") from error
        except (TwilioException, OSError) as error:
            log.warning("twilio unreachable", extra={"action": what, "reason": type(error).__name__})
            raise DialFailed(f"could not reach Twilio to {what}") from error
