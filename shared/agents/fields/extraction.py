"""One entry point for every field kind: `extract_field(spec, text, ctx, asked=...)`."""

from __future__ import annotations

from collections.abc import Callable

from shared.agents.definition import FieldKind, FieldSpec
from shared.agents.fields.addresses import extract_address
from shared.agents.fields.dates import extract_date
from shared.agents.fields.free_text import extract_free_text
from shared.agents.fields.lexicons import Lexicon, lexicon_for
from shared.agents.fields.money import extract_money
from shared.agents.fields.names import extract_name
from shared.agents.fields.options import extract_option
from shared.agents.fields.phones import find_phone, normalize_phone
from shared.agents.fields.spoken import spoken_clock_text, spoken_date, spoken_money, spoken_phone, spoken_time
from shared.agents.fields.times import extract_time
from shared.agents.fields.values import FieldContext, FieldValue
from shared.agents.fields.yes_no import extract_yes_no

Extractor = Callable[[FieldSpec, str, FieldContext, Lexicon, bool], FieldValue | None]


def extract_field(spec: FieldSpec, text: str, ctx: FieldContext, *, asked: bool) -> FieldValue | None:
    """The value `text` gives `spec`, or None. `asked`: the agent's last words asked for this field, so a
    bare answer ("Bob Smith", "yes", "two thirty") counts; otherwise only explicit mentions do."""
    text = " ".join(text.split())
    if not text:
        return None
    return _EXTRACTORS[spec.kind](spec, text, ctx, lexicon_for(ctx.language), asked)


def _name(spec: FieldSpec, text: str, ctx: FieldContext, lex: Lexicon, asked: bool) -> FieldValue | None:
    name = extract_name(text, lex, answering=asked)
    return FieldValue(name, name) if name else None


def _address(spec: FieldSpec, text: str, ctx: FieldContext, lex: Lexicon, asked: bool) -> FieldValue | None:
    phone_said = bool(find_phone(text, lex, caller_id=ctx.caller_id, region=ctx.region))
    address = extract_address(text, lex, answering=asked and not phone_said)
    return FieldValue(address, address) if address else None


def _phone(spec: FieldSpec, text: str, ctx: FieldContext, lex: Lexicon, asked: bool) -> FieldValue | None:
    number = find_phone(text, lex, caller_id=ctx.caller_id, region=ctx.region)
    if not number and spec.confirm_caller_id and lex.this_number.search(text):
        number = normalize_phone(ctx.caller_id, region=ctx.region)
    return FieldValue(number, spoken_phone(number)) if number else None


def _date(spec: FieldSpec, text: str, ctx: FieldContext, lex: Lexicon, asked: bool) -> FieldValue | None:
    day = extract_date(text, lex, today=ctx.now.date())
    return FieldValue(day.isoformat(), spoken_date(day, lex)) if day else None


def _time(spec: FieldSpec, text: str, ctx: FieldContext, lex: Lexicon, asked: bool) -> FieldValue | None:
    found = extract_time(text, lex, answering=asked)
    if found is None:
        return None
    hour, minute = found
    return FieldValue(f"{hour:02d}:{minute:02d}", spoken_time(hour, minute, lex))


def _money(spec: FieldSpec, text: str, ctx: FieldContext, lex: Lexicon, asked: bool) -> FieldValue | None:
    found = extract_money(text, lex, answering=asked, default_currency="USD")
    if found is None:
        return None
    amount, currency = found
    return FieldValue(f"{amount:.2f} {currency}", spoken_money(amount, currency, lex))


def _option(spec: FieldSpec, text: str, ctx: FieldContext, lex: Lexicon, asked: bool) -> FieldValue | None:
    value = extract_option(spec, text, lex, answering=asked)
    if value is None:
        return None
    option = next(o for o in spec.options if o.value == value)
    return FieldValue(value, option.label.get(ctx.language) or next(iter(option.label.values())))


def _yes_no(spec: FieldSpec, text: str, ctx: FieldContext, lex: Lexicon, asked: bool) -> FieldValue | None:
    answer = extract_yes_no(text, lex) if asked else None
    return FieldValue(answer, answer) if answer else None


def _free_text(spec: FieldSpec, text: str, ctx: FieldContext, lex: Lexicon, asked: bool) -> FieldValue | None:
    said = extract_free_text(text, lex, answering=asked)
    return FieldValue(said, spoken_clock_text(said, lex)) if said else None


_EXTRACTORS: dict[FieldKind, Extractor] = {
    FieldKind.PERSON_NAME: _name,
    FieldKind.ADDRESS: _address,
    FieldKind.PHONE: _phone,
    FieldKind.DATE: _date,
    FieldKind.TIME: _time,
    FieldKind.MONEY: _money,
    FieldKind.ENUM: _option,
    FieldKind.YES_NO: _yes_no,
    FieldKind.FREE_TEXT: _free_text,
}
