"""Callee personas for outbound calls, read from `callees/*.yaml`: who answers a number and how.

A callee is a person (what they say on picking up, then one line per agent question, and the truth a
campaign should come back with), an answering machine (its greeting, then a beep), or a line that is
busy, never answered, or fails. The truth uses the eval cases' shape so the same scoring reads it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from buddyhelps.eval.eval_cases import EvalCase, ExpectedStatus
from buddyhelps.simulator.scenario import CallerLine, Scenario

CALLEE_DIR = Path(__file__).resolve().parent / "callees"
Answers = Literal["person", "machine", "busy", "no-answer", "failed"]


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Callee(_Strict):
    name: str
    number: str = Field(pattern=r"^\+[1-9]\d{7,14}$")
    answers: Answers = "person"
    pickup: str = ""  # said as soon as the call connects ("Iron Works Gym, Sam speaking.")
    turns: list[str] = Field(default_factory=list)  # one per agent question, in order
    machine_greeting: str = ""
    truth: dict[str, str | list[str] | ExpectedStatus] = Field(default_factory=dict)

    def scenario(self, *, max_duration_s: float = 180.0, pickup_said: bool = False) -> Scenario:
        """What the simulated callee says on the media stream (`pickup_said`: the hello came before it)."""
        if self.answers == "machine":
            greeting = (CallerLine(text=self.machine_greeting, wait_for_agent=False),)
            return Scenario(name=self.name, lines=greeting, linger_s=max_duration_s, max_duration_s=max_duration_s)
        first: tuple[CallerLine, ...] = (
            (CallerLine(text=self.pickup, wait_for_agent=False),) if self.pickup and not pickup_said else ()
        )
        lines = first + tuple(CallerLine(text=text) for text in self.turns)
        return Scenario(name=self.name, lines=lines, linger_s=20.0, max_duration_s=max_duration_s)

    def as_eval_case(self) -> EvalCase:
        return EvalCase(name=self.name, turns=self.turns or ["(no answer)"], truth=self.truth)


class CalleeBook(_Strict):
    template: str
    business: str
    callees: list[Callee] = Field(min_length=1)

    def by_number(self) -> dict[str, Callee]:
        return {callee.number: callee for callee in self.callees}


class CalleeBookError(ValueError):
    pass


def available_books() -> list[str]:
    return sorted(path.stem for path in CALLEE_DIR.glob("*.yaml"))


def load_book(name_or_path: str | Path) -> CalleeBook:
    path = Path(name_or_path)
    if not path.is_file():
        path = CALLEE_DIR / f"{name_or_path}.yaml"
    if not path.is_file():
        raise CalleeBookError(f"no callee book {str(name_or_path)!r} (shipped: {', '.join(available_books())})")
    try:
        return CalleeBook.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (ValidationError, yaml.YAMLError) as error:
        raise CalleeBookError(f"{path.name}: {error}") from error
