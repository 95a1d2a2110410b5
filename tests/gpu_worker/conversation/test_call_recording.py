"""Recording both sides of a call, in the session with fake stages on the virtual clock (inbound audio is
the clock; the in-memory Twilio line plays one agent frame per inbound frame and drops its buffer on
`clear`).

GIVEN a business whose agent definition records calls, WHEN a caller talks to the agent (and over it),
THEN the call's stereo file has the caller on the left at the moments they spoke and the agent on the
right where the line played it — the announcement first, nothing the caller never heard — and a business
that does not record gets no announcement and no file.
"""

from __future__ import annotations

import asyncio
import wave
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from gpu_worker.telephony.call_recorder import STAGING_FOLDER
from shared.agents.templates import load_template
from shared.database import Database
from shared.demo_business import DEMO_BUSINESS_ID, DEMO_GREETING
from shared.repositories import agent_definitions, businesses
from shared.settings import Settings
from tests.gpu_worker.conversation.test_call_session import Harness
from tests.gpu_worker.fake_stages import SILENCE, fake_models

FRAME_MS = 20
NOTICE = "This call is recorded."
LONG_REPLY = "Thanks. " + " ".join(["The plumber will need a few details from you first, okay."] * 6)


async def _business(db: Database, *, record_calls: bool) -> None:
    await businesses.create_business(db, business_id=DEMO_BUSINESS_ID, name="Demo Plumbing", owner_phone="+15550109999")
    template = load_template("plumbing")
    definition = template.model_copy(
        update={"record_calls": record_calls, "greeting": {**template.greeting, "en": DEMO_GREETING}}
    )
    await agent_definitions.save_definition(db, DEMO_BUSINESS_ID, definition, "tests")


@pytest.fixture
async def harness_for(settings: Settings, db: Database) -> AsyncIterator[Callable[..., Any]]:
    made: list[Harness] = []

    async def make(*, record_calls: bool, caller_lines: list[str], replies: list[str] = []) -> Harness:  # noqa: B006
        await _business(db, record_calls=record_calls)
        harness = Harness(settings, db, fake_models(caller_lines=caller_lines, replies=replies))
        made.append(harness)
        return harness

    yield make
    for harness in made:
        if harness.line.session_task and not harness.line.session_task.done():
            harness.line.session_task.cancel()


class PlayedLog:
    """What the in-memory Twilio line actually played, frame by frame: (inbound timestamp, was audio)."""

    def __init__(self, harness: Harness) -> None:
        self.played_at: list[int] = []
        line = harness.line
        original = line._play_one

        def play_one() -> None:
            before = line.played_frames
            original()
            if line.played_frames > before:
                self.played_at.append(line.chunk * FRAME_MS)

        line._play_one = play_one  # type: ignore[method-assign]


def _channels(path: Path) -> tuple[npt.NDArray[np.int16], npt.NDArray[np.int16]]:
    with wave.open(str(path), "rb") as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (2, 2, 8000)
        samples = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
    return samples[0::2], samples[1::2]


def _loud_frames(track: npt.NDArray[np.int16]) -> list[int]:
    """The start (ms) of each 20 ms block with sound in it."""
    blocks = len(track) // 160
    loud = np.abs(track[: blocks * 160].reshape(blocks, 160).astype(np.int32)).max(axis=1) > 1000
    return [int(index) * FRAME_MS for index in np.flatnonzero(loud)]


async def _wait_finished(harness: Harness) -> None:
    if harness.line.closed_code is None:
        harness.line.stop()
    assert harness.line.session_task is not None
    await asyncio.wait_for(harness.line.session_task, timeout=10)


async def test_a_recorded_call_has_the_caller_left_and_the_agent_right_where_they_were_heard(
    harness_for: Any, settings: Settings
) -> None:
    # GIVEN a business that records its calls, and the line's own log of what it played
    harness = await harness_for(
        record_calls=True, caller_lines=["My kitchen sink is leaking."], replies=["Sorry to hear that."]
    )
    played = PlayedLog(harness)
    await harness.start()
    await harness.wait_until_played()
    await harness.line.frames(SILENCE, 25)
    # WHEN the caller speaks for a second, the agent answers, and the caller hangs up
    speech_from_ms = (harness.line.chunk + 1) * FRAME_MS
    await harness.say(1000)
    await harness.wait_until_played()
    await harness.line.frames(SILENCE, 10)
    await _wait_finished(harness)
    record = harness.finished[0]
    # THEN the first words were the announcement, then the greeting
    first = record.transcript[0]
    assert first.speaker == "agent"
    assert first.text == f"{NOTICE} {DEMO_GREETING}"
    # ... and the call left one stereo file (left: the caller, right: the agent) as long as the line ran
    assert record.recording is not None
    left, right = _channels(record.recording.path)
    assert record.recording.duration_ms == len(left) // 8
    assert abs(record.recording.duration_ms - harness.line.chunk * FRAME_MS) <= 2 * FRAME_MS
    # the caller's second of speech is on the left exactly when they said it, and nothing else is
    assert _loud_frames(left) == list(range(speech_from_ms, speech_from_ms + 1000, FRAME_MS))
    # the agent is on the right where the line played it (within a frame), silent while the caller spoke
    heard = _loud_frames(right)
    assert len(heard) == len(played.played_at)
    assert max(abs(a - b) for a, b in zip(heard, played.played_at, strict=True)) <= FRAME_MS
    assert not [ms for ms in heard if speech_from_ms <= ms < speech_from_ms + 1000]
    # the announcement and greeting open the right channel at once (60 ms of tone per word in the fake TTS)
    opening_words = len(f"{NOTICE} {DEMO_GREETING}".split())
    assert heard[: opening_words * 3] == list(range(0, opening_words * 60, FRAME_MS))
    # the reply came after the caller's turn
    assert [ms for ms in heard if ms >= speech_from_ms + 1000]


async def test_speech_the_caller_talked_over_is_cut_from_the_recording_as_from_the_line(harness_for: Any) -> None:
    # GIVEN a recorded call where the agent is well into a long reply
    harness = await harness_for(
        record_calls=True,
        caller_lines=["My water heater is broken.", "Do you guarantee your work?", "Wait, it is the boiler."],
        replies=[LONG_REPLY, "Got it, the boiler."],
    )
    played = PlayedLog(harness)
    await harness.start()
    await harness.wait_until_played()
    await harness.say(800)
    await harness.wait_until_played()
    await harness.say(800, then_silence_ms=400)
    await harness.line.frames(SILENCE, 80)
    clears_before = len(harness.line.events("clear"))
    buffered_before = harness.line.buffered_frames
    # WHEN the caller talks over it and the agent clears the line
    await harness.say(600, then_silence_ms=1000)
    assert len(harness.line.events("clear")) == clears_before + 1
    await harness.wait_until_played()
    await _wait_finished(harness)
    record = harness.finished[0]
    assert record.recording is not None
    _, right = _channels(record.recording.path)
    # THEN the right channel holds what the line played and not the cleared rest of the reply
    heard = _loud_frames(right)
    assert buffered_before > 50  # there was a lot left to say when the caller came in
    assert len(heard) == len(played.played_at)
    assert max(abs(a - b) for a, b in zip(heard, played.played_at, strict=True)) <= FRAME_MS


async def test_a_business_that_does_not_record_announces_nothing_and_keeps_no_file(
    harness_for: Any, settings: Settings
) -> None:
    # GIVEN a business whose agent does not record calls
    harness = await harness_for(record_calls=False, caller_lines=["My sink is leaking."], replies=["Okay."])
    await harness.start()
    await harness.wait_until_played()
    await harness.say(600)
    await harness.wait_until_played()
    await _wait_finished(harness)
    record = harness.finished[0]
    # THEN the greeting is the first thing said, with no announcement, and nothing was recorded
    assert record.transcript[0].text == DEMO_GREETING
    assert NOTICE not in " ".join(entry.text for entry in record.transcript)
    assert record.recording is None
    staging = settings.data_dir / STAGING_FOLDER
    assert not staging.exists() or not list(staging.iterdir())


async def test_a_spanish_call_of_a_recording_business_is_announced_in_spanish(settings: Settings, db: Database) -> None:
    # GIVEN a recording business whose agent speaks Spanish first
    await businesses.create_business(db, business_id=DEMO_BUSINESS_ID, name="Demo Plumbing", owner_phone="+15550109999")
    template = load_template("plumbing")
    assert "es" in template.languages
    spanish = template.model_copy(update={"record_calls": True, "languages": ["es", "en"]})
    await agent_definitions.save_definition(db, DEMO_BUSINESS_ID, spanish, "tests")
    harness = Harness(settings, db, fake_models(caller_lines=[]))
    # WHEN a call starts
    await harness.start()
    await harness.wait_until_played()
    await _wait_finished(harness)
    # THEN the first words are the Spanish notice, and the call was recorded
    assert harness.finished[0].transcript[0].text.startswith("Esta llamada se graba. ")
    assert harness.finished[0].recording is not None
