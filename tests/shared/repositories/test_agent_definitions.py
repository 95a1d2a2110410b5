"""Agent definitions repository: versions, the active one, and businesses from before definitions, on a
libSQL file and a real sqld server."""

from __future__ import annotations

import asyncio

import pytest

from shared.agents.definition import AgentDefinition
from shared.agents.templates import load_template
from shared.database import Database
from shared.repositories.agent_definitions import (
    NoSuchBusiness,
    NoSuchVersion,
    activate_version,
    current_definition,
    get_version,
    list_versions,
    migrate_all,
    save_definition,
)
from shared.repositories.businesses import create_business
from shared.repositories.prompts import add_prompt_version


async def _business(db: Database, business_id: str = "biz_a", name: str = "Acme Plumbing") -> str:
    return (await create_business(db, name=name, owner_phone="+15550109999", business_id=business_id)).id


def _renamed(definition: AgentDefinition, greeting: str) -> AgentDefinition:
    data = definition.model_dump(mode="json")
    data["greeting"] = {**data["greeting"], "en": greeting}
    return AgentDefinition.model_validate(data)


async def test_each_save_is_the_next_version_and_becomes_active(any_db: Database) -> None:
    # GIVEN a business with the plumbing template saved once
    biz = await _business(any_db)
    plumbing = load_template("plumbing")
    first = await save_definition(any_db, biz, plumbing, "ops@example.com", "from template")
    # WHEN an edited definition is saved
    edited = _renamed(plumbing, "Acme Plumbing, how can I help?")
    second = await save_definition(any_db, biz, edited, "kim@example.com", "friendlier greeting")
    # THEN it is version 2 and active, and version 1 is kept unchanged with who/when/note
    assert (first, second) == (1, 2)
    current = await current_definition(any_db, biz)
    assert current is not None
    assert (current.version, current.definition, current.created_by, current.note) == (
        2,
        edited,
        "kim@example.com",
        "friendlier greeting",
    )
    old = await get_version(any_db, biz, 1)
    assert old is not None
    assert old.definition == plumbing
    assert not old.active
    assert old.template == "plumbing"
    assert old.created_at.endswith("Z")
    summaries = await list_versions(any_db, biz)
    assert [(s.version, s.active, s.name, s.note) for s in summaries] == [
        (2, True, "Plumbing intake", "friendlier greeting"),
        (1, False, "Plumbing intake", "from template"),
    ]


async def test_an_older_version_can_be_made_active_again_without_a_copy(any_db: Database) -> None:
    # GIVEN two versions
    biz = await _business(any_db)
    plumbing = load_template("plumbing")
    await save_definition(any_db, biz, plumbing, "ops", "")
    await save_definition(any_db, biz, _renamed(plumbing, "Hello there."), "ops", "")
    # WHEN version 1 is activated
    await activate_version(any_db, biz, 1, "ops")
    # THEN it is current, no third version appears, and a later save moves on to version 3
    current = await current_definition(any_db, biz)
    assert current is not None
    assert current.version == 1
    assert len(await list_versions(any_db, biz)) == 2
    assert await save_definition(any_db, biz, plumbing, "ops", "") == 3
    with pytest.raises(NoSuchVersion, match="no inbound version 9"):
        await activate_version(any_db, biz, 9, "ops")


async def test_an_outbound_purpose_keeps_its_own_versions(any_db: Database) -> None:
    # GIVEN a business's inbound definition
    biz = await _business(any_db)
    await save_definition(any_db, biz, load_template("plumbing"), "ops", "")
    # WHEN an outbound campaign's definition is saved under another purpose
    gym = load_template("gym_information")
    version = await save_definition(any_db, biz, gym, "ops", "survey", purpose="campaign_gyms")
    # THEN it starts at version 1 and the inbound line is untouched
    assert version == 1
    inbound = await current_definition(any_db, biz)
    campaign = await current_definition(any_db, biz, purpose="campaign_gyms")
    assert inbound is not None
    assert inbound.definition.template == "plumbing"
    assert campaign is not None
    assert campaign.definition.direction == "outbound"


async def test_saving_for_an_unknown_business_is_refused(any_db: Database) -> None:
    with pytest.raises(NoSuchBusiness, match="biz_missing"):
        await save_definition(any_db, "biz_missing", load_template("plumbing"), "ops", "")
    assert await current_definition(any_db, "biz_missing") is None


async def test_a_business_from_before_definitions_gets_its_prompt_as_a_definition_on_first_read(
    any_db: Database,
) -> None:
    # GIVEN a business that only has a live prompt (as every business had before definitions)
    biz = await _business(any_db)
    await add_prompt_version(
        any_db, business_id=biz, mode="live", system_prompt="You answer for Acme. Be brief.", greeting="Acme, hello!"
    )
    # WHEN its definition is read for the first time, twice at once
    first, second = await asyncio.gather(current_definition(any_db, biz), current_definition(any_db, biz))
    # THEN one version exists: the plumbing template with its persona and greeting, and no example facts
    assert first is not None
    assert second is not None
    assert first.version == second.version == 1
    assert first.definition.persona["en"] == "You answer for Acme. Be brief."
    assert first.definition.greeting["en"] == "Acme, hello!"
    assert first.definition.template == "plumbing"
    assert first.created_by == "migration"
    assert first.definition.facts.hours is None
    assert not first.definition.facts.prices
    assert [spec.name for spec in first.definition.fields] == ["problem", "name", "address", "callback", "urgency"]
    assert len(await list_versions(any_db, biz)) == 1


async def test_migrate_all_gives_every_business_without_a_definition_one(any_db: Database) -> None:
    # GIVEN one business with a definition and two without (one without any prompt at all)
    done = await _business(any_db, "biz_done", "Done")
    await save_definition(any_db, done, load_template("plumbing"), "ops", "")
    await _business(any_db, "biz_old", "Old")
    await _business(any_db, "biz_bare", "Bare")
    # WHEN every business is migrated, twice
    migrated = await migrate_all(any_db)
    again = await migrate_all(any_db)
    # THEN the two got version 1, the first was left alone, and the second run changes nothing
    assert migrated == ["biz_bare", "biz_old"]
    assert again == []
    bare = await current_definition(any_db, "biz_bare")
    assert bare is not None
    assert bare.definition.greeting == load_template("plumbing").greeting
    assert [s.version for s in await list_versions(any_db, "biz_done")] == [1]
