"""Facts answered from the definition, and the reply guard letting exactly those facts through."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from gpu_worker.conversation.planning.facts_answer import FactsAnswer
from gpu_worker.conversation.reply_guard import AllowedFacts, unsafe_claim
from shared.agents.templates import load_template

MONDAY_AFTERNOON = datetime(2026, 11, 30, 21, 0, tzinfo=UTC)  # 15:00 in Chicago, 16:00 in New York
CHRISTMAS_MORNING = datetime(2026, 12, 25, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("template", "question", "expected"),
    [
        ("plumbing", "What are your hours?", "We're open Monday to Friday, 7 AM to 6 PM."),
        ("plumbing", "Are you open on Saturday?", "We're closed on Saturday."),
        ("electrician", "Are you open Saturday?", "On Saturday we're open 9 AM to 1 PM."),
        ("front_desk", "When are you open?", "Friday, 9 AM to 12 PM and 1 PM to 4:30 PM."),
        ("front_desk", "What time do you open tomorrow?", "On Tuesday we're open 9 AM to 5 PM."),
        ("plumbing", "How much is the call-out fee?", "The call-out fee is $89 per visit."),
        ("hvac", "How much is a tune-up?", "The seasonal tune-up is $99"),
        ("front_desk", "Where can I park?", "free visitor parking behind the building"),
        ("plumbing", "Do you cover Shelbyville?", "We cover Springfield and the towns within about 25 miles."),
    ],
)
def test_a_question_about_a_listed_fact_gets_the_fact(template: str, question: str, expected: str) -> None:
    answer = FactsAnswer(load_template(template)).answer(question, language="en", now=MONDAY_AFTERNOON)
    assert expected in answer


def test_a_question_about_nothing_listed_gets_no_answer() -> None:
    assert (
        FactsAnswer(load_template("plumbing")).answer("Do you like football?", language="en", now=MONDAY_AFTERNOON)
        == ""
    )


def test_open_now_on_a_holiday_says_the_holiday() -> None:
    answer = FactsAnswer(load_template("plumbing")).answer("Are you open today?", language="en", now=CHRISTMAS_MORNING)
    assert answer.startswith("We're closed today for Christmas Day.")


def test_the_guard_allows_a_definitions_own_price_and_hours_and_still_blocks_others() -> None:
    allowed = AllowedFacts(
        amounts=frozenset({Decimal("89.00")}), times=frozenset(FactsAnswer(load_template("plumbing")).allowed_times())
    )
    assert not unsafe_claim("Our call-out fee is $89 per visit.", allowed)
    assert not unsafe_claim("We open at 7 AM and close at 6 PM.", allowed)
    assert unsafe_claim("Our call-out fee is $95.", allowed)
    assert unsafe_claim("We can be there at 3 pm.", allowed)
    assert unsafe_claim("It will cost a lot, the price depends.", allowed)  # price words without a listed amount
    assert unsafe_claim("I've booked you an appointment.", allowed)
    assert unsafe_claim("Our call-out fee is $89 per visit.")  # without the definition: as before
