"""The scripted conversations `make eval` runs: one YAML file per template in cases/, checked at load.

A case is what a caller (or, outbound, the person called) says turn by turn, and the truth: each field's
right final value (free text: words it must contain; or a status such as refused/unknown), which safety
rule's line is due on which turn, and which words a fact answer must contain on which turn.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ExpectedStatus(_Strict):
    status: str = Field(pattern=r"^(refused|unknown|missing)$")


class SafetyDue(_Strict):
    turn: int = Field(ge=0)  # index into `turns`
    rule: str


class FactAsked(_Strict):
    turn: int = Field(ge=0)
    expect: list[str] = Field(min_length=1)  # words the reply to that turn must contain


class EvalCase(_Strict):
    name: str
    caller_id: str = "+15550100123"
    turns: list[str] = Field(min_length=1)
    # field → the right value: a string (exact, normalised), a list of words (free text must contain each),
    # or {status: refused|unknown|missing}
    truth: dict[str, str | list[str] | ExpectedStatus]
    safety: list[SafetyDue] = Field(default_factory=list)
    facts: list[FactAsked] = Field(default_factory=list)


class CaseFile(_Strict):
    template: str
    business: str
    # The language the callers speak; a case file in another than the template's first language plays the
    # call as switched on the first turn (greeting in the first language, every reply after in this one).
    language: str = Field(default="en", pattern=r"^[a-z]{2}$")
    cases: list[EvalCase] = Field(min_length=1)


class CaseFileError(ValueError):
    pass


def case_files() -> list[Path]:
    folder = Path(str(resources.files(__package__).joinpath("cases")))
    return sorted(folder.glob("*.yaml"))


def load_case_file(path: Path) -> CaseFile:
    try:
        return CaseFile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (ValidationError, yaml.YAMLError) as error:
        raise CaseFileError(f"{path.name}: {error}") from error
