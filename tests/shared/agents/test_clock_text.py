"""Clock times as Whisper writes them ("5 a,", "11 p", "five a m", "5 de la mañana") come out one way: "5 AM",
ranges "5 AM–11 PM". The owner's results, the `time` kind and the outbound eval's scorer all read that form;
words that only look like a period ("plan a", "5 a day") are left alone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from buddyhelps.eval.eval_cases import EvalCase
from buddyhelps.eval.scoring import field_results
from gpu_worker.conversation.planning.planner import FieldEntry
from shared.agents.definition import FieldKind, FieldSpec
from shared.agents.fields import FieldContext, extract_field, lexicon_for
from shared.agents.fields.clock_text import clock_text
from shared.agents.templates import load_template

NOW = datetime(2026, 11, 29, 10, 0, tzinfo=ZoneInfo("America/New_York"))
EN = FieldContext(language="en", now=NOW)
ES = FieldContext(language="es", now=NOW)


def _spec(kind: FieldKind) -> FieldSpec:
    return FieldSpec(name="f", kind=kind, label={"en": "F", "es": "F"}, question={"en": "?", "es": "?"})


@pytest.mark.parametrize(
    ("said", "written"),
    [
        ("5 a,", "5 AM,"),
        ("we open at 5 a", "we open at 5 AM"),
        ("5 a.m", "5 AM"),
        ("5am", "5 AM"),
        ("5 A.M.", "5 AM"),
        ("5 a. m.", "5 AM"),
        ("five a m", "5 AM"),
        ("11 p,", "11 PM,"),
        ("until 11 P.M", "until 11 PM"),
        ("7.30 am", "7:30 AM"),
        ("6:45 a", "6:45 AM"),
        ("six fifty five pm", "6:55 PM"),
        ("twelve fifteen p m", "12:15 PM"),
        ("noon", "12 PM"),
        ("12 noon", "12 PM"),
        ("midnight", "12 AM"),
        ("12 at night", "12 AM"),
        ("we open at six in the morning", "we open at 6 AM"),
        ("close at ten at night", "close at 10 PM"),
        ("from 4 in the afternoon", "from 4 PM"),
        ("5 a, to 11 p,", "5 AM–11 PM,"),
        ("5 a to 11 p", "5 AM–11 PM"),
        ("5 a. to 11 p.", "5 AM–11 PM."),
        ("6am - 10pm", "6 AM–10 PM"),
        ("Seven in the morning until nine at night, every day.", "7 AM–9 PM, every day."),
        ("Noon to 10 PM weekdays, 9 AM till 9 PM weekends", "12 PM–10 PM weekdays, 9 AM–9 PM weekends"),
        ("at 5 a.m. We close at 9 p.m.", "at 5 AM. We close at 9 PM"),
        ("We're open 5 AM to 11 PM", "We're open 5 AM–11 PM"),
    ],
)
def test_english_times_are_written_one_way(said: str, written: str) -> None:
    assert clock_text(said, lexicon_for("en")) == written


@pytest.mark.parametrize(
    ("said", "written"),
    [
        ("5 de la mañana", "5 AM"),
        ("11 de la noche", "11 PM"),
        ("a las 5 de la tarde", "a las 5 PM"),
        ("a la una de la tarde", "a la 1 PM"),
        ("1 de la madrugada", "1 AM"),
        ("12 de la noche", "12 AM"),
        ("al mediodía", "al 12 PM"),
        ("medianoche", "12 AM"),
        ("abrimos de cinco de la mañana a once de la noche", "abrimos de 5 AM–11 PM"),
        ("de 6 de la mañana hasta las 10 de la noche", "de 6 AM–10 PM"),
        ("de 7 a.m. a 9 p.m.", "de 7 AM–9 PM"),
    ],
)
def test_spanish_times_are_written_the_same_way(said: str, written: str) -> None:
    assert clock_text(said, lexicon_for("es")) == written


@pytest.mark.parametrize(
    "said",
    [
        "a, b and c",
        "plan a",
        "we have plan a and plan b",
        "5 a day",
        "$5 a day",
        "3 a week, sometimes 4 a month",
        "open 24 hours",
        "Good afternoon",
        "I am here at 5",
        "one in the morning and one at night",  # two classes, not two times
        "we open 7 to 7 at the weekend",  # no half of the day said: left as it is
        "Page 5 amended",
    ],
)
def test_words_that_only_look_like_times_are_left_alone(said: str) -> None:
    assert clock_text(said, lexicon_for("en")) == said


@pytest.mark.parametrize("said", ["tenemos una de la mañana y otra por la noche", "el plan a", "de 5 a 11"])
def test_spanish_words_that_only_look_like_times_are_left_alone(said: str) -> None:
    assert clock_text(said, lexicon_for("es")) == said


@pytest.mark.parametrize(
    ("said", "ctx", "expected"),
    [
        ("5 a,", EN, "05:00"),
        ("6:45 a", EN, "06:45"),  # not a quarter to seven in the evening
        ("11 p,", EN, "23:00"),
        ("7.30 a.m.", EN, "07:30"),
        ("five a m", EN, "05:00"),
        ("half past seven a m", EN, "07:30"),
        ("quarter to eight a m", EN, "07:45"),
        ("5 a, to 11 p,", EN, "05:00"),  # a range's start, not its end's half of the day
        ("noon", EN, "12:00"),
        ("midnight", EN, "00:00"),
        ("5 de la mañana", ES, "05:00"),
        ("a las siete de la tarde", ES, "19:00"),
        ("a las 7 y media de la mañana", ES, "07:30"),
        ("12 de la noche", ES, "00:00"),
    ],
)
def test_the_time_kind_reads_the_forms_whisper_writes(said: str, ctx: FieldContext, expected: str) -> None:
    found = extract_field(_spec(FieldKind.TIME), said, ctx, asked=True)
    assert found is not None
    assert found.value == expected


def test_an_hours_answer_keeps_the_one_form_and_is_read_back_in_words_the_callee_knows() -> None:
    said = "We're open 5 a, to 11 p, on weekdays and 7 to 7 at the weekend."
    found = extract_field(_spec(FieldKind.FREE_TEXT), said, EN, asked=True)
    assert found is not None
    assert found.value == "We're open 5 AM–11 PM, on weekdays and 7 to 7 at the weekend"
    assert found.spoken == "We're open 5 AM to 11 PM, on weekdays and 7 to 7 at the weekend"
    spanish = extract_field(_spec(FieldKind.FREE_TEXT), "Abrimos de 5 de la mañana a 11 de la noche.", ES, asked=True)
    assert spanish is not None
    assert spanish.value == "Abrimos de 5 AM–11 PM"
    assert spanish.spoken == "Abrimos de las 5 de la mañana a las 11 de la noche"


@pytest.mark.parametrize(
    ("truth", "value", "right"),
    [
        (["5 AM", "11 PM"], "We're open 5 AM–11 PM, on weekdays", True),
        (["5 AM", "11 PM"], "We're open 5 a, to 11 p, on weekdays", True),  # a value from before is read the same
        (["noon", "10 PM"], "12 PM–10 PM weekdays", True),
        (["6 AM", "10 PM"], "open at 6 AM and close at 10 PM", True),
        (["5 AM", "11 PM"], "We're open 5 to 11", False),  # which half of the day is not known
        (["5 AM", "11 PM"], "5 PM–11 PM", False),
    ],
)
def test_the_eval_scores_hours_in_the_same_form(truth: list[str], value: str, right: bool) -> None:
    gym = load_template("gym_information")
    case = EvalCase(name="hours", turns=["(hours)"], truth={"hours": truth})
    entry = FieldEntry("hours", "Opening hours", value, value, "given")
    [result] = field_results(case, gym, (entry,))
    assert result.right is right
