"""Reading the edge TwiML the keypad menu answers with (functions/keypad_menu_twiml.py), Twilio's defaults,
and TwiML Twilio would refuse."""

from __future__ import annotations

import pytest

from buddyhelps.simulator.edge_twiml import Dial, Gather, Redirect, Say, read_edge_document
from buddyhelps.simulator.twiml_reader import TwimlError
from functions.keypad_menu_twiml import menu_twiml, ring_person_twiml
from functions.twiml import stream_twiml
from shared.agents.keypad_menu import with_menu
from shared.agents.templates import load_template


def test_the_menu_is_a_gather_around_the_prompt_then_a_redirect() -> None:
    menu = with_menu(load_template("plumbing"), enabled=True).keypad_menu
    assert menu is not None
    twiml = menu_twiml(
        menu=menu, prompt="Oprima 1.", language="es", action_url="https://x/a", silence_url="https://x/s"
    )
    document = read_edge_document(twiml)
    assert document is not None
    gather, redirect = document.verbs
    assert isinstance(gather, Gather)
    assert isinstance(redirect, Redirect)
    assert (gather.action, gather.num_digits, gather.timeout_s, gather.language) == ("https://x/a", 1, 5.0, "es-MX")
    assert gather.inputs == {"dtmf", "speech"}
    assert gather.speech_timeout == "auto"
    assert not gather.action_on_empty_result
    assert gather.prompt == (Say(text="Oprima 1.", language="es-MX", voice="Polly.Mia"),)
    assert redirect == Redirect(url="https://x/s", method="POST")


def test_a_dial_with_its_number_and_action() -> None:
    document = read_edge_document(
        ring_person_twiml(said="Hold on.", language="en", number="+15550100777", action_url="https://x/t")
    )
    assert document is not None
    assert document.verbs[1] == Dial(number="+15550100777", action="https://x/t", timeout_s=20.0)


def test_twilios_defaults_for_a_bare_gather() -> None:
    document = read_edge_document("<Response><Gather/><Redirect>https://x/r</Redirect></Response>")
    assert document is not None
    assert document.verbs[0] == Gather(action=None)


def test_a_stream_or_a_voicemail_is_not_an_edge_document() -> None:
    assert read_edge_document(stream_twiml(websocket_url="wss://w/ws/twilio", parameters={})) is None


@pytest.mark.parametrize(
    ("twiml", "message"),
    [
        ('<Response><Gather input="keys"/></Response>', "dtmf, speech"),
        ('<Response><Gather numDigits="0"/></Response>', "at least 1"),
        ('<Response><Gather speechTimeout="soon"/></Response>', "13327"),
        ('<Response><Gather actionOnEmptyResult="yes"/></Response>', "13338"),
        ("<Response><Gather><Dial>+1555</Dial></Gather></Response>", "may nest"),
        ("<Response><Redirect/></Response>", "without a URL"),
        ("<Response><Dial/></Response>", "no number"),
        ("<Response><Gather/><Say/></Response>", "nothing to say"),
        ('<Response><Redirect method="GET">https://x</Redirect></Response>', "POST only"),
    ],
)
def test_twiml_twilio_would_refuse(twiml: str, message: str) -> None:
    with pytest.raises(TwimlError, match=message):
        read_edge_document(twiml)
