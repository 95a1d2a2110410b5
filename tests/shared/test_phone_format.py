"""E.164 normalisation: what operators type becomes the one stored format, or a clear refusal."""

from __future__ import annotations

import pytest

from shared.phone_format import InvalidPhoneNumber, is_e164, normalize_e164


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("+15550100001", "+15550100001"),
        ("(555) 010-0001", "+15550100001"),
        ("555.010.0001", "+15550100001"),
        ("1 555 010 0001", "+15550100001"),
        (" +44 20 7946 0958 ", "+442079460958"),
    ],
)
def test_common_ways_of_writing_a_number_become_e164(typed: str, stored: str) -> None:
    # GIVEN a number as an operator types it WHEN normalised THEN it is E.164
    assert normalize_e164(typed) == stored
    assert is_e164(stored)


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("+1555abc0001", "characters other than digits"),
        ("555-0100; DROP TABLE", "characters other than digits"),
        ("12345", "country code"),
        ("+12345", "not a valid E.164"),
        ("442079460958", "country code"),
        ("+0555010000", "not a valid E.164"),
        ("+1234567890123456", "not a valid E.164"),
        ("555-0100", "country code"),
        ("1+5550100001", "not a valid E.164"),
    ],
)
def test_bad_numbers_are_refused_with_the_reason(typed: str, reason: str) -> None:
    # GIVEN something that is not a dialable number WHEN normalised THEN it is refused and says why
    with pytest.raises(InvalidPhoneNumber, match=reason):
        normalize_e164(typed)


def test_is_e164_accepts_only_the_stored_format() -> None:
    # GIVEN formatted and raw numbers WHEN checked THEN only "+" and 7-15 digits pass
    assert is_e164("+15550100001")
    assert not is_e164("15550100001")
    assert not is_e164("+1 555 010 0001")
    assert not is_e164("anonymous")
