"""What Twilio does with the TwiML an incoming-call webhook returns, for the verbs BuddyHelps uses."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass

MAX_TWIML_CHARS = 64 * 1024


class TwimlError(ValueError):
    """A webhook answer Twilio could not execute (Twilio would say "an application error occurred")."""


@dataclass(frozen=True, kw_only=True)
class ConnectStream:
    url: str
    parameters: Mapping[str, str]
    action: str | None = None  # <Connect action>: Twilio POSTs it when the stream ends, then runs its answer


@dataclass(frozen=True, kw_only=True)
class RecordVerb:
    """<Record>'s attributes, with Twilio's defaults (twilio.com/docs/voice/twiml/record)."""

    action: str | None = None
    max_length_s: int = 3600
    timeout_s: int = 5
    play_beep: bool = True
    recording_status_callback: str | None = None
    recording_status_callback_events: tuple[str, ...] = ("completed",)


@dataclass(frozen=True, kw_only=True)
class Voicemail:
    said: tuple[str, ...]
    records: bool
    record: RecordVerb | None = None


@dataclass(frozen=True, kw_only=True)
class OtherTwiml:
    verbs: tuple[str, ...]  # e.g. ("Reject",) or ("Hangup",) or () for an empty response


CallInstruction = ConnectStream | Voicemail | OtherTwiml


def read_twiml(text: str) -> CallInstruction:
    if len(text) > MAX_TWIML_CHARS:
        raise TwimlError(f"TwiML of {len(text)} characters")
    try:
        root = ET.fromstring(text)  # noqa: S314 - TwiML from the BuddyHelps under test, size-checked
    except ET.ParseError as error:
        raise TwimlError(f"not XML: {error}") from error
    if root.tag != "Response":
        raise TwimlError(f"root element is <{root.tag}>, not <Response>")
    for verb in root:
        if verb.tag == "Connect":
            return _connect_stream(verb)
    said = tuple((verb.text or "").strip() for verb in root if verb.tag == "Say")
    record = next((verb for verb in root if verb.tag == "Record"), None)
    if record is not None:
        said = tuple((verb.text or "").strip() for verb in root[: list(root).index(record)] if verb.tag == "Say")
        return Voicemail(said=said, records=True, record=_record_verb(record))
    return OtherTwiml(verbs=tuple(verb.tag for verb in root))


def _connect_stream(connect: ET.Element) -> ConnectStream:
    stream = connect.find("Stream")
    if stream is None:
        raise TwimlError("<Connect> without <Stream>")
    url = stream.get("url", "")
    if not url.startswith(("wss://", "ws://")):
        raise TwimlError(f"<Stream url> must be a WebSocket URL, got {url!r}")
    parameters: dict[str, str] = {}
    for parameter in stream.findall("Parameter"):
        name = parameter.get("name")
        if not name:
            raise TwimlError("<Parameter> without a name")
        parameters[name] = parameter.get("value", "")
    return ConnectStream(url=url, parameters=parameters, action=connect.get("action") or None)


def _record_verb(record: ET.Element) -> RecordVerb:
    try:
        max_length = int(record.get("maxLength", "3600"))
        timeout = int(record.get("timeout", "5"))
    except ValueError as error:
        raise TwimlError(f"<Record> maxLength and timeout must be whole seconds: {error}") from error
    if not 1 < max_length <= 14400 or timeout < 0:
        raise TwimlError(f"<Record maxLength={max_length} timeout={timeout}> is out of Twilio's range")
    events = tuple(record.get("recordingStatusCallbackEvent", "completed").replace(",", " ").split())
    return RecordVerb(
        action=record.get("action") or None,
        max_length_s=max_length,
        timeout_s=timeout,
        play_beep=record.get("playBeep", "true").lower() != "false",
        recording_status_callback=record.get("recordingStatusCallback") or None,
        recording_status_callback_events=events or ("completed",),
    )
