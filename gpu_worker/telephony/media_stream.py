"""Twilio Media Streams protocol, worker side: pure translation, no I/O.

`parse_frame` turns one inbound WebSocket frame into a typed, frozen message or raises
`ProtocolError` with a `reason` code. The `*_message` builders produce the JSON text frames the worker
sends back (media, mark, clear). Message shapes: /work/shared/facts/twilio.md.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

MAX_FRAME_CHARS = 64 * 1024
SUPPORTED_ENCODING = "audio/x-mulaw"
SUPPORTED_SAMPLE_RATE = 8000
DTMF_DIGITS = frozenset("0123456789*#ABCD")


class ProtocolErrorReason(StrEnum):
    BINARY_FRAME = "binary_frame"  # Twilio error 31950
    OVERSIZED = "oversized"
    NOT_JSON = "not_json"
    NOT_OBJECT = "not_object"
    UNKNOWN_EVENT = "unknown_event"
    MISSING_FIELD = "missing_field"  # Twilio error 31951
    BAD_FIELD = "bad_field"
    BAD_BASE64 = "bad_base64"
    UNSUPPORTED_MEDIA_FORMAT = "unsupported_media_format"
    STREAM_SID_MISMATCH = "stream_sid_mismatch"


class ProtocolError(ValueError):
    """An inbound frame that breaks the protocol; `reason` says how, the message says where."""

    def __init__(self, reason: ProtocolErrorReason, detail: str) -> None:
        super().__init__(f"{reason.value}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True, kw_only=True)
class MediaFormat:
    encoding: str
    sample_rate: int
    channels: int


@dataclass(frozen=True, kw_only=True)
class Connected:
    protocol: str
    version: str


@dataclass(frozen=True, kw_only=True)
class Start:
    stream_sid: str
    call_sid: str
    account_sid: str
    tracks: tuple[str, ...]
    custom_parameters: Mapping[str, str]
    media_format: MediaFormat
    sequence_number: int | None


@dataclass(frozen=True, kw_only=True)
class Media:
    stream_sid: str
    payload: bytes  # mu-law 8 kHz, normally 160 bytes (20 ms)
    chunk: int
    timestamp_ms: int
    track: str
    sequence_number: int | None


@dataclass(frozen=True, kw_only=True)
class Dtmf:
    stream_sid: str
    digit: str
    track: str
    sequence_number: int | None


@dataclass(frozen=True, kw_only=True)
class Mark:
    stream_sid: str
    name: str
    sequence_number: int | None


@dataclass(frozen=True, kw_only=True)
class Stop:
    stream_sid: str
    call_sid: str
    account_sid: str
    sequence_number: int | None


InboundMessage = Connected | Start | Media | Dtmf | Mark | Stop


def parse_frame(frame: str | bytes) -> InboundMessage:
    """Parse one inbound WebSocket frame (text expected) into a typed message."""
    if isinstance(frame, bytes | bytearray | memoryview):
        raise ProtocolError(ProtocolErrorReason.BINARY_FRAME, "binary frames are not part of the protocol")
    if len(frame) > MAX_FRAME_CHARS:
        raise ProtocolError(ProtocolErrorReason.OVERSIZED, f"{len(frame)} characters > {MAX_FRAME_CHARS}")
    try:
        data = json.loads(frame)
    except ValueError as error:
        raise ProtocolError(ProtocolErrorReason.NOT_JSON, str(error)) from error
    if not isinstance(data, dict):
        raise ProtocolError(ProtocolErrorReason.NOT_OBJECT, f"top level is {type(data).__name__}")
    event = data.get("event")
    parser = _PARSERS.get(event) if isinstance(event, str) else None
    if parser is None:
        raise ProtocolError(ProtocolErrorReason.UNKNOWN_EVENT, f"event {event!r}")
    return parser(data)


def check_stream_sid(message: InboundMessage, expected: str) -> None:
    """Raise STREAM_SID_MISMATCH when a message belongs to another stream than this call's."""
    stream_sid = getattr(message, "stream_sid", None)
    if stream_sid is not None and stream_sid != expected:
        raise ProtocolError(ProtocolErrorReason.STREAM_SID_MISMATCH, f"got {stream_sid!r}, expected {expected!r}")


def media_message(stream_sid: str, mulaw: bytes) -> str:
    payload = base64.b64encode(mulaw).decode("ascii")
    return json.dumps({"event": "media", "streamSid": stream_sid, "media": {"payload": payload}})


def mark_message(stream_sid: str, name: str) -> str:
    return json.dumps({"event": "mark", "streamSid": stream_sid, "mark": {"name": name}})


def clear_message(stream_sid: str) -> str:
    return json.dumps({"event": "clear", "streamSid": stream_sid})


# --- field access -------------------------------------------------------------------------------


def _object(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = _field(data, key)
    if not isinstance(value, dict):
        raise ProtocolError(ProtocolErrorReason.BAD_FIELD, f"{key} must be an object")
    return value


def _field(data: Mapping[str, Any], key: str) -> Any:
    if key not in data or data[key] is None:
        raise ProtocolError(ProtocolErrorReason.MISSING_FIELD, key)
    return data[key]


def _text(data: Mapping[str, Any], key: str) -> str:
    value = _field(data, key)
    if not isinstance(value, str) or not value:
        raise ProtocolError(ProtocolErrorReason.BAD_FIELD, f"{key} must be a non-empty string")
    return value


def _number(data: Mapping[str, Any], key: str) -> int:
    """Twilio sends counters as decimal strings; accept ints too."""
    value = _field(data, key)
    if isinstance(value, bool):
        raise ProtocolError(ProtocolErrorReason.BAD_FIELD, f"{key} must be a number")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    raise ProtocolError(ProtocolErrorReason.BAD_FIELD, f"{key} must be a decimal string, got {value!r}")


def _sequence(data: Mapping[str, Any]) -> int | None:
    return _number(data, "sequenceNumber") if "sequenceNumber" in data else None


# --- one parser per event -----------------------------------------------------------------------


def _parse_connected(data: Mapping[str, Any]) -> Connected:
    return Connected(protocol=str(data.get("protocol", "")), version=str(data.get("version", "")))


def _parse_start(data: Mapping[str, Any]) -> Start:
    start = _object(data, "start")
    stream_sid = _text(data, "streamSid") if "streamSid" in data else _text(start, "streamSid")
    media_format = _parse_media_format(_object(start, "mediaFormat"))
    tracks = start.get("tracks", ["inbound"])
    if not isinstance(tracks, list) or not all(isinstance(track, str) for track in tracks):
        raise ProtocolError(ProtocolErrorReason.BAD_FIELD, "start.tracks must be a list of strings")
    raw_parameters = start.get("customParameters") or {}
    if not isinstance(raw_parameters, dict):
        raise ProtocolError(ProtocolErrorReason.BAD_FIELD, "start.customParameters must be an object")
    return Start(
        stream_sid=stream_sid,
        call_sid=_text(start, "callSid"),
        account_sid=_text(start, "accountSid"),
        tracks=tuple(tracks),
        custom_parameters={str(key): str(value) for key, value in raw_parameters.items()},
        media_format=media_format,
        sequence_number=_sequence(data),
    )


def _parse_media_format(raw: Mapping[str, Any]) -> MediaFormat:
    media_format = MediaFormat(
        encoding=_text(raw, "encoding"), sample_rate=_number(raw, "sampleRate"), channels=_number(raw, "channels")
    )
    if (media_format.encoding, media_format.sample_rate, media_format.channels) != (
        SUPPORTED_ENCODING,
        SUPPORTED_SAMPLE_RATE,
        1,
    ):
        raise ProtocolError(ProtocolErrorReason.UNSUPPORTED_MEDIA_FORMAT, repr(media_format))
    return media_format


def _parse_media(data: Mapping[str, Any]) -> Media:
    media = _object(data, "media")
    payload_text = _field(media, "payload")
    if not isinstance(payload_text, str):
        raise ProtocolError(ProtocolErrorReason.BAD_BASE64, "media.payload must be a base64 string")
    try:
        payload = base64.b64decode(payload_text, validate=True)
    except binascii.Error as error:
        raise ProtocolError(ProtocolErrorReason.BAD_BASE64, str(error)) from error
    return Media(
        stream_sid=_text(data, "streamSid"),
        payload=payload,
        chunk=_number(media, "chunk"),
        timestamp_ms=_number(media, "timestamp"),
        track=str(media.get("track", "inbound")),
        sequence_number=_sequence(data),
    )


def _parse_dtmf(data: Mapping[str, Any]) -> Dtmf:
    dtmf = _object(data, "dtmf")
    digit = _text(dtmf, "digit")
    if digit not in DTMF_DIGITS:
        raise ProtocolError(ProtocolErrorReason.BAD_FIELD, f"dtmf.digit {digit!r}")
    return Dtmf(
        stream_sid=_text(data, "streamSid"),
        digit=digit,
        track=str(dtmf.get("track", "inbound_track")),
        sequence_number=_sequence(data),
    )


def _parse_mark(data: Mapping[str, Any]) -> Mark:
    mark = _object(data, "mark")
    return Mark(stream_sid=_text(data, "streamSid"), name=_text(mark, "name"), sequence_number=_sequence(data))


def _parse_stop(data: Mapping[str, Any]) -> Stop:
    stop = data.get("stop") or {}
    if not isinstance(stop, dict):
        raise ProtocolError(ProtocolErrorReason.BAD_FIELD, "stop must be an object")
    return Stop(
        stream_sid=_text(data, "streamSid"),
        call_sid=str(stop.get("callSid", "")),
        account_sid=str(stop.get("accountSid", "")),
        sequence_number=_sequence(data),
    )


_PARSERS: dict[str, Callable[[Mapping[str, Any]], InboundMessage]] = {
    "connected": _parse_connected,
    "start": _parse_start,
    "media": _parse_media,
    "dtmf": _parse_dtmf,
    "mark": _parse_mark,
    "stop": _parse_stop,
}
