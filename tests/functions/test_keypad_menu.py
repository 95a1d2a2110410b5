"""The keypad menu before the agent, end to end: the incoming-call function served on loopback, the libSQL file,
and the simulator playing Twilio (<Gather> with keys or speech, <Say>, <Redirect>, <Dial>, <Record>,
then the media stream to a loopback worker that also answers /health). English and Spanish."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from http import HTTPStatus
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.server import ServerConnection, serve
from websockets.http11 import Request, Response

from buddyhelps.simulator.call_result import CallResult
from buddyhelps.simulator.caller import CallOptions, run_call
from buddyhelps.simulator.scenario import CallerLine, Scenario, load_scenario
from functions import incoming_call, keypad_menu, stream_end, transfer_end
from functions.edge_app import create_function_app
from shared.agents.keypad_menu import with_menu
from shared.database import Database, open_database
from shared.demo_business import DEMO_BUSINESS_ID, DEMO_NUMBER, seed_demo_business
from shared.people.directory import Contact, save_contact
from shared.repositories import agent_definitions, businesses, calls
from shared.settings import Settings, load_settings
from shared.signatures import verify_stream_token
from tests.buddyhelps.simulator.twilio_peers import FakeWorker, ToneVoice
from tests.functions.conftest import ServedApp
from tests.s3_server import free_port

FRONT_DESK = "+15550100777"
ALWAYS_OPEN = {day: [{"opens": "00:00", "closes": "12:00"}, {"opens": "12:00", "closes": "00:00"}] for day in
               ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}  # fmt: skip
NEVER_OPEN: dict[str, list[dict[str, str]]] = {}
WEEKDAYS_7_TO_6 = {day: [{"opens": "07:00", "closes": "18:00"}] for day in ("mon", "tue", "wed", "thu", "fri")}
HANG_UP_ON_THE_AGENT = CallerLine(text="Hi, I have a leak.", hangup_after_s=0.3)


@dataclass
class Stack:
    settings: Settings
    db: Database
    functions: ServedApp
    worker: FakeWorker
    health_requests: list[str]

    async def menu(self, *, weekly: dict[str, Any], language: str = "en") -> None:
        """Switch the demo business's keypad menu on, with these opening hours, speaking `language`."""
        stored = await agent_definitions.current_definition(self.db, DEMO_BUSINESS_ID)
        assert stored is not None
        data = stored.definition.model_dump(mode="json")
        data["facts"]["hours"]["weekly"] = weekly
        data["facts"]["hours"]["holidays"] = []
        definition = with_menu(type(stored.definition).model_validate(data), enabled=True)
        await agent_definitions.save_definition(self.db, DEMO_BUSINESS_ID, definition, "test", "menu on")
        await businesses.update_business(self.db, DEMO_BUSINESS_ID, language=language)

    async def call(self, scenario: Scenario, *, dial_answer: str = "no-answer") -> CallResult:
        options = CallOptions.from_settings(
            self.settings,
            functions_url=self.functions.base_url,
            to_number=DEMO_NUMBER,
            artifacts_dir=self.settings.data_dir / "calls",
        )
        options = replace(options, edge_time_scale=0.02, dial_answer=dial_answer)
        scenario = replace(scenario, linger_s=min(scenario.linger_s, 3.0))
        return await run_call(scenario=scenario, options=options, voice=ToneVoice())


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[Stack]:
    functions_port = free_port()
    settings = load_settings(
        BUDDYHELPS_DATA_DIR=tmp_path / "data", PUBLIC_BASE_URL=f"http://127.0.0.1:{functions_port}"
    )
    worker, health_requests = FakeWorker(greeting_s=0.4), list[str]()

    def health(connection: ServerConnection, request: Request) -> Response | None:
        if request.path != "/health":
            return None  # the media stream's upgrade
        health_requests.append(request.path)
        body = json.dumps({"ready": True, "active_calls": 0, "capacity": 2})
        return connection.respond(HTTPStatus.OK, body)

    async with serve(worker.handle, "127.0.0.1", 0, process_request=health) as server:
        worker_url = f"http://127.0.0.1:{next(iter(server.sockets)).getsockname()[1]}"
        db = await open_database(settings.database_url)
        await seed_demo_business(db, worker_url=worker_url, worker_capacity=2)
        await save_contact(db, DEMO_BUSINESS_ID, Contact(name="Front desk", kind="department", phone=FRONT_DESK))
        # The incoming-call Lambda's routes (its handler mounts the same four); /call-status is another's.
        app = create_function_app(
            incoming_call.router, stream_end.router, transfer_end.router, keypad_menu.router, settings=settings
        )
        served = ServedApp(app, functions_port)
        await served.start()
        try:
            yield Stack(settings, db, served, worker, health_requests)
        finally:
            await served.stop()
            await served.app.state.edge.close()
            await db.close()


def said(result: CallResult) -> list[tuple[str, str]]:
    return [(event.language, event.detail) for event in result.edge if event.verb == "say"]


async def test_key_1_says_the_hours_then_the_menu_again_and_silence_reaches_the_agent(stack: Stack) -> None:
    # GIVEN a business that answers with the keypad menu, open weekdays 7 to 6
    await stack.menu(weekly=WEEKDAYS_7_TO_6)
    # WHEN a caller presses 1, says nothing at the menu's second time, and then talks to whoever answers
    quiet_at_the_menu = replace(HANG_UP_ON_THE_AGENT, pause_before_s=5.5)  # past the menu's 5 s timeout
    result = await stack.call(Scenario(name="hours", lines=(CallerLine(dtmf="1"), quiet_at_the_menu)))
    # THEN Twilio said the menu, the hours (in English, from the definition) and the menu again
    spoken = said(result)
    assert spoken[0][0] == "en-US"
    assert "Press 1 for our hours" in spoken[0][1]
    assert spoken[1] == ("en-US", spoken[1][1])
    assert spoken[1][1].startswith("We're open Monday to Friday, 7 AM to 6 PM.")
    assert "For emergencies we answer around the clock." in spoken[1][1]
    assert "Press 1 for our hours" in spoken[2][1]
    assert [e.detail for e in result.edge if e.verb == "gather"] == ["1", ""]
    # AND after the silence the agent answered on a media stream with a valid token for this call
    assert result.outcome == "caller_hung_up", result
    assert stack.worker.start is not None
    token = stack.worker.start.custom_parameters["token"]
    verify_stream_token(secret=stack.settings.dashboard_webhook_secret, token=token, call_sid=result.call_sid)
    stored = await calls.get_call_by_sid(stack.db, result.call_sid)
    assert stored is not None
    assert stored.worker_id is not None
    assert not stored.voicemail


async def test_key_2_takes_a_voicemail_without_any_worker(stack: Stack) -> None:
    await stack.menu(weekly=WEEKDAYS_7_TO_6)
    result = await stack.call(load_scenario("keypad-voicemail"))
    # THEN the caller is asked for a message after the tone, and no worker was asked or streamed to
    assert result.outcome == "voicemail", result
    assert "leave your name, number and a short message" in result.detail
    assert stack.worker.streams == 0
    assert stack.health_requests == []
    stored = await calls.get_call_by_sid(stack.db, result.call_sid)
    assert stored is not None
    assert stored.voicemail
    assert stored.worker_id is None


async def test_key_0_in_opening_hours_rings_the_front_desk_who_answers(stack: Stack) -> None:
    await stack.menu(weekly=ALWAYS_OPEN)
    result = await stack.call(load_scenario("keypad-person"), dial_answer="completed")
    assert [e.detail for e in result.edge if e.verb == "dial"] == [f"{FRONT_DESK} completed"]
    assert said(result)[-1] == ("en-US", "Connecting you now. Please hold.")
    assert result.outcome == "transferred", result
    assert stack.worker.streams == 0


async def test_key_0_nobody_answering_brings_the_caller_to_the_agent(stack: Stack) -> None:
    await stack.menu(weekly=ALWAYS_OPEN)
    result = await stack.call(Scenario(name="p", lines=(CallerLine(dtmf="0"), HANG_UP_ON_THE_AGENT)))
    assert [e.detail for e in result.edge if e.verb == "dial"] == [f"{FRONT_DESK} no-answer"]
    assert result.outcome == "caller_hung_up", result
    assert stack.worker.streams == 1


async def test_key_0_outside_opening_hours_takes_a_voicemail(stack: Stack) -> None:
    await stack.menu(weekly=NEVER_OPEN)
    result = await stack.call(load_scenario("keypad-person"))
    assert result.outcome == "voicemail", result
    assert result.detail.startswith("We're closed right now, so nobody can take your call.")
    assert not [e for e in result.edge if e.verb == "dial"]


async def test_key_9_goes_straight_to_the_agent(stack: Stack) -> None:
    await stack.menu(weekly=WEEKDAYS_7_TO_6)
    result = await stack.call(Scenario(name="9", lines=(CallerLine(dtmf="9"), HANG_UP_ON_THE_AGENT)))
    assert [e.detail for e in result.edge if e.verb == "gather"] == ["9"]
    assert result.outcome == "caller_hung_up", result
    assert stack.worker.streams == 1


async def test_a_spanish_business_speaks_the_menu_in_spanish_and_understands_horario(stack: Stack) -> None:
    # GIVEN a business whose language is Spanish
    await stack.menu(weekly=WEEKDAYS_7_TO_6, language="es")
    # WHEN the caller says "horario" at the menu, then presses 9
    scenario = load_scenario("keypad-spanish-speech")
    result = await stack.call(replace(scenario, voice="", lines=(*scenario.lines[:2], HANG_UP_ON_THE_AGENT)))
    spoken = said(result)
    # THEN the menu and the hours are said in Spanish (es-MX), the speech chose the hours
    assert spoken[0][0] == "es-MX"
    assert "Oprima 1 para nuestro horario" in spoken[0][1]
    assert spoken[1][0] == "es-MX"
    assert spoken[1][1].startswith("Abrimos de lunes a viernes, 7 AM a 6 PM.")
    assert [e.detail for e in result.edge if e.verb == "gather"] == ["Horario, por favor.", "9"]
    assert {e.language for e in result.edge if e.verb == "gather"} == {"es-MX"}
    # AND 9 reached the agent
    assert result.outcome == "caller_hung_up", result
    assert stack.worker.streams == 1


async def test_a_spanish_caller_who_says_mensaje_leaves_a_voicemail_in_spanish(stack: Stack) -> None:
    await stack.menu(weekly=WEEKDAYS_7_TO_6, language="es")
    result = await stack.call(Scenario(name="m", lines=(CallerLine(text="Quiero dejar un mensaje."),)))
    assert result.outcome == "voicemail", result
    assert result.detail.startswith("Deje su nombre, su número y un mensaje breve")


async def test_without_the_menu_the_call_streams_at_once(stack: Stack) -> None:
    result = await stack.call(Scenario(name="plain", lines=(HANG_UP_ON_THE_AGENT,)))
    assert result.edge == ()
    assert result.outcome == "caller_hung_up", result


async def test_a_menu_request_not_signed_by_twilio_is_refused(stack: Stack) -> None:
    await stack.menu(weekly=WEEKDAYS_7_TO_6)
    async with httpx.AsyncClient() as http:
        form = {"CallSid": "CA" + "b" * 32, "To": DEMO_NUMBER, "Digits": "2"}
        unsigned = await http.post(stack.functions.base_url + "/twilio/menu", data=form)
        forged = await http.post(
            stack.functions.base_url + "/twilio/menu", data=form, headers={"X-Twilio-Signature": "AAAA"}
        )
    assert (unsigned.status_code, forged.status_code) == (403, 403)
    assert await calls.get_call_by_sid(stack.db, form["CallSid"]) is None
