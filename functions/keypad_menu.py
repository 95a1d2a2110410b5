"""POST /twilio/menu: the keypad menu a business may answer with before its agent (its definition's
`keypad_menu`), answered here at the edge with Twilio's <Gather>, so a caller who only wants the hours
or a voicemail costs no GPU time.

- /incoming-call answers `menu_answer`: <Gather input="dtmf speech" numDigits=1 action=/twilio/menu> around
  the prompt, then <Redirect /twilio/menu?step=agent> for a caller who says and presses nothing.
- The <Gather action> (this route, no step) gets `Digits` or `SpeechResult`: 1 the hours (said, then the
  menu again: ?step=again), 2 a voicemail, 0 a person (rung with <Dial action=/twilio/transfer-end>: nobody
  answering brings the caller to the agent; outside opening hours a voicemail), 9, silence or anything
  not listed: the agent, on a media stream exactly as /incoming-call streams a call without a menu.

Which key does what, the words that choose it and every line said are the definition's data.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response

from functions import twiml, worker_pool
from functions.call_answers import stream_answer, voicemail_answer, xml_response
from functions.edge_app import SettingsDep, edge_state
from functions.keypad_menu_twiml import menu_twiml, ring_person_twiml, said_then_redirect_twiml, voicemail_in
from functions.transfer_end import TRANSFER_END_PATH
from functions.twilio_webhook import WebhookRejected, read_signed_form
from shared.agents.definition import AgentDefinition, KeypadMenu, text_for
from shared.agents.keypad_menu import action_for, active_menu, choice_for, menu_language
from shared.agents.opening_hours import hours_now
from shared.agents.spoken_hours import now_sentence, weekly_sentence
from shared.database import Database, DatabaseError
from shared.people.directory import Contact, Directory, load_directory
from shared.repositories import agent_definitions, businesses, call_legs, calls, phone_numbers
from shared.repositories.agent_definitions import StoredDefinitionInvalid
from shared.repositories.businesses import Business
from shared.settings import Settings
from shared.structured_logging import call_sid_var, mask_phone

log = logging.getLogger(__name__)
router = APIRouter()
MENU_PATH = "/twilio/menu"
STEPS = frozenset({"choice", "agent", "again"})


class _Menu:
    """One request's view of the business's menu: the definition, the menu and the language it speaks."""

    def __init__(self, business: Business, definition: AgentDefinition, menu: KeypadMenu) -> None:
        self.business, self.definition, self.menu = business, definition, menu
        self.language = menu_language(definition, business.language)

    def text(self, localized: dict[str, str]) -> str:
        said = text_for(localized, self.language, self.definition.default_language)
        return said.replace("{business}", self.business.name)

    def gather(self, settings: Settings) -> Response:
        return xml_response(
            menu_twiml(
                menu=self.menu,
                prompt=self.text(self.menu.prompt),
                language=self.language,
                action_url=settings.public_url(MENU_PATH),
                silence_url=settings.public_url(f"{MENU_PATH}?step=agent"),
            )
        )

    def voicemail(self, settings: Settings, said: str) -> Response:
        callback = settings.public_url("/call-status?voicemail=1")
        return xml_response(voicemail_in(said=said, language=self.language, recording_callback_url=callback))


async def business_menu(db: Database, business: Business) -> _Menu | None:
    """The business's menu when its active definition has one switched on."""
    try:
        stored = await agent_definitions.current_definition(db, business.id)
    except StoredDefinitionInvalid:
        log.warning("the business's agent definition does not validate; no keypad menu")
        return None
    menu = active_menu(stored.definition) if stored is not None else None
    return _Menu(business, stored.definition, menu) if stored is not None and menu is not None else None


async def menu_answer(
    db: Database, settings: Settings, business: Business, *, call_sid: str, caller: str, dialled: str, mode: str
) -> Response | None:
    """For /incoming-call: the menu's <Gather> when the business has one on (the call is recorded without a
    worker: none is chosen until the caller goes to the agent), else None."""
    menu = await business_menu(db, business)
    if menu is None:
        return None
    await calls.create_call(
        db, call_sid=call_sid, from_number=caller, to_number=dialled, business_id=business.id, mode=mode
    )
    log.info("answering with the keypad menu", extra={"business_id": business.id, "language": menu.language})
    return menu.gather(settings)


@router.post(MENU_PATH)
async def keypad_menu(request: Request, settings: SettingsDep) -> Response:
    try:
        form = await read_signed_form(request, settings)
    except WebhookRejected as rejected:
        return Response(
            status_code=rejected.status_code, content=b"" if rejected.status_code == 403 else rejected.reason
        )
    call_sid, dialled = form.get("CallSid", ""), form.get("To", "")
    step = request.query_params.get("step", "choice")
    if not call_sid.startswith("CA") or not dialled or step not in STEPS:
        return Response(status_code=400, content="CallSid, To and a known step are required")
    call_sid_var.set(call_sid)
    try:
        db = await edge_state(request).database()
        return await _answer(db, settings, form, step=step)
    except DatabaseError:
        log.exception("database unavailable at the keypad menu; taking a voicemail")
        return voicemail_answer(settings, twiml.APOLOGY_BUSY)


async def _answer(db: Database, settings: Settings, form: dict[str, str], *, step: str) -> Response:
    call_sid = form["CallSid"]
    number = await phone_numbers.get_number(db, form["To"])
    business = await businesses.get_business(db, number.business_id) if number else None
    call = await calls.get_call_by_sid(db, call_sid)
    if number is None or business is None or not business.enabled or call is None:
        log.warning("keypad menu request for a call or business we cannot serve; taking a voicemail")
        return voicemail_answer(settings, twiml.APOLOGY_UNKNOWN)
    menu = await business_menu(db, business)
    if menu is None or step == "agent":
        log.info("keypad menu: to the agent", extra={"reason": "silence" if menu else "menu off"})
        return await _to_the_agent(db, settings, call, preferred_worker=number.worker_id)
    if step == "again":
        return menu.gather(settings)
    choice = choice_for(
        menu.menu,
        digits=form.get("Digits", ""),
        speech=form.get("SpeechResult", ""),
        language=menu.language,
        languages=menu.definition.languages,
    )
    action = action_for(choice)
    log.info("keypad menu choice", extra={"action": action, "by": "speech" if form.get("SpeechResult") else "key"})
    if action == "hours":
        return _hours(settings, menu)
    if action == "voicemail":
        await calls.mark_voicemail(db, call_sid)
        return menu.voicemail(settings, menu.text(menu.menu.voicemail))
    if action == "person":
        return await _person(db, settings, menu, call_sid)
    return await _to_the_agent(db, settings, call, preferred_worker=number.worker_id)


def _hours(settings: Settings, menu: _Menu) -> Response:
    hours = menu.definition.facts.hours
    if hours is None:  # the definition's validator refuses an hours key without hours; a later edit may not
        return menu.gather(settings)
    now = datetime.now(UTC)
    said = [weekly_sentence(hours, menu.language), now_sentence(hours, menu.language, now)]
    if hours.note:
        said.append(menu.text(hours.note))
    text = " ".join(part for part in said if part)
    again = settings.public_url(f"{MENU_PATH}?step=again")
    return xml_response(said_then_redirect_twiml(text=text, language=menu.language, url=again))


async def _person(db: Database, settings: Settings, menu: _Menu, call_sid: str) -> Response:
    hours = menu.definition.facts.hours
    if hours is not None and not hours_now(hours, datetime.now(UTC)).open_now:
        log.info("a person was asked for outside opening hours; taking a voicemail")
        await calls.mark_voicemail(db, call_sid)
        return menu.voicemail(settings, menu.text(menu.menu.closed))
    contact = _who_answers(await load_directory(db, menu.business.id), menu.menu.person)
    if contact is None:
        log.warning("nobody to ring for the keypad menu's person key; taking a voicemail")
        await calls.mark_voicemail(db, call_sid)
        return menu.voicemail(settings, menu.text(menu.menu.voicemail))
    log.info("keypad menu: ringing a person", extra={"to": mask_phone(contact.phone)})
    query = urlencode({"business_id": menu.business.id, "to": contact.name})
    return xml_response(
        ring_person_twiml(
            said=menu.text(menu.menu.connecting),
            language=menu.language,
            number=contact.phone,
            action_url=settings.public_url(f"{TRANSFER_END_PATH}?{query}"),
        )
    )


def _who_answers(directory: Directory, person: str) -> Contact | None:
    """The menu's named person or department when it takes calls, else (none named) the first who does."""
    reachable = [contact for contact in directory.contacts if contact.phone and contact.transfers]
    if person:
        named = directory.find(person)
        return named if named is not None and named in reachable else None
    return reachable[0] if reachable else None


async def _to_the_agent(
    db: Database, settings: Settings, call: calls.Call, *, preferred_worker: str | None
) -> Response:
    """The agent, as /incoming-call connects it: a worker with room, a leg, a stream with a fresh token."""
    worker = await worker_pool.pick_worker(db, preferred_id=preferred_worker, ttl_s=settings.worker_health_ttl_s)
    if worker is None:
        log.warning("no healthy worker with free capacity after the keypad menu; taking a voicemail")
        await calls.mark_voicemail(db, call.call_sid)
        return voicemail_answer(settings, twiml.APOLOGY_BUSY)
    legs = await call_legs.list_legs(db, call.call_sid)
    leg = max((entry.leg for entry in legs), default=0) + 1
    await call_legs.start_leg(db, call_sid=call.call_sid, leg=leg, worker_id=worker.id)
    await db.execute("UPDATE calls SET worker_id = ? WHERE call_sid = ?", (worker.id, call.call_sid))
    return stream_answer(settings, call, worker, leg=leg)
