"""The keypad menu's TwiML: the <Gather> with its prompt (keys or words), the hours said, the ring to a
person, the voicemail, each spoken in the menu's language by Twilio's own voices (no worker involved)."""

from __future__ import annotations

from dataclasses import dataclass

from twilio.twiml.voice_response import VoiceResponse

from functions import twiml
from shared.agents.definition import KeypadMenu

RING_TIMEOUT_S = 20  # as a transfer from the agent rings (gpu_worker/tools/transfer.py)


@dataclass(frozen=True)
class EdgeVoice:
    """How Twilio speaks and listens in one language: <Say language voice> and <Gather language>."""

    locale: str  # BCP-47, as <Say language> and <Gather language> take it
    voice: str  # an Amazon Polly voice of that locale
    no_message: str  # said when the caller records nothing after the tone


EDGE_VOICES: dict[str, EdgeVoice] = {
    "en": EdgeVoice("en-US", "Polly.Joanna", "We did not get a message. Goodbye."),
    "es": EdgeVoice("es-MX", "Polly.Mia", "No recibimos ningún mensaje. Adiós."),
}


def edge_voice(language: str) -> EdgeVoice:
    return EDGE_VOICES.get(language) or EDGE_VOICES["en"]


def menu_twiml(*, menu: KeypadMenu, prompt: str, language: str, action_url: str, silence_url: str) -> str:
    """<Gather> one key or a few words while the prompt plays; nothing by the timeout: on to <Redirect>."""
    voice = edge_voice(language)
    hints = sorted({word for choice in menu.choices for word in choice.words.get(language, [])})
    response = VoiceResponse()
    gather = response.gather(
        input="dtmf speech",
        num_digits=1,
        timeout=menu.timeout_s,
        speech_timeout="auto",
        language=voice.locale,
        hints=", ".join(hints) or None,
        action=action_url,
        method="POST",
        action_on_empty_result=False,
    )
    gather.say(prompt, voice=voice.voice, language=voice.locale)
    response.redirect(silence_url, method="POST")
    return str(response)


def said_then_redirect_twiml(*, text: str, language: str, url: str) -> str:
    """Say `text` (the hours), then go on at `url` (the menu again)."""
    voice = edge_voice(language)
    response = VoiceResponse()
    response.say(text, voice=voice.voice, language=voice.locale)
    response.redirect(url, method="POST")
    return str(response)


def ring_person_twiml(*, said: str, language: str, number: str, action_url: str) -> str:
    """Say `said`, then ring `number`; its end comes back to `action_url` (answered: hang up; not: the agent)."""
    voice = edge_voice(language)
    response = VoiceResponse()
    response.say(said, voice=voice.voice, language=voice.locale)
    dial = response.dial(timeout=RING_TIMEOUT_S, action=action_url, method="POST")
    dial.number(number)
    return str(response)


def voicemail_in(*, said: str, language: str, recording_callback_url: str) -> str:
    voice = edge_voice(language)
    return twiml.voicemail_twiml(
        apology=said,
        recording_callback_url=recording_callback_url,
        voice=voice.voice,
        language=voice.locale,
        no_message=voice.no_message,
    )
