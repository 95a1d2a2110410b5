"""Twilio's playback buffer as emulated: audio plays 20 ms per tick, marks echo after it, clear drops it."""

from __future__ import annotations

from buddyhelps.simulator.playback_buffer import PlaybackBuffer

TONE = bytes(range(0, 160))  # 160 distinct non-silent bytes


def _tick_until_quiet(buffer: PlaybackBuffer, limit: int = 100) -> list[tuple[int, tuple[str, ...], bool]]:
    played = []
    for tick in range(limit):
        frame = buffer.play_frame()
        played.append((tick, frame.marks_done, frame.agent_audio))
        if not buffer.is_playing and not frame.agent_audio and not frame.marks_done:
            break
    return played


def test_mark_echoes_only_after_the_audio_before_it_has_played() -> None:
    # GIVEN 60 ms of agent audio followed by a mark, sent at once (faster than real time)
    buffer = PlaybackBuffer()
    buffer.add_audio(TONE * 3)
    buffer.add_mark("reply-1")
    # WHEN the line plays 20 ms per tick
    played = _tick_until_quiet(buffer)
    # THEN three ticks carry audio and the mark comes back on the tick after the last one (at 60 ms)
    assert [tick for tick, _, audio in played if audio] == [0, 1, 2]
    assert [(tick, marks) for tick, marks, _ in played if marks] == [(3, ("reply-1",))]


def test_a_mark_with_nothing_queued_echoes_on_the_next_tick() -> None:
    buffer = PlaybackBuffer()
    buffer.add_mark("empty")
    frame = buffer.play_frame()
    assert frame.marks_done == ("empty",)
    assert not frame.agent_audio


def test_uneven_chunks_play_back_to_back_and_marks_keep_their_place() -> None:
    # GIVEN audio in odd-sized chunks with a mark between them
    buffer = PlaybackBuffer()
    buffer.add_audio(TONE[:100], tag=1)
    buffer.add_mark("first")
    buffer.add_audio(TONE[:100], tag=1)
    buffer.add_mark("second")
    # WHEN played
    first = buffer.play_frame()
    second = buffer.play_frame()
    third = buffer.play_frame()
    # THEN frames are full 160 bytes where audio allows, padded with silence at the end
    assert first.audio == TONE[:100] + TONE[:60]
    assert second.audio == TONE[60:100] + bytes([0xFF]) * 120
    # AND "first" echoes once the frame holding its last byte has played, "second" after the rest
    assert first.marks_done == ()
    assert second.marks_done == ("first",)
    assert third.marks_done == ("second",)
    assert first.tag == 1


def test_clear_drops_unplayed_audio_and_echoes_every_pending_mark() -> None:
    # GIVEN two seconds of reply queued with marks after each sentence
    buffer = PlaybackBuffer()
    buffer.add_audio(TONE * 50)
    buffer.add_mark("sentence-1")
    buffer.add_audio(TONE * 50)
    buffer.add_mark("sentence-2")
    for _ in range(10):
        buffer.play_frame()
    # WHEN the worker sends clear (barge-in) after 200 ms
    echoed = buffer.clear()
    # THEN both marks come back at once, in order, and the caller hears silence from the next tick
    assert echoed == ("sentence-1", "sentence-2")
    assert buffer.queued_bytes == 0
    frame = buffer.play_frame()
    assert not frame.agent_audio
    assert frame.audio == bytes([0xFF]) * 160
    assert frame.marks_done == ()


def test_silence_when_nothing_is_queued() -> None:
    frame = PlaybackBuffer().play_frame()
    assert (frame.agent_audio, frame.tag, frame.audio) == (False, -1, bytes([0xFF]) * 160)
