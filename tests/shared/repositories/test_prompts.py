"""Prompts repository: versions per business and mode, on a libSQL file and a real sqld server."""

from __future__ import annotations

import pytest

from shared.database import Database
from shared.repositories.businesses import create_business
from shared.repositories.prompts import (
    EmptyPrompt,
    add_prompt_version,
    current_prompt,
    get_prompt_version,
    list_prompt_versions,
)


async def _business(db: Database) -> str:
    return (await create_business(db, name="Acme", owner_phone="+15550109999", business_id="biz_a")).id


async def test_each_new_prompt_is_the_next_version_and_becomes_current(any_db: Database) -> None:
    # GIVEN a business with one live prompt
    biz = await _business(any_db)
    first = await add_prompt_version(any_db, business_id=biz, mode="live", system_prompt="Be kind.", greeting="Hi!")
    # WHEN a second one is stored
    second = await add_prompt_version(
        any_db, business_id=biz, mode="live", system_prompt="Be brief.", greeting="Hello!", created_by="ops"
    )
    # THEN it is version 2 and current; version 1 is kept for rollback
    assert (first.version, second.version) == (1, 2)
    assert await current_prompt(any_db, business_id=biz, mode="live") == second
    assert await get_prompt_version(any_db, business_id=biz, mode="live", version=1) == first
    assert [p.version for p in await list_prompt_versions(any_db, business_id=biz, mode="live")] == [2, 1]
    assert second.created_by == "ops"


async def test_demo_and_live_prompts_have_separate_version_lines(any_db: Database) -> None:
    # GIVEN two live versions
    biz = await _business(any_db)
    for text in ("one", "two"):
        await add_prompt_version(any_db, business_id=biz, mode="live", system_prompt=text, greeting="Hi")
    # WHEN the first demo prompt is stored
    demo = await add_prompt_version(any_db, business_id=biz, mode="demo", system_prompt="demo", greeting="Hi")
    # THEN it starts at version 1 and both lines are listed
    assert demo.version == 1
    listed = await list_prompt_versions(any_db, business_id=biz)
    assert [(p.mode, p.version) for p in listed] == [("demo", 1), ("live", 2), ("live", 1)]


@pytest.mark.parametrize(
    ("system_prompt", "greeting", "message"), [("  ", "Hi", "system prompt"), ("Be kind", "", "greeting")]
)
async def test_an_empty_prompt_or_greeting_is_refused(
    any_db: Database, system_prompt: str, greeting: str, message: str
) -> None:
    # GIVEN a business WHEN an empty prompt or greeting is stored THEN it is refused and nothing is saved
    biz = await _business(any_db)
    with pytest.raises(EmptyPrompt, match=message):
        await add_prompt_version(any_db, business_id=biz, mode="live", system_prompt=system_prompt, greeting=greeting)
    assert await current_prompt(any_db, business_id=biz, mode="live") is None


async def test_surrounding_whitespace_is_trimmed(any_db: Database) -> None:
    # GIVEN a prompt pasted with blank lines around it WHEN stored THEN it is trimmed
    biz = await _business(any_db)
    prompt = await add_prompt_version(
        any_db, business_id=biz, mode="live", system_prompt="\n  Be kind.\n\n", greeting="  Hi there "
    )
    assert (prompt.system_prompt, prompt.greeting) == ("Be kind.", "Hi there")
