"""The TwiML documents the edge answers with. Built with the twilio SDK's VoiceResponse."""

from __future__ import annotations

from collections.abc import Mapping

from twilio.twiml.voice_response import VoiceResponse

APOLOGY_UNKNOWN = (
    "Sorry, this number is not taking calls right now. Please leave your name, number and a short message "
    "after the tone, and we will call you back."
)
APOLOGY_BUSY = (
    "Sorry, all of our assistants are busy right now. Please leave your name, number and what you need "
    "after the tone, and we will call you back as soon as we can."
)


def stream_twiml(*, websocket_url: str, parameters: Mapping[str, str], action_url: str | None = None) -> str:
    """<Connect><Stream>: a bidirectional media stream to the worker; per-call data as <Parameter>s.

    With `action_url`, Twilio POSTs there when the stream ends (however it ends) and runs the TwiML it
    gets back: how a call survives a worker that is full, crashed or restarted.
    """
    response = VoiceResponse()
    connect = response.connect(action=action_url, method="POST") if action_url else response.connect()
    stream = connect.stream(url=websocket_url)
    for name, value in parameters.items():
        stream.parameter(name=name, value=value)
    return str(response)


def voicemail_twiml(
    *,
    apology: str,
    recording_callback_url: str,
    voice: str = "Polly.Joanna",
    language: str | None = None,
    no_message: str = "We did not get a message. Goodbye.",
) -> str:
    """Still serve the caller when no agent can: an apology and a voicemail recording (`voice` and
    `language` say it in another language, e.g. Polly.Mia and es-MX)."""
    response = VoiceResponse()
    response.say(apology, voice=voice, language=language)
    response.record(
        max_length=120,
        play_beep=True,
        timeout=5,
        action=recording_callback_url,
        recording_status_callback=recording_callback_url,
        recording_status_callback_event="completed",
    )
    response.say(no_message, voice=voice, language=language)
    return str(response)


def hangup_twiml() -> str:
    """The agent finished the call: end it (the stream's end must not start anything new)."""
    response = VoiceResponse()
    response.hangup()
    return str(response)


def empty_twiml() -> str:
    return str(VoiceResponse())
