"""The Spanish eval sets: at least 15 callers per template that ships Spanish, played through the real
guided planner as a call switched to Spanish on its first turn (the language model faked: only the
scripted path is scored here; `make eval` runs them with the real model)."""

from __future__ import annotations

import pytest

from buddyhelps.eval.conversation_eval import run_template
from buddyhelps.eval.eval_cases import case_files, load_case_file
from tests.gpu_worker.fake_stages import FakeLlm

SPANISH_FILES = [path for path in case_files() if load_case_file(path).language == "es"]


def test_every_template_that_ships_spanish_has_fifteen_spanish_cases() -> None:
    from shared.agents.templates import load_template, template_names

    spanish_templates = {name for name in template_names() if "es" in load_template(name).languages}
    counted = {load_case_file(path).template: len(load_case_file(path).cases) for path in SPANISH_FILES}
    assert spanish_templates <= set(counted)
    assert all(count >= 15 for count in counted.values()), counted


@pytest.mark.parametrize("path", SPANISH_FILES, ids=lambda path: path.name)
async def test_spanish_callers_get_their_fields_right_and_hear_no_english_after_the_switch(path: object) -> None:
    case_file = load_case_file(path)  # type: ignore[arg-type]
    summary = await run_template(case_file, llm=FakeLlm(), mode="guided")
    assert summary["language"] == "es"
    assert summary["english_after_switch"] == 0, summary["case_details"]
    # a floor against regressions; the figures themselves are `make eval`'s (front desk: 83 % on 2026-11-29)
    assert summary["fields_right_pct"] >= 80, summary["misses"]
    assert summary["safety_said"] == summary["safety_due"]
    assert summary["facts_right"] == summary["facts_asked"]
