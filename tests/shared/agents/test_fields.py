"""Field understanding by kind: what a caller says (as STT writes it) → the value the owner gets."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from shared.agents.definition import FieldKind, FieldSpec
from shared.agents.fields import FieldContext, extract_field
from shared.agents.templates import load_template

NOW = datetime(2026, 11, 29, 10, 0, tzinfo=ZoneInfo("America/Chicago"))  # a Sunday
EN = FieldContext(language="en", now=NOW, caller_id="+15125550134")
ES = FieldContext(language="es", now=NOW, caller_id="+15125550134")


def spec(kind: FieldKind, **extra: object) -> FieldSpec:
    return FieldSpec(name="f", kind=kind, label={"en": "F"}, question={"en": "?"}, **extra)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("said", "asked", "expected"),
    [
        ("My name is Priya Raman.", False, "Priya Raman"),
        ("hi this is Tom O'Brien calling about my sink", False, "Tom O'Brien"),
        ("uh, dana kowalski", True, "Dana Kowalski"),
        ("dana kowalski", False, None),  # a bare name only counts as an answer
        ("my toilet is clogged", True, None),
    ],
)
def test_person_names(said: str, asked: bool, expected: str | None) -> None:
    # GIVEN a name field WHEN the caller speaks THEN the name is taken only when it is one
    found = extract_field(spec(FieldKind.PERSON_NAME), said, EN, asked=asked)
    assert (found.value if found else None) == expected


@pytest.mark.parametrize(
    ("said", "context", "expected"),
    [
        ("you can reach me at 512 555 0199", EN, "+15125550199"),
        ("five one two, five five five, oh one nine nine", EN, "+15125550199"),
        ("(512) 555-0199 please", EN, "+15125550199"),
        ("it's +44 20 7946 0958", EN, "+442079460958"),
        ("555 0199", EN, "+15125550199"),  # seven digits borrow the caller's area code
        ("the number I'm calling from is fine", EN, "+15125550134"),
        ("cinco uno dos, cinco cinco cinco, cero uno nueve nueve", ES, "+15125550199"),
        ("use este número", ES, "+15125550134"),
        ("I have 3 kids", EN, None),
        ("5555 55 55 55 55 55 55 55 55 55 55 55 55 555", EN, None),  # a decoder loop, not a number
    ],
)
def test_phone_numbers_become_e164(said: str, context: FieldContext, expected: str | None) -> None:
    found = extract_field(spec(FieldKind.PHONE, confirm_caller_id=True), said, context, asked=True)
    assert (found.value if found else None) == expected


def test_a_phone_number_is_read_back_digit_by_digit() -> None:
    found = extract_field(spec(FieldKind.PHONE), "512 555 0199", EN, asked=True)
    assert found is not None
    assert found.spoken == "5 1 2, 5 5 5, 0 1 9 9"


@pytest.mark.parametrize(
    ("said", "asked", "expected"),
    [
        ("I'm at 42 Oak Street in Springfield", False, "42 Oak Street in Springfield"),
        ("1187 Maple Ave, apt 3", False, "1187 Maple Ave, apt 3"),
        ("it's 9 Birchwood", True, "9 Birchwood"),
        ("vivo en Calle Mayor 12", False, "Calle Mayor 12"),
        ("the leak is in the kitchen", True, None),
    ],
)
def test_addresses(said: str, asked: bool, expected: str | None) -> None:
    context = ES if "Calle" in said else EN
    found = extract_field(spec(FieldKind.ADDRESS), said, context, asked=asked)
    assert (found.value if found else None) == expected


@pytest.mark.parametrize(
    ("said", "context", "expected", "spoken"),
    [
        ("tomorrow works", EN, "2026-11-30", "Monday, November 30"),
        ("how about next Tuesday", EN, "2026-12-01", "Tuesday, December 1"),
        ("December 3rd", EN, "2026-12-03", "Thursday, December 3"),
        ("on the 5th", EN, "2026-12-05", "Saturday, December 5"),
        ("el martes a las dos", ES, "2026-12-01", "el martes 1 de diciembre"),
        ("pasado mañana", ES, "2026-12-01", "el martes 1 de diciembre"),
        ("el 3 de diciembre", ES, "2026-12-03", "el jueves 3 de diciembre"),
        ("a las diez de la mañana", ES, None, None),  # "mañana" there is the morning, not tomorrow
        ("may I ask something", EN, None, None),
    ],
)
def test_dates_relative_to_the_business_today(
    said: str, context: FieldContext, expected: str | None, spoken: str | None
) -> None:
    found = extract_field(spec(FieldKind.DATE), said, context, asked=True)
    assert (found.value if found else None) == expected
    assert (found.spoken if found else None) == spoken


@pytest.mark.parametrize(
    ("said", "context", "asked", "expected"),
    [
        ("2pm", EN, False, "14:00"),
        ("at 2:30", EN, False, "14:30"),
        ("two thirty", EN, True, "14:30"),
        ("half past nine in the morning", EN, False, "09:30"),
        ("quarter to three", EN, True, "14:45"),
        ("noon", EN, False, "12:00"),
        ("I have 3 kids", EN, False, None),
        ("a las dos y media de la tarde", ES, False, "14:30"),
        ("a las diez de la mañana", ES, False, "10:00"),
    ],
)
def test_times(said: str, context: FieldContext, asked: bool, expected: str | None) -> None:
    found = extract_field(spec(FieldKind.TIME), said, context, asked=asked)
    assert (found.value if found else None) == expected


@pytest.mark.parametrize(
    ("said", "context", "expected"),
    [
        ("a day pass is $15", EN, "15.00 USD"),
        ("it's twelve fifty", EN, "12.50 USD"),
        ("forty-five dollars", EN, "45.00 USD"),
        ("a hundred bucks", EN, "100.00 USD"),
        ("cuesta veinticinco dólares", ES, "25.00 USD"),
        ("it depends", EN, None),
    ],
)
def test_money(said: str, context: FieldContext, expected: str | None) -> None:
    found = extract_field(spec(FieldKind.MONEY), said, context, asked=True)
    assert (found.value if found else None) == expected


@pytest.mark.parametrize(
    ("said", "context", "expected"),
    [
        ("yes, that's me", EN, "yes"),
        ("yeah we do", EN, "yes"),
        ("no, not really", EN, "no"),
        ("no problem, yes", EN, "yes"),
        ("I'm not sure", EN, None),
        ("sí, claro", ES, "yes"),
        ("no, lo siento", ES, "no"),
        ("no sé", ES, None),
    ],
)
def test_yes_no(said: str, context: FieldContext, expected: str | None) -> None:
    found = extract_field(spec(FieldKind.YES_NO), said, context, asked=True)
    assert (found.value if found else None) == expected


def test_a_yes_is_only_an_answer_when_the_question_was_asked() -> None:
    assert extract_field(spec(FieldKind.YES_NO), "yes", EN, asked=False) is None


@pytest.mark.parametrize(
    ("said", "asked", "expected"),
    [
        ("water is pouring through the ceiling", False, "emergency"),
        ("it's not an emergency, just a dripping tap", False, "routine"),
        ("the toilet won't flush", False, "soon"),
        ("emergency", True, "emergency"),
        ("whenever is fine", True, "routine"),
        ("my name is Bob", False, None),
    ],
)
def test_options_from_the_definitions_patterns(said: str, asked: bool, expected: str | None) -> None:
    # GIVEN the plumbing template's urgency field (patterns are data, not code)
    urgency = load_template("plumbing").field("urgency")
    found = extract_field(urgency, said, EN, asked=asked)
    assert (found.value if found else None) == expected


@pytest.mark.parametrize(
    ("said", "asked", "expected"),
    [
        ("Hi, my name is Bob and my kitchen sink is clogged.", True, "my kitchen sink is clogged"),
        (
            "um, the water heater is leaking, it's been two days",
            True,
            "the water heater is leaking, it's been two days",
        ),
        ("the water heater is leaking", False, ""),
        ("do you work weekends?", True, ""),
    ],
)
def test_free_text_is_the_substance_of_an_answer(said: str, asked: bool, expected: str) -> None:
    found = extract_field(spec(FieldKind.FREE_TEXT), said, EN, asked=asked)
    assert (found.value if found else "") == expected


def test_accents_are_kept() -> None:
    found = extract_field(spec(FieldKind.PERSON_NAME), "me llamo José Núñez", ES, asked=False)
    assert found is not None
    assert found.value == "José Núñez"
