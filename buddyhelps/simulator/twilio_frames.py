"""Twilio Media Streams protocol, Twilio's side: the frames Twilio sends and the agent frames it accepts.

Pure, no I/O. Counters (`sequenceNumber`, `chunk`, `timestamp`) are decimal strings, as Twilio sends
them; shapes follow /work/shared/facts/twilio.md and mirror gpu_worker.telephony.media_stream.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gpu_worker.telephony.audio_codec import FRAME_MS
from gpu_worker.telephony.media_stream import MAX_FRAME_CHARS, ProtocolError, ProtocolErrorReason


@dataclass(frozen=True)
class AgentMedia:
    payload: bytes


@dataclass(frozen=True)
class AgentMark:
    name: str


@dataclass(frozen=True)
class AgentClear:
    pass


AgentMessage = AgentMedia | AgentMark | AgentClear


class TwilioFrameBuilder:
    """Builds one stream's frames, numbering them as Twilio does (connected carries no number)."""

    def __init__(self, *, stream_sid: str, call_sid: str, account_sid: str) -> None:
        self.stream_sid = stream_sid
        self.call_sid = call_sid
        self.account_sid = account_sid
        self._sequence = 0
        self._chunk = 0

    @property
    def media_frames(self) -> int:
        return self._chunk

    def connected(self) -> str:
        return _dumps({"event": "connected", "protocol": "Call", "version": "1.0.0"})

    def start(self, custom_parameters: Mapping[str, str]) -> str:
        return self._numbered(
            "start",
            start={
                "streamSid": self.stream_sid,
                "accountSid": self.account_sid,
                "callSid": self.call_sid,
                "tracks": ["inbound"],
                "customParameters": dict(custom_parameters),
                "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
            },
        )

    def media(self, mulaw: bytes) -> str:
        timestamp = self._chunk * FRAME_MS
        self._chunk += 1
        return self._numbered(
            "media",
            media={
                "track": "inbound",
                "chunk": str(self._chunk),
                "timestamp": str(timestamp),
                "payload": base64.b64encode(mulaw).decode("ascii"),
            },
        )

    def dtmf(self, digit: str) -> str:
        return self._numbered("dtmf", dtmf={"track": "inbound_track", "digit": digit})

    def mark(self, name: str) -> str:
        return self._numbered("mark", mark={"name": name})

    def stop(self) -> str:
        return self._numbered("stop", stop={"accountSid": self.account_sid, "callSid": self.call_sid})

    def _numbered(self, event: str, **body: object) -> str:
        self._sequence += 1
        return _dumps({"event": event, "sequenceNumber": str(self._sequence), **body, "streamSid": self.stream_sid})


def parse_agent_frame(frame: str | bytes, *, stream_sid: str) -> AgentMessage:
    """Parse a frame the worker sent; raise ProtocolError as Twilio would reject it (31950/31951)."""
    if isinstance(frame, bytes | bytearray | memoryview):
        raise ProtocolError(ProtocolErrorReason.BINARY_FRAME, "the worker sent a binary frame")
    if len(frame) > MAX_FRAME_CHARS:
        raise ProtocolError(ProtocolErrorReason.OVERSIZED, f"{len(frame)} characters")
    try:
        data = json.loads(frame)
    except ValueError as error:
        raise ProtocolError(ProtocolErrorReason.NOT_JSON, str(error)) from error
    if not isinstance(data, dict):
        raise ProtocolError(ProtocolErrorReason.NOT_OBJECT, type(data).__name__)
    if data.get("streamSid") != stream_sid:
        raise ProtocolError(ProtocolErrorReason.STREAM_SID_MISMATCH, f"streamSid {data.get('streamSid')!r}")
    event = data.get("event")
    if event == "media":
        return AgentMedia(payload=_payload(data))
    if event == "mark":
        name = _body(data, "mark").get("name")
        if not isinstance(name, str) or not name:
            raise ProtocolError(ProtocolErrorReason.MISSING_FIELD, "mark.name")
        return AgentMark(name=name)
    if event == "clear":
        return AgentClear()
    raise ProtocolError(ProtocolErrorReason.UNKNOWN_EVENT, f"event {event!r}")


def _body(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    body = data.get(key)
    if not isinstance(body, dict):
        raise ProtocolError(ProtocolErrorReason.MISSING_FIELD, key)
    return body


def _payload(data: Mapping[str, Any]) -> bytes:
    payload = _body(data, "media").get("payload")
    if not isinstance(payload, str):
        raise ProtocolError(ProtocolErrorReason.MISSING_FIELD, "media.payload")
    try:
        return base64.b64decode(payload, validate=True)
    except binascii.Error as error:
        raise ProtocolError(ProtocolErrorReason.BAD_BASE64, str(error)) from error


def _dumps(data: Mapping[str, Any]) -> str:
    return json.dumps(data, separators=(",", ":"))
