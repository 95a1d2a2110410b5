"""Agent definitions as YAML: what `buddyhelps agent export|import` and the console's editor read and write.

Reading never half-succeeds: text that is not YAML, or YAML that `AgentDefinition` refuses, raises
`DefinitionError` with one problem per line, each naming where it is (`fields[4] (urgency).options[0]
(emergency).patterns: ...`, `line 12, column 3: ...`) so an operator can go straight to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import yaml
from pydantic import ValidationError

from shared.agents.definition import AgentDefinition

MAX_YAML_BYTES = 256 * 1024  # a definition is a few kB; anything near this is a mistake, not a definition
_ITEM_NAMES = ("name", "value", "topic")
_FOLD_ABOVE = 100  # characters  # what names a list item in the error paths


class DefinitionError(ValueError):
    """A definition that cannot be read; `problems` are one line each, path first."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("the agent definition is invalid:\n" + "\n".join(f"  {p}" for p in self.problems))


def definition_from_yaml(text: str) -> AgentDefinition:
    if len(text.encode("utf-8")) > MAX_YAML_BYTES:
        raise DefinitionError([f"the file is larger than {MAX_YAML_BYTES // 1024} kB"])
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise DefinitionError([_yaml_problem(error)]) from error
    if not isinstance(data, dict):
        raise DefinitionError(["the file must hold one mapping (name:, languages:, persona:, ...), not a list or text"])
    try:
        return AgentDefinition.model_validate(data)
    except ValidationError as error:
        raise DefinitionError(validation_problems(error, data)) from error


def definition_to_yaml(definition: AgentDefinition) -> str:
    """Readable YAML that reads back to an equal definition (defaults left out, multi-line text as blocks)."""
    data = definition.model_dump(mode="json", exclude_defaults=True)
    ordered = {"schema_version": definition.schema_version, **data}
    return yaml.dump(ordered, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110)


def validation_problems(error: ValidationError, data: Any) -> list[str]:
    """One line per pydantic error: the path (list items named by their name/value/topic) and the message."""
    problems = []
    for item in error.errors():
        path = _path(item["loc"], data) or "(the definition)"
        message = str(item["msg"]).removeprefix("Value error, ")
        problems.append(f"{path}: {message}")
    return problems


def _path(loc: Sequence[int | str], data: Any) -> str:
    parts: list[str] = []
    node = data
    for key in loc:
        if isinstance(key, int):
            label = _item_label(node, key)
            parts[-1:] = [f"{parts[-1] if parts else ''}[{key}]{label}"]
            node = node[key] if isinstance(node, list) and key < len(node) else None
        else:
            parts.append(str(key))
            node = node.get(key) if isinstance(node, dict) else None
    return ".".join(parts)


def _item_label(node: Any, index: int) -> str:
    if not isinstance(node, list) or index >= len(node) or not isinstance(node[index], dict):
        return ""
    for key in _ITEM_NAMES:
        if isinstance(node[index].get(key), str):
            return f" ({node[index][key]})"
    return ""


def _yaml_problem(error: yaml.YAMLError) -> str:
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error)
    where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "YAML"
    return f"{where}: not valid YAML ({problem})"


class _Dumper(yaml.SafeDumper):
    pass


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # Paragraphs as blocks, long sentences folded: what a person would type, not one quoted 300-character line.
    style = "|" if "\n" in value else (">" if len(value) > _FOLD_ABOVE and value == value.strip() else None)
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)
