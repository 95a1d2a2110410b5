"""Spanish callers' details as they say them, read back the way the agent will say them."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from shared.agents.definition import FieldKind, FieldSpec
from shared.agents.fields.extraction import extract_field
from shared.agents.fields.values import FieldContext

# Sunday 29 November 2026, 10:00 in Chicago
CTX = FieldContext(
    language="es", now=datetime(2026, 11, 29, 10, 0, tzinfo=ZoneInfo("America/Chicago")), caller_id="+15555550123"
)


def _said(kind: FieldKind, text: str) -> tuple[str, str] | None:
    spec = FieldSpec(name="x", kind=kind, label={"es": "x"}, question={"es": "x"})
    value = extract_field(spec, text, CTX, asked=True)
    return None if value is None else (value.value, value.spoken)


@pytest.mark.parametrize(
    ("said", "number"),
    [
        ("cinco cinco cinco, cero uno dos, tres cuatro cinco seis", "+15550123456"),
        ("mi número es cinco cinco cinco cero uno dos treinta y cuatro cincuenta y seis", "+15550123456"),
        ("seis uno siete, ocho dos tres, cuarenta y cinco, sesenta y siete", "+16178234567"),
        ("seis uno siete ocho dos tres doce veinte", "+16178231220"),
    ],
)
def test_a_phone_number_said_digit_by_digit_or_in_pairs_is_read(said: str, number: str) -> None:
    # GIVEN a caller saying their number the way Spanish speakers do (pairs: "treinta y cuatro")
    value = _said(FieldKind.PHONE, said)
    # THEN the number is whole, and read back digit by digit
    assert value is not None
    assert value[0] == number
    assert value[1].replace(",", "").replace(" ", "") == number[2:]


@pytest.mark.parametrize(
    ("kind", "said", "expected"),
    [
        (FieldKind.DATE, "el martes", ("2026-12-01", "el martes 1 de diciembre")),
        (FieldKind.DATE, "el martes a las dos", ("2026-12-01", "el martes 1 de diciembre")),
        (FieldKind.DATE, "pasado mañana", ("2026-12-01", "el martes 1 de diciembre")),
        (FieldKind.DATE, "el tres de enero", ("2027-01-03", "el domingo 3 de enero")),
        (FieldKind.TIME, "a las dos", ("14:00", "las 2 de la tarde")),
        (FieldKind.TIME, "a las diez de la mañana", ("10:00", "las 10 de la mañana")),
        (FieldKind.TIME, "a las tres menos cuarto", ("14:45", "las 2:45 de la tarde")),
        (FieldKind.PERSON_NAME, "Me llamo José Martínez.", ("José Martínez", "José Martínez")),
        (FieldKind.ADDRESS, "Vivo en la avenida Juárez número 1520", ("avenida Juárez número 1520",) * 2),
    ],
)
def test_dates_times_names_and_addresses_keep_their_spanish(
    kind: FieldKind, said: str, expected: tuple[str, str]
) -> None:
    assert _said(kind, said) == expected


def test_keyword_corrections_keep_the_callers_accents() -> None:
    # GIVEN corrections for words Whisper mishears in Spanish WHEN a turn is corrected
    from shared.keyword_correction import CorrectionRule, KeywordCorrector

    rules = (CorrectionRule(heard="tuveria", corrected="tubería"), CorrectionRule(heard="cañeria", corrected="cañería"))
    corrected = KeywordCorrector(rules).apply("Se rompió la tuveria de la cañeria en el baño, José")
    # THEN the corrected words carry their accents and every other accent is untouched
    assert corrected == "Se rompió la tubería de la cañería en el baño, José"
