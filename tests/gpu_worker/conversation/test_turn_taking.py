"""Turn-taking on the inbound audio's clock: the utterance handed to speech-to-text starts where the caller
started, even when the VAD was slow to be sure (a soft "this is…" scores under its speech threshold)."""

from __future__ import annotations

import numpy as np

from gpu_worker.conversation.turn_taking import FRAME_MS, Paused, TurnEnded, TurnTaker
from gpu_worker.models.stages import FloatAudio

FRAME = 160  # 20 ms at 8 kHz


class ScriptedVad:
    """Reads the probability the test wrote into each frame's first sample (frames are 20 ms, windows 20 ms)."""

    frame_samples = FRAME

    def speech_probability(self, frame_8k: FloatAudio) -> float:
        return float(frame_8k[0])


def frames(probability: float, ms: int, marker: float) -> list[FloatAudio]:
    """Frames whose first sample is the VAD's probability and whose second marks which stretch they are."""
    out = []
    for _ in range(ms // FRAME_MS):
        frame = np.zeros(FRAME, dtype=np.float32)
        frame[0], frame[1] = probability, marker
        out.append(frame)
    return out


def utterance(stretches: list[tuple[float, int, float]]) -> tuple[TurnEnded, set[float]]:
    taker = TurnTaker(vad=ScriptedVad())
    ended: list[TurnEnded] = []
    for probability, ms, marker in [*stretches, (0.0, 1000, 0.0)]:
        for frame in frames(probability, ms, marker):
            ended += [event for event in taker.push_frame(frame) if isinstance(event, TurnEnded)]
    [turn] = ended
    audio = turn.audio_8k.reshape(-1, FRAME)
    return turn, {round(float(marker), 2) for marker in audio[:, 1]}


def test_a_soft_start_the_vad_doubted_is_part_of_the_utterance() -> None:
    # GIVEN silence, a soft "this is" (VAD 0.25), a gap longer than the fixed preroll, then "Priya Shah"
    turn, heard = utterance([(0.0, 1000, 0.01), (0.25, 300, 0.02), (0.05, 300, 0.03), (0.9, 600, 0.04)])
    # THEN the audio handed on starts at the soft start, not at the confident part
    assert {0.02, 0.03, 0.04} <= heard
    # AND the turn's timing still starts where the VAD was sure (barge-in and latency are measured from it)
    assert turn.started_ms == 1600


def test_an_earlier_sound_across_a_long_silence_is_not_pulled_in() -> None:
    # GIVEN a cough, then more than the onset gap of silence, then clear speech
    _, heard = utterance([(0.3, 200, 0.05), (0.0, 800, 0.06), (0.9, 600, 0.07)])
    # THEN the utterance has its fixed preroll of silence and the speech, but not the cough
    assert 0.05 not in heard
    assert {0.06, 0.07} <= heard


def _turn_ends(taker: TurnTaker, stretches: list[tuple[float, int]], *, hold_at_pause: int | None = None) -> list[int]:
    """Feed (probability, ms) stretches; `hold_open` is called at the n-th pause (counting from 1)."""
    ends: list[int] = []
    pauses = 0
    for probability, ms in stretches:
        for frame in frames(probability, ms, 0.0):
            for event in taker.push_frame(frame):
                if isinstance(event, Paused):
                    pauses += 1
                    if pauses == hold_at_pause:
                        taker.hold_open()
                elif isinstance(event, TurnEnded):
                    ends.append(event.at_ms)
    return ends


# "my number is 555 301" · a one-second breath · "4477" · silence
NUMBER_IN_GROUPS = [(0.0, 200), (0.9, 1200), (0.0, 1000), (0.9, 600), (0.0, 2500)]


def test_a_pause_after_words_that_trail_off_does_not_end_the_turn() -> None:
    # GIVEN a caller reading a number in groups, with a one-second pause between them
    # WHEN the words at the pause trail off and the pause is held open
    ends = _turn_ends(TurnTaker(vad=ScriptedVad()), NUMBER_IN_GROUPS, hold_at_pause=1)
    # THEN the whole number is one turn, ended by the usual silence after its last group
    assert ends == [200 + 1200 + 1000 + 600 + 800]


def test_without_the_hold_the_same_pause_splits_the_turn() -> None:
    ends = _turn_ends(TurnTaker(vad=ScriptedVad()), NUMBER_IN_GROUPS)
    assert ends == [200 + 1200 + 800, 200 + 1200 + 1000 + 600 + 800]


def test_a_held_pause_still_ends_at_the_longer_limit_and_the_next_pause_starts_afresh() -> None:
    taker = TurnTaker(vad=ScriptedVad())
    # GIVEN a held pause the caller never breaks
    assert _turn_ends(taker, [(0.9, 600), (0.0, 2500)], hold_at_pause=1) == [600 + 2000]
    # WHEN the caller speaks again and pauses without trailing off THEN the usual limit ends it
    assert _turn_ends(taker, [(0.9, 600), (0.0, 1500)]) == [600 + 2500 + 600 + 800]


def test_a_pause_released_after_the_usual_silence_ends_at_the_next_frame() -> None:
    # GIVEN a pause held open while its words are awaited, past the usual 800 ms of silence
    taker = TurnTaker(vad=ScriptedVad())
    _turn_ends(taker, [(0.9, 600), (0.0, 1000)], hold_at_pause=1)
    # WHEN the words turn out to be a whole sentence
    taker.release()
    # THEN the turn ends with the very next frame
    assert _turn_ends(taker, [(0.0, 20)]) == [1620]
