"""The agent never invents numbers, prices, times or appointments, and never refuses the caller."""

from __future__ import annotations

import pytest

from gpu_worker.conversation.reply_guard import unsafe_claim


@pytest.mark.parametrize(
    "clause",
    [
        "The best number to reach you on is 555-123-4567.",
        "It will cost $100.",
        "That's about 150 dollars.",
        "The plumber can be there at 3 pm.",
        "Someone will be there within 30 minutes.",
        "I've booked you an appointment for tomorrow.",
        "I'm sorry, but I can't assist with that.",
        "Do not give prices, times, phone numbers or appointments.",
        "[Known: problem=leak. Missing: name.]",
    ],
)
def test_invented_facts_and_refusals_are_caught(clause: str) -> None:
    assert unsafe_claim(clause)


@pytest.mark.parametrize(
    "clause",
    [
        "I'm sorry to hear about the leak.",
        "Could I get your name, please?",
        "What's the address where you need the work done?",
        "The plumber will call you back to arrange a time.",
        "Is it still leaking right now?",
    ],
)
def test_ordinary_replies_pass(clause: str) -> None:
    assert not unsafe_claim(clause)
