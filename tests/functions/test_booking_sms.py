"""The caller's booking texts: the confirmation of a booked visit on the business's clock, and the booking
link when the call could not book, queued and sent through the real Twilio SDK to the provider fake."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from functions.notification_messages import caller_booking_link_sms, caller_booking_sms
from functions.notifications import dispatch
from shared.calendars import BookingLinkFallback, Slot
from shared.database import Database, utc_now
from shared.repositories.calls import create_call
from shared.repositories.notifications import NewNotification, insert_statement
from shared.settings import Settings
from tests.functions.conftest import BUSINESS_NUMBER, CALLER
from tests.provider_fake import ProviderFake

DENVER = ZoneInfo("America/Denver")


async def _send(db: Database, settings: Settings, message: NewNotification) -> None:
    call = await create_call(
        db, call_sid="CA" + "7" * 32, from_number=CALLER, to_number=BUSINESS_NUMBER, business_id=None
    )
    notification_id, statement = insert_statement(message, call_id=call.id, now=utc_now())
    await db.execute(*statement)
    [done] = await dispatch(db, settings, [notification_id])
    assert done.status == "sent"


async def test_a_booked_visit_is_confirmed_by_sms_in_the_business_time_zone(
    db: Database, live_settings: Settings, provider: ProviderFake
) -> None:
    # GIVEN a visit booked for 9:00 Denver time (16:00 UTC)
    slot = Slot(datetime(2026, 12, 1, 9, tzinfo=DENVER), datetime(2026, 12, 1, 10, tzinfo=DENVER))
    starts_utc = slot.start.astimezone(UTC).isoformat()
    # WHEN the confirmation is sent
    message = caller_booking_sms(
        business_name="Mile High Plumbing", starts_utc=starts_utc, timezone="America/Denver", to=CALLER
    )
    await _send(db, live_settings, message)
    # THEN the caller reads the Denver time, not UTC
    [sms] = provider.sms()
    assert sms.form["To"] == CALLER
    assert sms.form["Body"] == (
        "Mile High Plumbing: your visit is booked for Tuesday, December 1 at 9:00 AM MST. To change it, call us back."
    )


async def test_a_failed_booking_texts_the_booking_link_or_promises_a_call_back(
    db: Database, live_settings: Settings, provider: ProviderFake
) -> None:
    fallback = BookingLinkFallback(reason="calendar_failed", url="https://plumber.example/book", detail="google: 503")
    await _send(
        db,
        live_settings,
        caller_booking_link_sms(business_name="Mile High Plumbing", booking_url=fallback.url, to=CALLER),
    )
    no_link = caller_booking_link_sms(business_name="Mile High Plumbing", booking_url=None, to=CALLER)
    assert [sms.form["Body"] for sms in provider.sms()] == [
        "Thanks for calling Mile High Plumbing. Pick a time for your visit here: https://plumber.example/book"
    ]
    assert no_link.body.endswith("we will call you back to set a time.")
    assert no_link.purpose == "caller_booking_link"
