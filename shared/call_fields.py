"""A call's definition fields as people read them: in the owner's SMS and email, the call page, the console.

Phone numbers in national format ("(512) 555-0199"), other values as the read-back said them; what the
person refused or didn't know is said so. The one urgency-like value (an enum field whose options are the
urgency levels) feeds the calls table's `urgency` column for filters and charts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import phonenumbers

from shared.call_report import CallReport, ReportField

URGENCY_LEVELS = ("emergency", "soon", "routine")
STATUS_TEXT = {"refused": "(would not say)", "unknown": "(didn't know)"}


def parse_fields(rows: Iterable[Mapping[str, Any]]) -> list[ReportField]:
    """Stored JSON rows → fields; a row that no longer validates is skipped rather than breaking a page."""
    parsed = []
    for row in rows:
        try:
            parsed.append(ReportField.model_validate(row))
        except ValueError:
            continue
    return parsed


def national_format(number: str) -> str:
    """ "+15125550199" → "(512) 555-0199"; numbers from other countries keep their international form."""
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return number
    style = phonenumbers.PhoneNumberFormat.NATIONAL
    if phonenumbers.region_code_for_number(parsed) not in ("US", "CA"):
        style = phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(parsed, style)


def display_value(field: ReportField) -> str:
    if field.status in STATUS_TEXT and not field.value:
        return STATUS_TEXT[field.status]
    if field.kind == "phone" and field.value:
        return national_format(field.value)
    return field.spoken or field.value


def display_rows(fields: Sequence[ReportField]) -> list[tuple[str, str]]:
    """(label, text) for every field the call settled, in the definition's order."""
    return [(field.label, display_value(field)) for field in fields if field.value or field.status in STATUS_TEXT]


def first_of(fields: Sequence[ReportField], kind: str, *, spoken: bool = False) -> str:
    """The first field of `kind` that has a value: its value, or (`spoken`) how the read-back said it."""
    found = next((field for field in fields if field.kind == kind and field.value), None)
    if found is None:
        return ""
    return (found.spoken or found.value) if spoken else found.value


def first_value(report: CallReport, kind: str) -> str:
    return first_of(report.fields, kind)


def fields_urgency(fields: Sequence[ReportField]) -> str | None:
    return next((field.value for field in fields if field.kind == "enum" and field.value in URGENCY_LEVELS), None)


def report_urgency(report: CallReport) -> str | None:
    """The urgency level the call settled on (fields first; the older fixed extraction otherwise)."""
    if report.fields:
        return fields_urgency(report.fields)
    ok = report.extraction_status == "ok" and report.extraction is not None
    return report.extraction.urgency if ok and report.extraction else None
