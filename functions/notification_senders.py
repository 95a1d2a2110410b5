"""Who actually delivers a notification: Twilio (SMS), Resend (email), or the recorder of the embedded default.

The recorder is what a newcomer gets with no keys set: the message is kept in the notifications table
with status `recorded` (its text is never logged). With TWILIO_SEND_SMS=true or
RESEND_API_KEY set, the real SDKs send (their base URLs can point at a local server for tests).
The SDKs block, so each send runs in a worker thread.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Literal, Protocol

import requests
import resend
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from shared.repositories.notifications import Notification
from shared.settings import Settings
from shared.structured_logging import mask_phone

log = logging.getLogger(__name__)
PROVIDER_TIMEOUT_S = 5  # keeps /api/call-complete answering within seconds even when a provider hangs
RETRYABLE_STATUSES = frozenset({408, 409, 425, 429})


@dataclass(frozen=True)
class SendResult:
    status: Literal["sent", "recorded"]
    provider_id: str | None


class SendError(RuntimeError):
    """A send that did not go through; `retryable` is False when trying again cannot help."""

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


class NotificationSender(Protocol):
    async def send(self, notification: Notification) -> SendResult: ...


def _retryable(status: int) -> bool:
    return status >= 500 or status in RETRYABLE_STATUSES


class OutboxRecorder:
    """The embedded default: nothing leaves the machine; the message stays in the notifications table.

    Only that it was recorded is logged, never the text: it holds names, addresses, transcripts and
    links that open the call (`buddyhelps demo` prints the stored messages for a newcomer).
    """

    async def send(self, notification: Notification) -> SendResult:
        log.info(
            "notification recorded, not sent (no provider keys set)",
            extra={
                "notification_id": notification.id,
                "purpose": notification.purpose,
                "channel": notification.channel,
                "recipient": mask_phone(notification.recipient) if notification.channel == "sms" else "[email]",
                "outbox": "recorded",
            },
        )
        return SendResult(status="recorded", provider_id=None)


class TwilioSmsSender:
    def __init__(self, *, account_sid: str, auth_token: str, from_number: str, api_base_url: str | None = None) -> None:
        self._client = Client(account_sid, auth_token, http_client=TwilioHttpClient(timeout=PROVIDER_TIMEOUT_S))
        if api_base_url:
            self._client.api.base_url = api_base_url.rstrip("/")
        self._from = from_number

    async def send(self, notification: Notification) -> SendResult:
        try:
            message = await asyncio.to_thread(
                self._client.messages.create, to=notification.recipient, from_=self._from, body=notification.body
            )
        except TwilioRestException as error:
            raise SendError(
                f"Twilio answered {error.status} (code {error.code}): {error.msg}", retryable=_retryable(error.status)
            ) from error
        except (TwilioException, requests.RequestException, OSError) as error:
            raise SendError(f"Twilio unreachable: {type(error).__name__}", retryable=True) from error
        log.info("sms sent", extra={"to": mask_phone(notification.recipient), "provider_id": message.sid})
        return SendResult(status="sent", provider_id=message.sid)


class ResendEmailSender:
    def __init__(self, *, api_key: str, from_address: str, api_url: str | None = None) -> None:
        # The Resend SDK keeps its configuration on the module: one configuration per process.
        resend.api_key = api_key
        if api_url:
            resend.api_url = api_url.rstrip("/")
        resend.default_http_client = resend.RequestsClient(timeout=PROVIDER_TIMEOUT_S)
        self._from = from_address

    async def send(self, notification: Notification) -> SendResult:
        params: resend.Emails.SendParams = {
            "from": self._from,
            "to": [notification.recipient],
            "subject": notification.subject or "BuddyHelps",
            "text": notification.body,
        }
        if notification.html_body:
            params["html"] = notification.html_body
        # A retry after a timed-out attempt that had gone through does not become a second email (Resend
        # keeps idempotency keys for 24 h, so an operator's re-send of a delivered email is also deduplicated).
        options: resend.Emails.SendOptions = {"idempotency_key": notification.id}
        try:
            response = await asyncio.to_thread(resend.Emails.send, params, options)
        except resend.exceptions.ResendError as error:
            status = int(error.code) if str(error.code).isdigit() else 500
            raise SendError(f"Resend answered {status}: {error.message}", retryable=_retryable(status)) from error
        log.info("email sent", extra={"provider_id": response["id"]})
        return SendResult(status="sent", provider_id=response["id"])


@dataclass(frozen=True)
class Senders:
    sms: NotificationSender
    email: NotificationSender

    def for_channel(self, channel: str) -> NotificationSender:
        return self.email if channel == "email" else self.sms


def create_senders(settings: Settings) -> Senders:
    sms: NotificationSender = OutboxRecorder()
    email: NotificationSender = OutboxRecorder()
    if settings.twilio_send_sms:
        sms = TwilioSmsSender(
            account_sid=settings.twilio_account_sid,
            auth_token=settings.twilio_auth_token,
            from_number=settings.twilio_sms_from,
            api_base_url=settings.twilio_api_base_url,
        )
    if settings.resend_api_key:
        email = ResendEmailSender(
            api_key=settings.resend_api_key, from_address=settings.email_from, api_url=settings.resend_api_url
        )
    return Senders(sms=sms, email=email)
