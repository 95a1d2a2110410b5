"""The console's keypad-menu switch on the agent page: on adds the default menu as a new version, off keeps
its texts; an agent without opening hours is refused with the reason, nothing saved."""

from __future__ import annotations

import httpx

from shared.agents.business_definition import from_template
from shared.database import Database
from shared.repositories import agent_definitions
from shared.repositories.businesses import create_business


async def test_an_operator_switches_the_keypad_menu_on_and_off(
    console: tuple[httpx.AsyncClient, str], db: Database
) -> None:
    client, csrf = console
    business = await create_business(db, name="Menu Plumbing", owner_phone="+12125550100")
    await agent_definitions.save_definition(db, business.id, from_template("plumbing"), "test")
    page = f"/admin/businesses/{business.id}/agent"
    assert "Keypad menu before the agent" in (await client.get(page)).text
    # WHEN the operator switches it on
    on = await client.post(f"{page}/keypad-menu", data={"csrf_token": csrf, "enabled": "1"})
    # THEN a new active version answers with the menu, in both of the agent's languages
    assert on.status_code == 303
    stored = await agent_definitions.current_definition(db, business.id)
    assert stored is not None
    assert stored.version == 2
    assert stored.definition.keypad_menu is not None
    assert stored.definition.keypad_menu.enabled
    assert set(stored.definition.keypad_menu.prompt) == {"en", "es"}
    assert "Switch it off" in (await client.get(page)).text
    # WHEN switched off THEN the menu's texts stay in the definition, switched off
    await client.post(f"{page}/keypad-menu", data={"csrf_token": csrf, "enabled": "0"})
    stored = await agent_definitions.current_definition(db, business.id)
    assert stored is not None
    assert stored.definition.keypad_menu is not None
    assert not stored.definition.keypad_menu.enabled


async def test_an_agent_without_opening_hours_gets_the_reason_and_no_new_version(
    console: tuple[httpx.AsyncClient, str], db: Database
) -> None:
    client, csrf = console
    business = await create_business(db, name="No Hours Co", owner_phone="+12125550100")
    data = from_template("plumbing").model_dump(mode="json")
    data["facts"]["hours"] = None
    definition = type(from_template("plumbing")).model_validate(data)
    await agent_definitions.save_definition(db, business.id, definition, "test")
    refused = await client.post(
        f"/admin/businesses/{business.id}/agent/keypad-menu", data={"csrf_token": csrf, "enabled": "1"}
    )
    assert refused.status_code == 422
    assert "add facts.hours" in refused.text
    assert len(await agent_definitions.list_versions(db, business.id)) == 1
