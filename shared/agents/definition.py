"""An agent definition: everything that differs per business (or per outbound goal), as data.

Persona and greeting, languages, the fields to gather (each with a kind), the facts the agent may state,
safety rules, the tools it may use, and how the call closes. One pydantic model at the edge (YAML files,
the console, the database's JSON); the call engine reads it as an immutable value. Every text a caller
hears is `Localized`: one string per language the definition enables, checked when it is loaded, so a
Spanish call never falls back to an English line by accident.
"""

from __future__ import annotations

import re
from datetime import date, time
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

SCHEMA_VERSION = 1  # the `schema_version` a definition of this model carries
LanguageCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
# language code → text; the validator of AgentDefinition checks every enabled language is present.
Localized = dict[LanguageCode, Annotated[str, StringConstraints(min_length=1, max_length=2000)]]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
# The voice a language is spoken in when a definition names none (Kokoro: a voice's first letter is its
# language, so an English business voice cannot speak Spanish).
DEFAULT_VOICES: dict[str, str] = {"en": "af_heart", "es": "ef_dora"}
_VOICE_LETTERS: dict[str, str] = {"en": "ab", "es": "e"}  # Kokoro's language letters
VoiceName = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}_[a-z0-9]{1,30}$")]
# Which part of a take_message message a field gathers: a definition with these fields takes messages as
# a form (asked field by field, sent to the person when the call ends) rather than in one turn.
MessagePart = Literal["for_whom", "from_name", "callback", "message"]
_MESSAGE_PART_KINDS = {
    "for_whom": ("free_text", "person_name", "enum"),
    "from_name": ("person_name", "free_text"),
    "callback": ("phone",),
    "message": ("free_text",),
}


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FieldKind(StrEnum):
    PERSON_NAME = "person_name"
    ADDRESS = "address"
    PHONE = "phone"
    DATE = "date"
    TIME = "time"
    MONEY = "money"
    ENUM = "enum"
    YES_NO = "yes_no"
    FREE_TEXT = "free_text"


class EnumOption(_Frozen):
    """One value of an `enum` field; `patterns` (regular expressions, per language, matched
    case-insensitively on the caller's words) say which words imply it."""

    value: Slug
    label: Localized
    patterns: dict[LanguageCode, list[str]] = Field(default_factory=dict)

    @field_validator("patterns")
    @classmethod
    def _patterns_compile(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for language, patterns in value.items():
            for pattern in patterns:
                _check_regex(pattern, where=f"patterns[{language}]")
        return value


class FieldSpec(_Frozen):
    """A detail the agent gathers (inbound) or pursues (outbound)."""

    name: Slug
    kind: FieldKind
    label: Localized  # how the owner's report and the read-back name it
    question: Localized  # asked word for word by the guided planner
    required: bool = True
    read_back: bool = True
    options: list[EnumOption] = Field(default_factory=list)  # kind == enum only
    # phone: the caller ID may answer it ("is the number you're calling from the best one?").
    confirm_caller_id: bool = False
    # Asked last and only if nothing the caller said already implied a value (e.g. urgency).
    ask_last: bool = False
    message_part: MessagePart | None = None

    @model_validator(mode="after")
    def _options_match_kind(self) -> FieldSpec:
        if self.kind == FieldKind.ENUM and len(self.options) < 2:
            raise ValueError(f"field {self.name!r}: an enum field needs at least two options")
        if self.kind != FieldKind.ENUM and self.options:
            raise ValueError(f"field {self.name!r}: only enum fields have options")
        if self.confirm_caller_id and self.kind != FieldKind.PHONE:
            raise ValueError(f"field {self.name!r}: confirm_caller_id is only for phone fields")
        kinds = _MESSAGE_PART_KINDS.get(self.message_part or "")
        if kinds is not None and self.kind.value not in kinds:
            wanted = " or ".join(kinds)
            raise ValueError(f"field {self.name!r}: message_part {self.message_part} needs a {wanted} field")
        return self


class TimeRange(_Frozen):
    opens: time
    closes: time  # may be earlier than `opens`: the range runs past midnight

    @model_validator(mode="after")
    def _not_empty(self) -> TimeRange:
        if self.opens == self.closes:
            raise ValueError("a time range must not open and close at the same time")
        return self


class Holiday(_Frozen):
    day: date
    name: str = Field(min_length=1, max_length=100)
    hours: list[TimeRange] = Field(default_factory=list)  # empty: closed all day


class OpeningHours(_Frozen):
    timezone: str
    weekly: dict[Weekday, list[TimeRange]]  # a weekday missing or empty: closed
    holidays: list[Holiday] = Field(default_factory=list)
    note: Localized = Field(default_factory=dict)  # e.g. "emergencies around the clock"

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {value!r} (use an IANA name such as America/Chicago)") from error
        return value


class PriceFact(_Frozen):
    """A price the agent may quote as it stands (the guard allows exactly these amounts)."""

    item: Localized
    amount: Decimal = Field(ge=0, max_digits=10, decimal_places=2)
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] = "USD"
    unit: Localized = Field(default_factory=dict)  # e.g. "per visit", "per hour"


class Fact(_Frozen):
    """A statement the agent may make when asked about `topic` (policies, service area, parking...)."""

    topic: Slug
    text: Localized
    patterns: dict[LanguageCode, list[str]] = Field(default_factory=dict)  # questions that ask for it

    @field_validator("patterns")
    @classmethod
    def _patterns_compile(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for language, patterns in value.items():
            for pattern in patterns:
                _check_regex(pattern, where=f"patterns[{language}]")
        return value


class Facts(_Frozen):
    hours: OpeningHours | None = None
    service_area: Localized = Field(default_factory=dict)
    prices: list[PriceFact] = Field(default_factory=list)
    policies: list[Fact] = Field(default_factory=list)


class SafetyRule(_Frozen):
    """What the caller says → the line said first (again, in full, if they talked over it)."""

    name: Slug
    patterns: dict[LanguageCode, list[str]]  # regular expressions on the caller's words
    line: Localized
    sets: dict[Slug, str] = Field(default_factory=dict)  # field → value it implies (e.g. urgency: emergency)

    @field_validator("patterns")
    @classmethod
    def _patterns_compile(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        if not any(value.values()):
            raise ValueError("a safety rule needs at least one pattern")
        for language, patterns in value.items():
            for pattern in patterns:
                _check_regex(pattern, where=f"patterns[{language}]")
        return value


class PhotoRequest(_Frozen):
    """What the caller says that a photo would show → the upload link is texted during the call, and the
    agent says so (the `photo_link` line). Trades want it; a front desk or a clinic leaves it out."""

    patterns: dict[LanguageCode, list[str]]  # regular expressions on the caller's words

    @field_validator("patterns")
    @classmethod
    def _patterns_compile(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        if not any(value.values()):
            raise ValueError("a photo request needs at least one pattern")
        for language, patterns in value.items():
            for pattern in patterns:
                _check_regex(pattern, where=f"photos.patterns[{language}]")
        return value


class Closing(_Frozen):
    read_back: bool = True
    goodbye: Localized
    # required_fields: every required field known (and confirmed by the read-back when it is on);
    # goal: outbound, every field got/refused/unknown; caller: only when the caller ends it.
    complete_when: Literal["required_fields", "goal", "caller"] = "required_fields"


ToolName = Literal["hours", "take_message", "transfer", "book_visit", "knowledge"]


class Outbound(_Frozen):
    """An outbound goal: who we call, why, and what to say to a machine."""

    goal: Localized  # one sentence the led planner pursues and the report shows
    disclosure: Localized  # "This is an automated call on behalf of {business}..." said first
    voicemail: Localized  # left after the beep when a machine answers
    max_follow_ups: int = Field(default=1, ge=0, le=3)  # per field, when an answer is vague


MenuAction = Literal["hours", "voicemail", "person", "agent"]


class KeypadChoice(_Frozen):
    """One key of the keypad menu: what pressing it (or saying one of `words`) does."""

    digit: Annotated[str, StringConstraints(pattern=r"^[0-9*#]$")]
    action: MenuAction
    words: dict[LanguageCode, list[Annotated[str, StringConstraints(min_length=2, max_length=40)]]] = Field(
        default_factory=dict
    )  # spoken words that pick it, per language ("hours", "horario"); matched as whole words


class KeypadMenu(_Frozen):
    """Answered at the edge before the agent (a Twilio <Gather>, no worker involved): the prompt names the
    keys; silence, or a key not listed, goes to the agent."""

    enabled: bool = False
    prompt: Localized  # said while listening, e.g. "Press 1 for our hours, 2 to leave a voicemail, ..."
    choices: list[KeypadChoice] = Field(min_length=1, max_length=12)
    timeout_s: int = Field(default=5, ge=1, le=15)  # silence after the prompt before the agent answers
    person: str = Field(default="", max_length=120)  # whom "a person" rings (people page); "": the first who can
    connecting: Localized  # said before ringing the person
    closed: Localized  # a person was asked for outside opening hours: said before the voicemail
    voicemail: Localized  # said before the voicemail's tone

    @model_validator(mode="after")
    def _digits_once(self) -> KeypadMenu:
        digits = [choice.digit for choice in self.choices]
        repeated = sorted({digit for digit in digits if digits.count(digit) > 1})
        if repeated:
            raise ValueError(f"keypad_menu: each key may do one thing; repeated: {', '.join(repeated)}")
        return self


class AgentDefinition(_Frozen):
    schema_version: Literal[1] = 1
    name: str = Field(min_length=1, max_length=100)
    template: Slug | None = None  # the template it started from
    direction: Literal["inbound", "outbound"] = "inbound"
    languages: list[LanguageCode] = Field(min_length=1)  # the first is the default
    persona: Localized  # the system prompt's opening (who the agent is, its tone)
    greeting: Localized  # inbound: first words; outbound: after the disclosure
    fields: list[FieldSpec] = Field(min_length=1)
    facts: Facts = Field(default_factory=Facts)
    safety: list[SafetyRule] = Field(default_factory=list)
    tools: list[ToolName] = Field(default_factory=list)
    photos: PhotoRequest | None = None  # text the caller a photo-upload link when they describe these
    closing: Closing
    outbound: Outbound | None = None
    # Fixed lines by purpose (acknowledgement, still_there, callback_promise, not_understood, fallback,
    # one_moment, ...): the planners look lines up here and fall back to the template's; see lines.py.
    lines: dict[Slug, Localized] = Field(default_factory=dict)
    # language → voice; a language missing here speaks in DEFAULT_VOICES' voice, else the business's own.
    voices: dict[LanguageCode, VoiceName] = Field(default_factory=dict)
    # Record both sides of each call (one stereo file, kept for the business's retention days). When on,
    # the first words are the `recording_notice` line ("This call is recorded."), before the greeting:
    # the announcement and the recording come from the same definition version, so they always agree.
    record_calls: bool = False
    keypad_menu: KeypadMenu | None = None  # inbound: a keypad menu before the agent (functions/keypad_menu.py)

    @model_validator(mode="after")
    def _consistent(self) -> AgentDefinition:
        names = [spec.name for spec in self.fields]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"field names must be unique: {', '.join(duplicates)}")
        if len(set(self.languages)) != len(self.languages):
            raise ValueError("languages must not repeat")
        if (self.direction == "outbound") != (self.outbound is not None):
            raise ValueError("an outbound definition needs an `outbound` section, and only it")
        for index, rule in enumerate(self.safety):
            unknown = sorted(set(rule.sets) - set(names))
            if unknown:
                raise ValueError(
                    f"safety[{index}] ({rule.name}).sets: safety rule {rule.name!r} sets unknown field(s):"
                    f" {', '.join(unknown)} (the fields are: {', '.join(names)})"
                )
        _check_keypad_menu(self)
        _check_message_form(self)
        missing = sorted(_missing_translations(self))
        if missing:
            raise ValueError("text missing for an enabled language: " + "; ".join(missing[:20]))
        return self

    @property
    def default_language(self) -> str:
        return self.languages[0]

    def voice_for(self, language: str, *, business_voice: str) -> str:
        """The voice `language` is spoken in: the definition's choice, else the business's own voice when
        it speaks that language, else the language's default voice."""
        if language in self.voices:
            return self.voices[language]
        letters = _VOICE_LETTERS.get(language)
        if letters is None or business_voice[:1] in letters:
            return business_voice
        return DEFAULT_VOICES.get(language, business_voice)

    def field(self, name: str) -> FieldSpec:
        for spec in self.fields:
            if spec.name == name:
                return spec
        raise KeyError(name)


def text_for(localized: Localized, language: str, fallback: str) -> str:
    """The line in `language`, else in the definition's default language (validated to exist)."""
    return localized.get(language) or localized[fallback]


def _check_regex(pattern: str, *, where: str) -> None:
    try:
        re.compile(pattern, re.IGNORECASE)
    except re.error as error:
        raise ValueError(f"{where}: invalid regular expression {pattern!r}: {error}") from error


def _check_keypad_menu(definition: AgentDefinition) -> None:
    menu = definition.keypad_menu
    if menu is None:
        return
    if definition.direction != "inbound":
        raise ValueError("keypad_menu: only an inbound definition answers callers with a keypad menu")
    if definition.facts.hours is None and any(choice.action == "hours" for choice in menu.choices):
        raise ValueError("keypad_menu: a key reads the opening hours, but facts.hours is empty")
    for language, prompt in menu.prompt.items():
        unnamed = [c.digit for c in menu.choices if c.action != "agent" and c.digit not in prompt]
        if unnamed:
            raise ValueError(f"keypad_menu.prompt.{language}: the prompt never names key(s) {', '.join(unnamed)}")


def _check_message_form(definition: AgentDefinition) -> None:
    parts = [spec.message_part for spec in definition.fields if spec.message_part]
    if not parts:
        return
    if "take_message" not in definition.tools:
        raise ValueError("fields with a message_part gather a message: tools must include take_message")
    repeated = sorted({part for part in parts if parts.count(part) > 1})
    if repeated:
        raise ValueError(f"message_part: each part is gathered by one field; repeated: {', '.join(repeated)}")
    if "message" not in parts:
        raise ValueError("message_part: a message form needs the field that gathers the message itself")


def _missing_translations(definition: AgentDefinition) -> set[str]:
    """`where: language` for every caller-facing text that lacks an enabled language."""
    texts: list[tuple[str, Localized]] = [("persona", definition.persona), ("greeting", definition.greeting)]
    texts += [("closing.goodbye", definition.closing.goodbye)]
    for spec in definition.fields:
        texts += [(f"fields.{spec.name}.question", spec.question), (f"fields.{spec.name}.label", spec.label)]
        texts += [(f"fields.{spec.name}.options.{o.value}.label", o.label) for o in spec.options]
    texts += [(f"safety.{rule.name}.line", rule.line) for rule in definition.safety]
    texts += [(f"facts.policies.{fact.topic}", fact.text) for fact in definition.facts.policies]
    texts += [(f"facts.prices.{i}.item", price.item) for i, price in enumerate(definition.facts.prices)]
    if definition.facts.service_area:
        texts.append(("facts.service_area", definition.facts.service_area))
    if definition.outbound is not None:
        out = definition.outbound
        texts += [("outbound.goal", out.goal), ("outbound.disclosure", out.disclosure)]
        texts += [("outbound.voicemail", out.voicemail)]
    texts += [(f"lines.{name}", line) for name, line in definition.lines.items()]
    if (menu := definition.keypad_menu) is not None:
        texts += [("keypad_menu.prompt", menu.prompt), ("keypad_menu.connecting", menu.connecting)]
        texts += [("keypad_menu.closed", menu.closed), ("keypad_menu.voicemail", menu.voicemail)]
    languages = definition.languages
    return {f"{where}: {language}" for where, text in texts for language in languages if language not in text}
