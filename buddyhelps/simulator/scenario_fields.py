"""Reading a scenario's TOML fields: each reader names the file, the table and the field it refuses."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class ScenarioError(ValueError):
    """A scenario file that cannot be used; the message names the file, line and field."""


def refuse_unknown_keys(data: Mapping[str, Any], allowed: frozenset[str], *, where: str) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ScenarioError(f"{where}: unknown field(s) {', '.join(unknown)} (allowed: {', '.join(sorted(allowed))})")


def string(data: Mapping[str, Any], key: str, default: str, *, where: str) -> str:
    value = data.get(key, default)
    if not isinstance(value, str):
        raise ScenarioError(f"{where}: {key} must be a string")
    return value
