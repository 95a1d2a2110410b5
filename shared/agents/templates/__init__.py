"""The agent templates shipped with BuddyHelps: one YAML file each in this folder (a new template is one file)."""

from __future__ import annotations

from importlib import resources

import yaml
from pydantic import ValidationError

from shared.agents.definition import AgentDefinition


class TemplateError(ValueError):
    """A template that does not exist or does not validate (the message says which and why)."""


def template_names() -> list[str]:
    folder = resources.files(__package__)
    return sorted(entry.name.removesuffix(".yaml") for entry in folder.iterdir() if entry.name.endswith(".yaml"))


def load_template(name: str) -> AgentDefinition:
    if name not in template_names():
        raise TemplateError(f"no template {name!r}; templates: {', '.join(template_names())}")
    text = resources.files(__package__).joinpath(f"{name}.yaml").read_text(encoding="utf-8")
    try:
        return AgentDefinition.model_validate(yaml.safe_load(text))
    except ValidationError as error:
        raise TemplateError(f"template {name!r} is invalid: {error}") from error
