"""Turn-taking on the inbound audio's clock: the utterance handed to speech-to-text starts where the caller
started, even when the VAD was slow to be sure (a soft "this is…" scores under its speech threshold)."""

from __future__ import annotations

import numpy as np

from gpu_worker.conversation.turn_taking import FRAME_MS, TurnEnded, TurnTaker
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
