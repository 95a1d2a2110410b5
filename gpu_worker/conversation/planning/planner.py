"""What the agent says next, decided over an agent definition: the Planner Protocol and its messages.

A planner is one per call and owns the call's conversation state (fields gathered, what was asked, what
the caller actually heard). The session asks it for a `ReplyPlan` on each event (the call starting, a
caller turn, a silence, a keypad digit), speaks the plan, and tells it back what was heard (from the
playback marks). Two implementations read the same definition: `guided` (rules pick the next field; the
LLM only phrases answers to off-script questions) and `led` (the LLM drives with schema-constrained
output; the rules stay as guards). `fork()` gives a copy to plan on speculatively during the caller's
pause: the session keeps it if the turn really ended, and drops it otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol

from gpu_worker.models.stages import ChatMessage

PlanKind = Literal["scripted", "llm", "led", "knowledge", "tool", "end_call"]
FieldStatus = Literal["confirmed", "given", "extracted", "refused", "unknown", "missing"]


@dataclass(frozen=True)
class ToolRequest:
    """A tool the definition allows (hours, take_message, transfer, book_visit, knowledge), to run now."""

    name: str
    arguments: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ReplyPlan:
    """One reply: `lines` are spoken first, word for word, in order (a safety line always first);
    then, when `messages` is set, the LLM's words (each clause passes `Planner.allows`); then `after`,
    word for word (e.g. the next question). `fallback_text` replaces the LLM part when the model fails or
    every clause it wrote was dropped. With `end_call` the call ends once everything was said."""

    kind: PlanKind
    lines: tuple[str, ...] = ()
    messages: tuple[ChatMessage, ...] = ()
    after: tuple[str, ...] = ()
    fallback_text: str = ""
    end_call: bool = False
    tool: ToolRequest | None = None
    max_tokens: int = 60
    asked: str | None = None  # what the reply asks: a field name, "readback", "caller_id"… (logs, tests)

    @property
    def scripted_text(self) -> str:
        """The words known before the LLM runs: `lines` then `after` (all of it for a scripted plan)."""
        return " ".join((*self.lines, *self.after))


@dataclass(frozen=True)
class FieldEntry:
    """One field of the definition, as the call left it."""

    name: str
    label: str
    value: str  # normalised (E.164, ISO date, HH:MM, decimal string, option value, yes/no, text); "" if none
    spoken: str  # how the read-back said it, in the call's language
    status: FieldStatus


@dataclass(frozen=True)
class FieldState:
    """Every field, in the definition's order (for the report and for `POST /agent/try`)."""

    fields: tuple[FieldEntry, ...]
    complete: bool  # the definition's `complete_when` is met

    def value(self, name: str) -> str:
        for entry in self.fields:
            if entry.name == name:
                return entry.value
        raise KeyError(name)

    def as_dict(self) -> dict[str, dict[str, str]]:
        return {
            e.name: {"value": e.value, "spoken": e.spoken, "status": e.status, "label": e.label} for e in self.fields
        }


class Planner(Protocol):
    """One per call. Plans are decided in order; `heard` follows each plan that was spoken."""

    def opening(self) -> ReplyPlan:
        """The first words: the greeting (outbound: the disclosure, then the greeting and first question)."""
        ...

    async def plan(self, caller_text: str, *, language: str) -> ReplyPlan:
        """The reply to one finished caller turn (transcribed and keyword-corrected)."""
        ...

    def heard(self, plan: ReplyPlan, heard_text: str, *, complete: bool) -> None:
        """What the caller heard of `plan` (from the marks). A safety line cut short is said again, in full,
        before anything else in the next reply."""
        ...

    def silence(self, count: int) -> ReplyPlan:
        """After the `count`-th long silence in a row: ask again, then say goodbye."""
        ...

    def keypad(self, digit: str) -> ReplyPlan:
        """A DTMF digit ("0": a person)."""
        ...

    def snapshot(self) -> FieldState:
        """Each field's value, spoken form and status, now."""
        ...

    def fixed_lines(self, language: str) -> list[str]:
        """Every line this planner may speak word for word in `language` (to synthesize before calls)."""
        ...

    def call_lines(self, language: str) -> list[str]:
        """Lines only this call says, known when it starts (the caller-ID question with its last four
        digits): synthesized while the greeting plays, so they need no synthesis mid-reply."""
        ...

    def allows(self, clause: str) -> bool:
        """The reply guard with this definition's facts: False for a clause the LLM must not say."""
        ...

    def fork(self) -> Planner:
        """An independent copy of the call state (sharing the definition and the models)."""
        ...
