"""Urgency and hazards from a caller's words."""

from __future__ import annotations

import pytest

from gpu_worker.conversation.urgency import (
    Hazard,
    Urgency,
    detect_hazard,
    detect_urgency,
    merge_urgency,
    urgency_answer,
)


@pytest.mark.parametrize(
    ("text", "urgency"),
    [
        ("I smell gas in the kitchen", "emergency"),
        ("a pipe burst and there's water everywhere", "emergency"),
        ("sewage is backing up into the basement", "emergency"),
        ("the carbon monoxide alarm is going off", "emergency"),
        ("the furnace is out and the pipes are freezing", "emergency"),
        ("this is an emergency", "emergency"),
        ("we have no hot water since this morning", "soon"),
        ("my only toilet won't flush", "soon"),
        ("the pipe under the sink is leaking", "soon"),
        ("the bathroom faucet is dripping", "routine"),
        ("I'd like a quote for a new water heater", "routine"),
        ("it's not an emergency, just some maintenance", "routine"),
        ("the furnace is out", ""),
        ("my sink makes a weird noise", ""),
    ],
)
def test_detect_urgency(text: str, urgency: Urgency) -> None:
    # GIVEN a caller describing a problem
    # WHEN urgency is judged
    # THEN it follows the business rules
    assert detect_urgency(text) == urgency


@pytest.mark.parametrize(
    ("text", "hazard"),
    [
        ("I can smell gas", "gas"),
        ("water is pouring through the ceiling", "water"),
        ("sewage is coming up the drain", "sewage"),
        ("our CO detector keeps beeping", "carbon_monoxide"),
        ("no heat and it's freezing in here", "freezing"),
        ("my toilet is clogged", ""),
    ],
)
def test_detect_hazard(text: str, hazard: Hazard) -> None:
    # GIVEN a caller describing a danger
    # WHEN the hazard is looked for
    # THEN the right one is named (it picks the safety line)
    assert detect_hazard(text) == hazard


@pytest.mark.parametrize(
    ("text", "urgency"),
    [("as soon as possible", "soon"), ("right now please", "emergency"), ("no rush", "routine"), ("hmm", "")],
)
def test_urgency_answer(text: str, urgency: Urgency) -> None:
    # GIVEN a reply to "how urgent is it?"
    # WHEN read
    # THEN the caller's own words set the urgency
    assert urgency_answer(text) == urgency


def test_merge_urgency() -> None:
    # GIVEN urgencies already heard
    # WHEN new ones are merged
    # THEN emergency sticks, rises happen on their own, a drop only when the caller answered the question
    assert merge_urgency("emergency", "routine", answered=True) == "emergency"
    assert merge_urgency("routine", "soon", answered=False) == "soon"
    assert merge_urgency("soon", "routine", answered=False) == "soon"
    assert merge_urgency("soon", "routine", answered=True) == "routine"
    assert merge_urgency("soon", "", answered=True) == "soon"
