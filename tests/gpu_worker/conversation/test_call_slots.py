"""Rule-based slot tracking: what a caller said, turn by turn."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gpu_worker.conversation.call_slots import Asked, CallSlots, update_slots

CALLER_ID = "+15550100123"


def heard(text: str, asked: Asked = None, slots: CallSlots | None = None) -> CallSlots:
    return update_slots(slots or CallSlots(), text, caller_id=CALLER_ID, asked=asked)


@pytest.mark.parametrize(
    ("utterance", "asked", "name"),
    [
        ("Bob Smith", "name", "Bob Smith"),
        ("yeah it's bob smith here", "name", "Bob Smith"),
        ("Sure, Bob.", "name", "Bob"),
        ("This is Maria Lopez, I smell gas in the basement", None, "Maria Lopez"),
        ("Hi it's Dave, sewage is backing up into my basement", None, "Dave"),
        ("my name is jean-luc picard and I have a leak", None, "Jean-Luc Picard"),
        ("I'm Will, the pipe under the sink is leaking", None, "Will"),
        # none of these says a name
        ("I'm calling because my toilet is clogged", None, ""),
        ("I'm worried about my water heater", None, ""),
        ("this is urgent, water is everywhere", None, ""),
        ("It's 12 Oak Street", "address", ""),
        ("my pipe burst", "name", ""),
        ("It's Tuesday, can someone come?", None, ""),
        ("Bob Smith", None, ""),
    ],
)
def test_name_extraction(utterance: str, asked: Asked, name: str) -> None:
    # GIVEN a caller utterance and what the receptionist had just asked
    # WHEN the slots are updated
    slots = heard(utterance, asked)
    # THEN the name is found only when one was said
    assert slots.name == name


@pytest.mark.parametrize(
    ("utterance", "asked", "address"),
    [
        ("It's 12 Oak Street, apartment 4, Springfield", "address", "12 Oak Street, apartment 4, Springfield"),
        ("I live at 4417 North Main Street in Dayton.", None, "4417 North Main Street in Dayton"),
        ("we're at 88 Birch Rd", None, "88 Birch Rd"),
        ("4 Elm, Springfield", "address", "4 Elm, Springfield"),
        ("It's been 3 days and the drive is flooded", None, ""),
        ("4 Elm, Springfield", None, ""),
        ("the one on the corner", "address", ""),
    ],
)
def test_address_extraction(utterance: str, asked: Asked, address: str) -> None:
    # GIVEN a caller utterance
    # WHEN the slots are updated
    slots = heard(utterance, asked)
    # THEN a street address is kept, and a bare numbered answer only when the address was asked
    assert slots.address == address


@pytest.mark.parametrize(
    ("utterance", "asked", "callback"),
    [
        ("it's (555) 123-4567", "callback", "+15551234567"),
        ("my number is 555 867 5309", None, "+15558675309"),
        ("five five five, one two three, four five six seven", "callback", "+15551234567"),
        ("yes", "callback_confirm", CALLER_ID),
        ("yeah the number I'm calling from is fine", "callback_confirm", CALLER_ID),
        ("no, call my cell, 555 867 5309", "callback_confirm", "+15558675309"),
        ("no", "callback_confirm", ""),
        ("yes but use my cell instead", "callback_confirm", ""),
        ("yes", "name", ""),
    ],
)
def test_callback_number(utterance: str, asked: Asked, callback: str) -> None:
    # GIVEN a caller answering about their callback number
    # WHEN the slots are updated
    slots = heard(utterance, asked)
    # THEN the number is E.164, the caller id when they confirm it, and nothing on a refusal
    assert slots.callback == callback
    assert slots.callback_confirmed == bool(callback)


@pytest.mark.parametrize(
    ("utterance", "asked", "problem"),
    [
        (
            "Hi, yeah, my kitchen pipe burst and there's water everywhere!",
            None,
            "my kitchen pipe burst and there's water everywhere",
        ),
        ("Hi, I'm calling because my toilet is clogged", None, "my toilet is clogged"),
        ("I'm calling about a quote for a new faucet.", None, "a quote for a new faucet"),
        ("um the sink makes a weird noise", "problem", "the sink makes a weird noise"),
        ("the thing in the garage is acting up", "problem", "the thing in the garage is acting up"),
        ("the thing in the garage is acting up", None, ""),
        ("Is this the right number?", "problem", ""),
        ("Hello?", None, ""),
    ],
)
def test_problem_extraction(utterance: str, asked: Asked, problem: str) -> None:
    # GIVEN a caller describing (or not) their issue
    # WHEN the slots are updated
    slots = heard(utterance, asked)
    # THEN the concise clause naming the issue is kept
    assert slots.problem == problem


def test_problem_is_concise() -> None:
    # GIVEN a long rambling description
    text = "so basically the pipe under the kitchen sink has been leaking " + "more and more every day " * 10
    # WHEN heard
    slots = heard(text)
    # THEN the problem is cut at a word boundary within 120 characters
    assert slots.problem.startswith("the pipe under the kitchen sink has been leaking")
    assert len(slots.problem) <= 120


def test_first_problem_is_kept() -> None:
    # GIVEN a problem already known
    slots = heard("my pipe burst")
    # WHEN the caller later mentions another fixture in passing
    later = heard("the toilet is in the other bathroom", slots=slots)
    # THEN the first problem stays
    assert later.problem == "my pipe burst"


def test_urgency_never_goes_down_from_emergency() -> None:
    # GIVEN an emergency
    slots = heard("there's water everywhere, a pipe burst")
    # WHEN the caller then says something routine, even in answer to the urgency question
    later = heard("no rush really, next week is fine", asked="urgency", slots=slots)
    # THEN it is still an emergency
    assert slots.urgency == "emergency"
    assert later.urgency == "emergency"


def test_urgency_answer_sets_urgency() -> None:
    # GIVEN a problem with no urgency in it
    slots = heard("the sink makes a weird noise", asked="problem")
    # WHEN the caller answers the urgency question
    later = heard("as soon as possible please", asked="urgency", slots=slots)
    # THEN urgency was missing and now it is filled
    assert "urgency" in slots.missing()
    assert later.urgency == "soon"
    assert "urgency" not in later.missing()


def test_missing_is_in_asking_order() -> None:
    # GIVEN an empty call, and one with an emergency problem and a name
    empty = CallSlots()
    partial = heard("This is Maria, I smell gas")
    # WHEN asked what is missing
    # THEN problem comes first; urgency is not asked when it was implied
    assert empty.missing() == ["problem", "name", "address", "callback", "urgency"]
    assert partial.missing() == ["address", "callback"]


FULL = CallSlots(
    name="Bob Smith",
    problem="my pipe burst",
    address="12 Oak Street",
    callback="+15550100123",
    urgency="emergency",
    callback_confirmed=True,
)


@pytest.mark.parametrize("answer", ["yes", "Yeah, that's right.", "yep sounds good", "correct, no problem"])
def test_readback_confirmed(answer: str) -> None:
    # GIVEN every detail read back
    # WHEN the caller agrees
    slots = heard(answer, asked="readback", slots=FULL)
    # THEN the call is confirmed
    assert slots.confirmed
    assert slots.readback_done


def test_readback_correction_is_applied_and_read_back_again() -> None:
    # GIVEN every detail read back
    # WHEN the caller corrects the address in the same breath
    slots = heard("no, it's 14 Oak Street", asked="readback", slots=FULL)
    # THEN the address changes, nothing is confirmed, and the readback is due again
    assert slots.address == "14 Oak Street"
    assert not slots.confirmed
    assert not slots.readback_done


def test_readback_rejected_without_correction() -> None:
    # GIVEN every detail read back
    # WHEN the caller only says it is wrong
    slots = heard("no, that's wrong", asked="readback", slots=FULL)
    # THEN nothing is confirmed and nothing changed
    assert not slots.confirmed
    assert slots.readback_done
    assert slots.details() == FULL.details()


def test_readback_name_correction() -> None:
    # GIVEN a misheard name
    slots = replace(FULL, name="Rob")
    # WHEN the caller corrects it
    corrected = heard("Actually my name is Bob Smith", asked="readback", slots=slots)
    # THEN the name is replaced
    assert corrected.name == "Bob Smith"
    assert not corrected.confirmed


def test_empty_turn_changes_nothing() -> None:
    # GIVEN some slots
    # WHEN an empty transcript arrives
    # THEN they are unchanged
    assert heard("   ", asked="name", slots=FULL) == FULL
