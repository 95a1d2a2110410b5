"""YAML import/export of agent definitions: round trips, and errors that name where the problem is."""

from __future__ import annotations

import pytest
import yaml

from shared.agents.definition import AgentDefinition
from shared.agents.templates import load_template, template_names
from shared.agents.yaml_io import DefinitionError, definition_from_yaml, definition_to_yaml


@pytest.mark.parametrize("name", template_names())
def test_every_template_exports_to_yaml_that_reads_back_equal(name: str) -> None:
    definition = load_template(name)
    text = definition_to_yaml(definition)
    assert text.startswith("schema_version: 1\n")
    assert definition_from_yaml(text) == definition


def test_multi_line_text_is_exported_as_a_block() -> None:
    # GIVEN a persona of two paragraphs WHEN exported THEN it reads as a YAML block, not an escaped string
    data = load_template("front_desk").model_dump(mode="json")
    data["persona"] = {**data["persona"], "en": "First paragraph.\n\nSecond paragraph."}
    text = definition_to_yaml(AgentDefinition.model_validate(data))
    assert "persona:\n  en: |-\n    First paragraph.\n\n    Second paragraph.\n" in text


def _plumbing() -> dict[str, object]:
    loaded = yaml.safe_load(definition_to_yaml(load_template("plumbing")))
    assert isinstance(loaded, dict)
    return loaded


def _problems(data: object) -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        definition_from_yaml(yaml.safe_dump(data) if not isinstance(data, str) else data)
    return caught.value.problems


def test_a_bad_regular_expression_is_named_by_its_field_and_option() -> None:
    data = _plumbing()
    data["fields"][4]["options"][0]["patterns"]["en"][0] = r"\b(burst"  # type: ignore[index]
    problems = _problems(data)
    assert len(problems) == 1
    assert problems[0].startswith("fields[4] (urgency).options[0] (emergency).patterns: patterns[en]:")
    assert "invalid regular expression '\\\\b(burst'" in problems[0]


def test_a_safety_rule_that_sets_an_unknown_field_is_named() -> None:
    data = _plumbing()
    data["safety"][0]["sets"] = {"urgncy": "emergency"}  # type: ignore[index]
    [problem] = _problems(data)
    assert "safety[0] (gas).sets" in problem
    assert "urgncy" in problem
    assert "the fields are: problem" in problem


def test_a_missing_language_names_every_text_without_it() -> None:
    data = _plumbing()
    data["languages"] = ["en", "es", "fr"]  # the template ships English and Spanish
    [problem] = _problems(data)
    assert "text missing for an enabled language" in problem
    assert "fields.name.question: fr" in problem
    assert "greeting: fr" in problem
    assert ": es" not in problem


def test_an_unknown_key_and_a_wrong_kind_are_each_reported() -> None:
    data = _plumbing()
    data["fields"][1]["kind"] = "nickname"  # type: ignore[index]
    data["safety"][1]["colour"] = "red"  # type: ignore[index]
    problems = _problems(data)
    assert any(p.startswith("fields[1] (name).kind: Input should be 'person_name'") for p in problems)
    assert "safety[1] (carbon_monoxide).colour: Extra inputs are not permitted" in problems


def test_text_that_is_not_yaml_names_the_line() -> None:
    [problem] = _problems("name: Plumbing\nfields:\n  - name: [unclosed\n")
    assert problem.startswith("line 4, column 1: not valid YAML")


def test_yaml_that_is_not_a_mapping_is_refused() -> None:
    [problem] = _problems("- just\n- a list\n")
    assert "one mapping" in problem


def test_a_fact_question_pattern_that_is_not_a_regular_expression_is_named() -> None:
    text = definition_to_yaml(load_template("front_desk")).replace(r"\bwalk[- ]?ins?\b", "walk[-")
    [problem] = _problems(text)
    assert problem.startswith("facts.policies[2] (walk_ins).patterns: patterns[en]: invalid regular expression")
