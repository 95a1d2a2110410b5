"""The frames the simulator sends are what the worker's parser accepts; agent frames are checked like Twilio."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from buddyhelps.simulator.twilio_frames import AgentClear, AgentMark, AgentMedia, TwilioFrameBuilder, parse_agent_frame
from gpu_worker.telephony import media_stream as ms
from gpu_worker.telephony.media_stream import ProtocolErrorReason as Reason

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "twilio"
STREAM_SID = "MZ5d1a2c0e9b8f47a6b3c2d1e0f9a8b7c6"


def _builder() -> TwilioFrameBuilder:
    return TwilioFrameBuilder(stream_sid=STREAM_SID, call_sid="CA" + "1" * 32, account_sid="AC" + "2" * 32)


def test_a_call_built_by_the_simulator_has_the_recorded_shapes() -> None:
    # GIVEN the frames of a short simulated call
    builder = _builder()
    frames = [
        builder.connected(),
        builder.start({"business_id": "biz_1"}),
        builder.media(b"\xff" * 160),
        builder.media(b"\x7f" * 160),
        builder.dtmf("0"),
        builder.mark("reply-1"),
        builder.stop(),
    ]
    recorded = [json.loads(line) for line in (FIXTURES / "inbound_call.jsonl").read_text().splitlines()]
    # THEN each has the same keys, nested keys and value types as the recorded Twilio frame of its kind
    by_event = {frame["event"]: frame for frame in recorded}
    for frame in map(json.loads, frames):
        assert _shape(frame) == _shape(by_event[frame["event"]])
    # AND the worker's own parser reads them back with counters in order
    parsed = [ms.parse_frame(frame) for frame in frames]
    media = [message for message in parsed if isinstance(message, ms.Media)]
    assert [(m.sequence_number, m.chunk, m.timestamp_ms) for m in media] == [(2, 1, 0), (3, 2, 20)]
    assert isinstance(parsed[1], ms.Start)
    assert parsed[1].custom_parameters == {"business_id": "biz_1"}
    assert [m.sequence_number for m in parsed[4:]] == [4, 5, 6]  # type: ignore[union-attr]
    assert builder.media_frames == 2


def _shape(value: object) -> object:
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items() if key != "customParameters"}
    return type(value).__name__


def test_recorded_agent_frames_parse() -> None:
    lines = (FIXTURES / "agent_outbound.jsonl").read_text().splitlines()
    media, mark, clear = (parse_agent_frame(line, stream_sid=STREAM_SID) for line in lines)
    assert isinstance(media, AgentMedia)
    assert len(media.payload) == 160
    assert mark == AgentMark(name="greeting")
    assert clear == AgentClear()


@pytest.mark.parametrize(
    ("frame", "reason"),
    [
        (b"\x00\x01", Reason.BINARY_FRAME),
        ("nope", Reason.NOT_JSON),
        ("[]", Reason.NOT_OBJECT),
        (ms.clear_message("MZ-someone-else"), Reason.STREAM_SID_MISMATCH),
        (json.dumps({"event": "speak", "streamSid": STREAM_SID}), Reason.UNKNOWN_EVENT),
        (json.dumps({"event": "media", "streamSid": STREAM_SID, "media": {"payload": "%%%"}}), Reason.BAD_BASE64),
        (json.dumps({"event": "media", "streamSid": STREAM_SID}), Reason.MISSING_FIELD),
        (json.dumps({"event": "mark", "streamSid": STREAM_SID, "mark": {"name": ""}}), Reason.MISSING_FIELD),
    ],
)
def test_bad_agent_frames_are_refused_as_twilio_would(frame: str | bytes, reason: Reason) -> None:
    with pytest.raises(ms.ProtocolError) as caught:
        parse_agent_frame(frame, stream_sid=STREAM_SID)
    assert caught.value.reason is reason
