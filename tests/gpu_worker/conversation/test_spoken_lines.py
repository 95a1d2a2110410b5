"""Phone numbers read aloud; the caller's words told back to them."""

from __future__ import annotations

import pytest

from gpu_worker.conversation.spoken_lines import as_told_back, speakable_phone


@pytest.mark.parametrize(
    ("number", "spoken"),
    [("+15550100123", "5 5 5, 0 1 0, 0 1 2 3"), ("0123", "0 1 2 3"), ("+442079460958", "4 4 2, 0 7 9, 4 6 0, 9 5 8")],
)
def test_speakable_phone(number: str, spoken: str) -> None:
    # GIVEN an E.164 number (or its last digits)
    # WHEN written for TTS
    # THEN it is digit by digit in groups
    assert speakable_phone(number) == spoken


def test_problem_is_told_back_to_the_caller() -> None:
    # GIVEN the caller's own words
    # WHEN turned toward them
    # THEN first person becomes second person
    assert as_told_back("I think my pipe burst and we're flooded") == "you think your pipe burst and you're flooded"
