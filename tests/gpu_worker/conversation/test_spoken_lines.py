"""Scripted lines: readback, goodbye, phone numbers read aloud."""

from __future__ import annotations

import pytest

from gpu_worker.conversation.call_slots import CallSlots
from gpu_worker.conversation.spoken_lines import as_told_back, goodbye_line, readback_line, speakable_phone


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


def test_readback_with_missing_name_uses_caller_id() -> None:
    # GIVEN no name and no spoken callback number
    slots = CallSlots(problem="my sink is leaking", address="3 Pine Lane")
    # WHEN read back
    line = readback_line(slots, caller_id="+15550100123")
    # THEN what is known is read, with the caller id as the number
    assert line == (
        "Let me read that back: 3 Pine Lane, your sink is leaking, and we'll call you at 5 5 5, 0 1 0, 0 1 2 3. "
        "Is that right?"
    )


def test_goodbye_without_name_or_number() -> None:
    # GIVEN nothing to call back on
    # WHEN saying goodbye
    line = goodbye_line(CallSlots(problem="leak"), "Acme Plumbing", caller_id="")
    # THEN no call back is promised
    assert line == "Thanks for calling. Acme Plumbing will be in touch shortly. Goodbye."
