"""The account's phone numbers at Twilio: search, buy, list, and point a number at BuddyHelps.

The SDK is synchronous (requests), so each call runs in a thread. Its base URL can be redirected
(settings.twilio_api_base_url) to a local server in tests.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.rest import Client

from functions.edge_app import SettingsDep
from shared.settings import Settings
from shared.structured_logging import mask_phone

log = logging.getLogger(__name__)


class NumberProviderError(RuntimeError):
    """Twilio refused or could not be reached; the message is fit for an operator."""


@dataclass(frozen=True)
class AvailableNumber:
    e164: str
    friendly_name: str
    locality: str
    region: str


@dataclass(frozen=True)
class AccountNumber:
    sid: str
    e164: str
    friendly_name: str
    voice_url: str


class TwilioNumbers:
    def __init__(self, settings: Settings) -> None:
        self._client = Client(settings.twilio_account_sid, settings.twilio_auth_token)
        if settings.twilio_api_base_url:
            self._client.api.base_url = settings.twilio_api_base_url.rstrip("/")
        self.voice_url = settings.public_url("/incoming-call")
        self.status_callback = settings.public_url("/call-status")

    async def _run(self, what: str, call: Any, **kwargs: Any) -> Any:
        try:
            return await asyncio.to_thread(call, **kwargs)
        except TwilioRestException as error:
            log.warning("twilio refused", extra={"action": what, "twilio_code": error.code, "status": error.status})
            raise NumberProviderError(f"Twilio refused to {what}: {error.msg} (code {error.code})") from error
        except (TwilioException, OSError) as error:
            log.warning("twilio unreachable", extra={"action": what, "reason": type(error).__name__})
            raise NumberProviderError(f"could not reach Twilio to {what}; try again") from error

    async def search(
        self, *, country: str = "US", area_code: str | None = None, contains: str | None = None, limit: int = 20
    ) -> list[AvailableNumber]:
        query: dict[str, Any] = {"limit": limit}
        if area_code:
            query["area_code"] = area_code
        if contains:
            query["contains"] = contains
        found = await self._run(
            "search for numbers", self._client.available_phone_numbers(country.upper()).local.list, **query
        )
        return [
            AvailableNumber(
                e164=item.phone_number,
                friendly_name=item.friendly_name or item.phone_number,
                locality=item.locality or "",
                region=item.region or "",
            )
            for item in found
        ]

    async def buy(self, e164: str) -> str:
        """Buy the number with its webhooks already set; returns its Twilio sid."""
        created = await self._run(
            "buy the number",
            self._client.incoming_phone_numbers.create,
            phone_number=e164,
            voice_url=self.voice_url,
            voice_method="POST",
            status_callback=self.status_callback,
            status_callback_method="POST",
        )
        log.info("bought number", extra={"number": mask_phone(e164)})
        return str(created.sid)

    async def account_numbers(self) -> list[AccountNumber]:
        found = await self._run("list the account's numbers", self._client.incoming_phone_numbers.list, limit=200)
        return [
            AccountNumber(
                sid=item.sid,
                e164=item.phone_number,
                friendly_name=item.friendly_name or item.phone_number,
                voice_url=item.voice_url or "",
            )
            for item in found
        ]

    async def point_at_buddyhelps(self, sid: str) -> None:
        await self._run(
            "update the number's webhooks",
            self._client.incoming_phone_numbers(sid).update,
            voice_url=self.voice_url,
            voice_method="POST",
            status_callback=self.status_callback,
            status_callback_method="POST",
        )


def twilio_numbers(settings: SettingsDep) -> TwilioNumbers:
    return TwilioNumbers(settings)


TwilioNumbersDep = Annotated[TwilioNumbers, Depends(twilio_numbers)]
