"""Reading the TwiML the functions answer with, including the documents functions/twiml.py builds."""

from __future__ import annotations

import pytest

from buddyhelps.simulator.twiml_reader import ConnectStream, OtherTwiml, TwimlError, Voicemail, read_twiml
from functions.twiml import stream_twiml, voicemail_twiml


def test_connect_stream_with_parameters() -> None:
    # GIVEN the stream TwiML the incoming-call function builds
    twiml = stream_twiml(websocket_url="wss://worker.example/ws/twilio", parameters={"token": "t1", "business_id": "b"})
    # WHEN read THEN the simulator knows where to connect and what to put in start.customParameters
    assert read_twiml(twiml) == ConnectStream(
        url="wss://worker.example/ws/twilio", parameters={"token": "t1", "business_id": "b"}
    )


def test_voicemail_is_recognised() -> None:
    instruction = read_twiml(voicemail_twiml(apology="Sorry, we are busy.", recording_callback_url="https://x/rec"))
    assert isinstance(instruction, Voicemail)
    assert instruction.records
    assert instruction.said[0] == "Sorry, we are busy."


def test_reject_and_empty_responses() -> None:
    assert read_twiml("<Response><Reject/></Response>") == OtherTwiml(verbs=("Reject",))
    assert read_twiml("<Response/>") == OtherTwiml(verbs=())


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("this is not xml", "not XML"),
        ("<Html/>", "not <Response>"),
        ("<Response><Connect/></Response>", "without <Stream>"),
        ('<Response><Connect><Stream url="https://x"/></Connect></Response>', "WebSocket URL"),
        ('<Response><Connect><Stream url="wss://x"><Parameter value="v"/></Stream></Connect></Response>', "name"),
    ],
)
def test_twiml_twilio_could_not_run_is_an_error(text: str, message: str) -> None:
    with pytest.raises(TwimlError, match=message):
        read_twiml(text)
