"""Each receptionist tool as a caller would notice it: hours from the definition, a message for a named
person, a transfer (or a message after hours), a visit booked into a real CalDAV calendar or the link texted."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qs

import httpx
from fastapi import FastAPI, Request, Response

from gpu_worker.tools.book_visit import BookVisitTool, VisitArguments
from gpu_worker.tools.hours import HoursArguments, HoursTool
from gpu_worker.tools.take_message import MessageArguments, TakeMessageTool
from gpu_worker.tools.transfer import TransferArguments, TransferTool, TwilioRedirector
from shared.calendars import CalendarChoice
from shared.calendars.factory import open_booking_desk
from shared.people.directory import Contact, Directory
from shared.settings import Settings, load_settings
from tests.gpu_worker.tools.tool_call import SentMessages, SentTexts, context_for
from tests.radicale_server import RadicaleServer

MONDAY_AFTERNOON = datetime(2026, 11, 30, 21, 0, tzinfo=UTC)  # 16:00 in New York, 15:00 in Chicago
SUNDAY = datetime(2026, 11, 29, 17, 0, tzinfo=UTC)
OFFICE = Directory(
    (
        Contact(name="Sam Rivera", phone="+12125550111", email="sam@frontdesk.example"),
        Contact(name="Billing", kind="department", phone="+12125550122", aliases=("accounts",)),
        Contact(name="Dana", email="dana@frontdesk.example"),
    )
)


async def test_hours_open_now_and_on_a_day_come_from_the_definition() -> None:
    tool = HoursTool(context_for("front_desk", MONDAY_AFTERNOON))
    now = await tool.run(HoursArguments(now=True), language="en")
    assert now.spoken == "We're open now, until 5 PM."
    saturday = await tool.run(HoursArguments(day="sat"), language="en")
    assert saturday.spoken == "We're closed on Saturday."
    closed = await HoursTool(context_for("front_desk", SUNDAY)).run(HoursArguments(now=True), language="en")
    assert closed.spoken.startswith("We're closed right now. We open again tomorrow at 9 AM.")


async def test_a_message_for_a_named_person_goes_to_them_and_is_kept_on_the_call() -> None:
    sent = SentMessages()
    tool = TakeMessageTool(context_for("front_desk", MONDAY_AFTERNOON), OFFICE, sent)
    arguments = MessageArguments(for_whom="Sam", from_name="Alex", message="The invoice is wrong.")
    result = await tool.run(arguments, language="en")
    assert result.spoken == "I'll pass your message on to Sam Rivera. They'll call you back on 3 1 2, 5 5 5, 0 1 4 2."
    assert [(m.contact and m.contact.email, m.message) for m in sent.sent] == [
        ("sam@frontdesk.example", "The invoice is wrong.")
    ]
    assert tool.taken == sent.sent


async def test_a_message_for_nobody_known_goes_to_the_team() -> None:
    sent = SentMessages()
    tool = TakeMessageTool(context_for("front_desk", MONDAY_AFTERNOON, caller=""), OFFICE, sent)
    result = await tool.run(MessageArguments(for_whom="the manager", message="Call me"), language="en")
    assert result.spoken == "I'll pass your message on to the team."
    assert sent.sent[0].contact is None


def _twilio_rest() -> tuple[FastAPI, list[dict[str, str]]]:
    """Twilio's `Calls/{sid}.json` update at the HTTP boundary: records the Twiml it was given."""
    app, updates = FastAPI(), list[dict[str, str]]()

    @app.post("/2010-04-01/Accounts/{account}/Calls/{sid}.json")
    async def update(account: str, sid: str, request: Request) -> Response:
        form = {key: values[0] for key, values in parse_qs((await request.body()).decode()).items()}
        updates.append({"account": account, "sid": sid, **form})
        return Response('{"status": "in-progress"}', media_type="application/json")

    return app, updates


async def test_a_transfer_says_it_is_connecting_then_redirects_the_call_to_a_dial() -> None:
    app, updates = _twilio_rest()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://twilio.test") as client:
        redirector = TwilioRedirector(base_url="http://twilio.test", account_sid="AC1", auth_token="t", client=client)
        context = context_for("front_desk", MONDAY_AFTERNOON)
        tool = TransferTool(context, OFFICE, redirector, functions_url="http://127.0.0.1:8000/")
        result = await tool.run(TransferArguments(to="accounts"), language="en")
        assert result.spoken == "Please hold while I connect you to Billing."
        assert updates == []  # nothing happens until the caller has heard that
        assert result.follow_up is not None
        assert result.hands_off  # once redirected, the call leaves this stream
        await result.follow_up()
    assert updates[0]["sid"] == context.call_sid
    twiml = updates[0]["Twiml"]
    action = "http://127.0.0.1:8000/twilio/transfer-end?business_id=biz-1&amp;to=Billing"
    assert f'<Dial timeout="20" action="{action}">' in twiml
    assert "<Number>+12125550122</Number>" in twiml


async def test_a_transfer_after_hours_or_to_someone_without_a_phone_offers_a_message() -> None:
    for now, to, said in (
        (SUNDAY, "Sam", "Sam Rivera isn't available right now, as we're closed. I can take a message for them."),
        (MONDAY_AFTERNOON, "Dana", "I can't put you through to Dana, but I can take a message for them."),
    ):
        tool = TransferTool(context_for("front_desk", now), OFFICE, _NeverRedirect(), functions_url="http://x")
        result = await tool.run(TransferArguments(to=to), language="en")
        assert (result.spoken, result.follow_up) == (said, None)


class _NeverRedirect:
    async def redirect(self, call_sid: str, twiml: str) -> None:
        raise AssertionError("no redirect expected")


async def test_a_visit_is_offered_chosen_booked_into_caldav_and_texted(
    settings: Settings, radicale: RadicaleServer, caldav_calendar_url: str
) -> None:
    configured = load_settings(
        BUDDYHELPS_DATA_DIR=settings.data_dir,
        CALENDAR_PROVIDER="caldav",
        CALDAV_URL=caldav_calendar_url,
        CALDAV_USERNAME=radicale.username,
        CALDAV_PASSWORD=radicale.password,
    )
    context = context_for("hvac", MONDAY_AFTERNOON)
    hours = context.definition.facts.hours
    assert hours is not None
    texts = SentTexts()
    async with open_booking_desk(configured, CalendarChoice(provider="caldav"), hours) as desk:
        tool = BookVisitTool(context, desk, texts, timezone=hours.timezone)
        offered = await tool.run(VisitArguments(wish="Wednesday morning"), language="en")
        assert offered.spoken.startswith("I have Wednesday, December 2")
        assert offered.spoken.endswith("Which suits you?")
        booked = await tool.run(VisitArguments(choice="the second one"), language="en")
    assert booked.spoken.startswith("You're booked for Wednesday, December 2")
    assert booked.spoken.endswith("I've texted you the confirmation.")
    assert texts.texts == [("confirmed", booked.detail["starts"])]


async def test_no_calendar_means_the_booking_link_is_texted(settings: Settings) -> None:
    linked = load_settings(BUDDYHELPS_DATA_DIR=settings.data_dir, BOOKING_LINK_URL="https://book.example/hvac")
    context = context_for("hvac", MONDAY_AFTERNOON)
    hours = context.definition.facts.hours
    assert hours is not None
    texts = SentTexts()
    async with open_booking_desk(linked, CalendarChoice(provider="none"), hours) as desk:
        tool = BookVisitTool(context, desk, texts, timezone=hours.timezone)
        result = await tool.run(VisitArguments(wish="tomorrow at 9"), language="en")
    assert result.spoken == "I can't book that during the call, so I've texted you a link to pick a time."
    assert texts.texts == [("link", "https://book.example/hvac")]


async def test_an_exact_wish_is_offered_not_booked_until_the_caller_says_yes(
    settings: Settings, radicale: RadicaleServer, caldav_calendar_url: str
) -> None:
    configured = load_settings(
        BUDDYHELPS_DATA_DIR=settings.data_dir,
        CALENDAR_PROVIDER="caldav",
        CALDAV_URL=caldav_calendar_url,
        CALDAV_USERNAME=radicale.username,
        CALDAV_PASSWORD=radicale.password,
    )
    context = context_for("hvac", MONDAY_AFTERNOON)
    hours = context.definition.facts.hours
    assert hours is not None
    texts = SentTexts()
    async with open_booking_desk(configured, CalendarChoice(provider="caldav"), hours) as desk:
        tool = BookVisitTool(context, desk, texts, timezone=hours.timezone)
        # "December 8" once read as 8 AM and booked unheard: now every wish is offered first
        offered = await tool.run(VisitArguments(wish="December 8 morning"), language="en")
        assert offered.detail["booking"] == "offered"
        assert texts.texts == []
        booked = await tool.run(VisitArguments(choice="Yes, that works"), language="en")
    assert booked.spoken.startswith("You're booked for Tuesday, December 8")
    assert [kind for kind, _ in texts.texts] == ["confirmed"]
