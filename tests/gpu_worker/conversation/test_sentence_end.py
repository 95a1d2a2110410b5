"""The words at a pause: a turn that ends mid-sentence is held open, a finished one is not."""

from __future__ import annotations

import pytest

from gpu_worker.conversation.sentence_end import sounds_unfinished


@pytest.mark.parametrize(
    "text",
    [
        "My name is",
        "My kitchen sink is leaking and",
        "I'm at 42 Oak Street,",
        "The number is 5 5 5, 0 1 0",  # a phone number still being said
        "Hi there.",  # only a hello: the reason for the call comes next
        "Hello, um",
        "I was calling about the...",
        "it's in the",
    ],
)
def test_unfinished_sentences_wait(text: str) -> None:
    assert sounds_unfinished(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "My name is Sam Reed.",
        "42 Oak Street, Springfield.",
        "5 5 5 0 1 0 0 1 2 3.",
        "You can reach me at 555-300-1, 4477.",  # a whole number, however Whisper punctuated it
        "Yes.",
        "Hello?",  # a question wants an answer
        "It's 3.",
        "Is it the one you're in?",
    ],
)
def test_finished_sentences_do_not(text: str) -> None:
    assert not sounds_unfinished(text)


def test_words_are_judged_in_the_calls_language() -> None:
    assert sounds_unfinished("Me llamo", language="es")
    assert not sounds_unfinished("Me llamo Ana.", language="es")
    assert not sounds_unfinished("my name is", language="de")  # no list: the turn model decides alone
