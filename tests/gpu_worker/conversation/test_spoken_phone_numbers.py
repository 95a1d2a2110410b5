"""Phone numbers as callers say them → E.164."""

from __future__ import annotations

import pytest

from gpu_worker.conversation.spoken_phone_numbers import find_phone_number, normalize_phone


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("555 123 4567", "+15551234567"),
        ("(555) 123-4567", "+15551234567"),
        ("5551234567", "+15551234567"),
        ("1-555-123-4567", "+15551234567"),
        ("call me on +44 20 7946 0958", "+442079460958"),
        ("five five five, one two three, four five six seven", "+15551234567"),
        ("five five five one two three oh one two three", "+15551230123"),
        ("double five five, 123, 4567", "+15551234567"),
        ("it's 867 5309", "+15558675309"),  # seven digits: the caller id's area code
        ("I'm at 12 Oak Street, 555 123 4567", "+15551234567"),
        ("I have one toilet and two sinks", ""),
        ("oh no, the pipe burst", ""),
        ("12 Oak Street", ""),
        ("0123456789", ""),
    ],
)
def test_find_phone_number(text: str, number: str) -> None:
    # GIVEN a caller's words as transcribed
    # WHEN a phone number is looked for
    found = find_phone_number(text, caller_id="+15550100123")
    # THEN the spoken number comes back as E.164, and nothing when none was said
    assert found == number


def test_seven_digits_without_a_caller_id_are_not_a_number() -> None:
    # GIVEN a local number and no caller id to borrow an area code from
    # WHEN looked for
    # THEN nothing is guessed
    assert find_phone_number("867 5309", caller_id="") == ""


@pytest.mark.parametrize(("value", "expected"), [("+15550100123", "+15550100123"), ("anonymous", ""), ("", "")])
def test_normalize_phone(value: str, expected: str) -> None:
    # GIVEN a caller id as Twilio sends it
    # WHEN normalized
    # THEN a withheld one is ""
    assert normalize_phone(value) == expected
