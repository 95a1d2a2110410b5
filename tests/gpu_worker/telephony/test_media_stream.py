"""Twilio Media Streams parsing and building, on recorded-shape frames and hostile input."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from gpu_worker.telephony import media_stream as ms
from gpu_worker.telephony.media_stream import ProtocolErrorReason as Reason

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "twilio"
STREAM_SID = "MZ5d1a2c0e9b8f47a6b3c2d1e0f9a8b7c6"
CALL_SID = "CA3f9c1b7e2d4a4c8e9b0a1f2e3d4c5b6a"


def _recorded_call() -> list[str]:
    return (FIXTURES / "inbound_call.jsonl").read_text().splitlines()


def test_recorded_call_parses_into_typed_messages_in_order() -> None:
    # GIVEN the frames of a recorded inbound call
    # WHEN each is parsed
    messages = [ms.parse_frame(line) for line in _recorded_call()]
    # THEN the call reads connected, start, media x3, dtmf, mark, stop
    assert [type(m).__name__ for m in messages] == [
        "Connected",
        "Start",
        "Media",
        "Media",
        "Media",
        "Dtmf",
        "Mark",
        "Stop",
    ]


def test_start_carries_the_call_and_its_parameters() -> None:
    # GIVEN the recorded start frame WHEN parsed
    start = ms.parse_frame(_recorded_call()[1])
    # THEN sids, custom parameters and media format are there, typed
    assert isinstance(start, ms.Start)
    assert start.stream_sid == STREAM_SID
    assert start.call_sid == CALL_SID
    assert start.account_sid.startswith("AC")
    assert start.custom_parameters["business_id"] == "biz_demo_plumbing"
    assert start.custom_parameters["caller"] == "+15555550123"
    assert start.media_format == ms.MediaFormat(encoding="audio/x-mulaw", sample_rate=8000, channels=1)
    assert start.tracks == ("inbound",)
    assert start.sequence_number == 1


def test_media_payload_is_decoded_and_counters_are_numbers() -> None:
    # GIVEN the recorded media frames (counters as strings) WHEN parsed
    media = [ms.parse_frame(line) for line in _recorded_call()[2:5]]
    # THEN each holds 160 bytes of mu-law and integer chunk/timestamp/sequence
    assert all(isinstance(m, ms.Media) for m in media)
    assert [len(m.payload) for m in media if isinstance(m, ms.Media)] == [160, 160, 160]
    assert [(m.chunk, m.timestamp_ms, m.sequence_number) for m in media if isinstance(m, ms.Media)] == [
        (1, 5, 2),
        (2, 25, 3),
        (3, 45, 4),
    ]


def test_dtmf_mark_and_stop() -> None:
    dtmf, mark, stop = (ms.parse_frame(line) for line in _recorded_call()[5:8])
    assert dtmf == ms.Dtmf(stream_sid=STREAM_SID, digit="0", track="inbound_track", sequence_number=5)
    assert mark == ms.Mark(stream_sid=STREAM_SID, name="reply-1", sequence_number=6)
    assert isinstance(stop, ms.Stop)
    assert stop.call_sid == CALL_SID


def _media(**media_overrides: object) -> str:
    media = {"track": "inbound", "chunk": "1", "timestamp": "0", "payload": base64.b64encode(b"\xff" * 160).decode()}
    media.update(media_overrides)  # type: ignore[arg-type]
    return json.dumps({"event": "media", "streamSid": STREAM_SID, "media": media})


@pytest.mark.parametrize(
    ("frame", "reason"),
    [
        (b'{"event":"media"}', Reason.BINARY_FRAME),
        ("x" * (64 * 1024 + 1), Reason.OVERSIZED),
        ("{not json", Reason.NOT_JSON),
        ("[1, 2]", Reason.NOT_OBJECT),
        ('"media"', Reason.NOT_OBJECT),
        ('{"event": "hello"}', Reason.UNKNOWN_EVENT),
        ('{"no_event": 1}', Reason.UNKNOWN_EVENT),
        ('{"event": "media", "streamSid": "MZ1"}', Reason.MISSING_FIELD),
        ('{"event": "media", "streamSid": "MZ1", "media": "abc"}', Reason.BAD_FIELD),
        (_media(payload="***not base64***"), Reason.BAD_BASE64),
        (_media(payload=12), Reason.BAD_BASE64),
        (_media(chunk="one"), Reason.BAD_FIELD),
        (_media(timestamp="-5"), Reason.BAD_FIELD),
        ('{"event": "mark", "streamSid": "MZ1", "mark": {}}', Reason.MISSING_FIELD),
        ('{"event": "dtmf", "streamSid": "MZ1", "dtmf": {"digit": "x"}}', Reason.BAD_FIELD),
        ('{"event": "stop"}', Reason.MISSING_FIELD),
    ],
)
def test_hostile_frames_raise_a_specific_reason(frame: str | bytes, reason: Reason) -> None:
    # GIVEN a frame that breaks the protocol WHEN parsed THEN ProtocolError says which way
    with pytest.raises(ms.ProtocolError) as caught:
        ms.parse_frame(frame)
    assert caught.value.reason is reason


def test_start_without_call_sid_or_with_other_audio_is_refused() -> None:
    # GIVEN a start frame missing callSid, and one announcing 16 kHz linear audio
    start = json.loads(_recorded_call()[1])
    del start["start"]["callSid"]
    wrong_format = json.loads(_recorded_call()[1])
    wrong_format["start"]["mediaFormat"] = {"encoding": "audio/l16", "sampleRate": 16000, "channels": 1}
    # WHEN parsed THEN each is refused with its own reason
    with pytest.raises(ms.ProtocolError) as missing:
        ms.parse_frame(json.dumps(start))
    with pytest.raises(ms.ProtocolError) as unsupported:
        ms.parse_frame(json.dumps(wrong_format))
    assert missing.value.reason is Reason.MISSING_FIELD
    assert "callSid" in str(missing.value)
    assert unsupported.value.reason is Reason.UNSUPPORTED_MEDIA_FORMAT


def test_stream_sid_mismatch_is_detected() -> None:
    # GIVEN a media frame of another stream
    message = ms.parse_frame(_media())
    # WHEN checked against this call's stream THEN a mismatch is reported; the right sid passes
    with pytest.raises(ms.ProtocolError) as caught:
        ms.check_stream_sid(message, "MZ-other")
    assert caught.value.reason is Reason.STREAM_SID_MISMATCH
    ms.check_stream_sid(message, STREAM_SID)
    ms.check_stream_sid(ms.parse_frame(_recorded_call()[0]), "MZ-anything")  # connected has no sid


def test_outbound_messages_match_the_recorded_agent_frames() -> None:
    # GIVEN the recorded frames a worker sends (media, mark, clear)
    recorded = [json.loads(line) for line in (FIXTURES / "agent_outbound.jsonl").read_text().splitlines()]
    payload = base64.b64decode(recorded[0]["media"]["payload"])
    # WHEN built by the module THEN they are the same JSON
    assert json.loads(ms.media_message(STREAM_SID, payload)) == recorded[0]
    assert json.loads(ms.mark_message(STREAM_SID, "greeting")) == recorded[1]
    assert json.loads(ms.clear_message(STREAM_SID)) == recorded[2]
