"""The per-call state of a definition's fields: value, spoken form and status, plus what was asked how often.

Mutable on purpose and owned by one planner; `copy()` gives the speculative copy a fork plans on.
Status: `extracted` (heard unasked), `given` (answered when asked), `confirmed` (by the read-back or the
caller ID check), `refused`, `unknown` ("I don't know"); a field never heard is `missing`.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from gpu_worker.conversation.planning.planner import FieldEntry, FieldState, FieldStatus
from shared.agents.definition import AgentDefinition, text_for


@dataclass
class FieldSlot:
    value: str = ""
    spoken: str = ""
    status: FieldStatus = "missing"

    @property
    def settled(self) -> bool:
        """Nothing more to ask: a value, a refusal, or an honest "I don't know"."""
        return self.status != "missing"


@dataclass
class CallFields:
    definition: AgentDefinition
    slots: dict[str, FieldSlot] = field(default_factory=dict)
    asks: dict[str, int] = field(default_factory=dict)  # target → times asked
    follow_ups: dict[str, int] = field(default_factory=dict)  # outbound: vague answers followed up
    last_asked: str | None = None
    readback_pending: bool = False  # the read-back was said and awaits a yes/no
    confirmed: bool = False  # the caller said the read-back is right
    caller_id_checked: bool = False
    safety_said: set[str] = field(default_factory=set)  # rule names whose line was planned
    unheard_safety: list[str] = field(default_factory=list)  # lines cut short: said again, first
    safety_repeats: dict[str, int] = field(default_factory=dict)  # how often each cut line was said again

    def __post_init__(self) -> None:
        for spec in self.definition.fields:
            self.slots.setdefault(spec.name, FieldSlot())

    def set(self, name: str, value: str, spoken: str, status: FieldStatus) -> bool:
        """Record a value; True when it changed what the read-back would say."""
        slot = self.slots[name]
        changed = (slot.value, slot.spoken) != (value, spoken)
        slot.value, slot.spoken, slot.status = value, spoken, status
        return changed

    def value(self, name: str) -> str:
        return self.slots[name].value

    def asked(self, target: str) -> int:
        return self.asks.get(target, 0)

    def note_asked(self, target: str) -> None:
        self.asks[target] = self.asks.get(target, 0) + 1
        self.last_asked = target

    def snapshot(self, language: str, *, complete: bool) -> FieldState:
        entries = tuple(
            FieldEntry(
                name=spec.name,
                label=text_for(spec.label, language, self.definition.default_language),
                value=self.slots[spec.name].value,
                spoken=self.slots[spec.name].spoken,
                status=self.slots[spec.name].status,
            )
            for spec in self.definition.fields
        )
        return FieldState(fields=entries, complete=complete)

    def copy(self) -> CallFields:
        duplicate = copy.copy(self)
        duplicate.slots = {name: copy.copy(slot) for name, slot in self.slots.items()}
        duplicate.asks = dict(self.asks)
        duplicate.follow_ups = dict(self.follow_ups)
        duplicate.safety_said = set(self.safety_said)
        duplicate.unheard_safety = list(self.unheard_safety)
        duplicate.safety_repeats = dict(self.safety_repeats)
        return duplicate
