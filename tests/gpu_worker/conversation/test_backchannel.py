"""Listening noises over the agent are not interruptions; anything with content is."""

from __future__ import annotations

import pytest

from gpu_worker.conversation.backchannel import is_backchannel


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ok", True),
        ("Okay.", True),
        ("mm-hm", True),
        ("Mhm, mhm.", True),
        ("uh-huh", True),
        ("yeah yeah", True),
        ("Got it.", True),
        ("I see", True),
        ("alright, sure", True),
        ("", False),
        ("okay but the pipe is still leaking", False),
        ("no", False),
        ("wait", False),
    ],
)
def test_only_listening_noises_are_backchannels(text: str, expected: bool) -> None:
    # GIVEN something the caller said during playback WHEN classified THEN only listening noises count
    assert is_backchannel(text) == expected


@pytest.mark.parametrize(("text", "expected"), [("Vale, vale.", True), ("Ajá", True), ("Espere, no es eso", False)])
def test_spanish_backchannels_are_read_in_spanish(text: str, expected: bool) -> None:
    assert is_backchannel(text, "es") == expected


def test_a_language_without_a_list_reads_as_english() -> None:
    assert is_backchannel("okay", "de")
    assert not is_backchannel("wait a moment", "de")
