"""The agent editor: versions saved from YAML (every problem named, nothing saved on error), diff, activate,
import/export, templates, and "try it" through the worker's /agent/try with its bearer token."""

from __future__ import annotations

import httpx
import pytest
import yaml

from functions.admin.worker_client import WorkerUnavailable, agent_try
from shared.agents.templates import load_template, template_names
from shared.agents.yaml_io import definition_from_yaml, definition_to_yaml
from shared.database import Database
from shared.repositories.businesses import create_business
from shared.repositories.prompts import add_prompt_version
from tests.functions.admin.conftest import AdminSite


def _with_greeting(text: str, greeting: str) -> str:
    data = yaml.safe_load(text)
    data["greeting"]["en"] = greeting
    return yaml.safe_dump(data, sort_keys=False)


async def test_an_old_business_opens_with_its_prompt_as_the_plumbing_agent(api: httpx.AsyncClient, db: Database):
    # GIVEN a business from before agents, with a live prompt
    business = await create_business(db, name="Legacy Pipes", owner_phone="+15125552000")
    await add_prompt_version(
        db, business_id=business.id, mode="live", system_prompt="You answer for Legacy Pipes.", greeting="Legacy!"
    )
    # WHEN its agent is read THEN it is version 1, the plumbing fields with its own persona and greeting
    agent = (await api.get(f"/admin/api/businesses/{business.id}/agent")).json()
    assert agent["version"] == 1
    assert agent["active"] is True
    assert agent["definition"]["persona"]["en"] == "You answer for Legacy Pipes."
    assert agent["definition"]["greeting"]["en"] == "Legacy!"
    assert definition_from_yaml(agent["yaml"]).fields == load_template("plumbing").fields


async def test_save_diff_and_activate_versions(api: httpx.AsyncClient, db: Database):
    business = await create_business(db, name="Versioned Electric", owner_phone="+15125552001")
    base = f"/admin/api/businesses/{business.id}/agent"
    electrician = definition_to_yaml(load_template("electrician"))
    # WHEN the electrician template is saved, then a version with a new greeting
    first = await api.post(base, json={"yaml": electrician, "note": "start"})
    edited = _with_greeting(electrician, "Versioned Electric, <b>hello</b>!")
    second = await api.post(base, json={"yaml": edited, "note": "greeting"})
    # THEN they are versions 1 and 2, and the newest is active
    assert (first.status_code, second.status_code) == (201, 201)
    assert (first.json()["version"], second.json()["version"]) == (1, 2)
    listed = (await api.get(f"{base}/versions")).json()["versions"]
    assert [(v["version"], v["active"], v["note"]) for v in listed] == [(2, True, "greeting"), (1, False, "start")]
    assert listed[0]["created_by"] == "ops@buddyhelps.example"
    # AND the diff shows the changed greeting, escaped
    diff = (await api.get(f"{base}/diff", params={"from": 1, "to": 2})).json()
    assert "&lt;b&gt;hello&lt;/b&gt;" in diff["html"]
    assert "<b>hello" not in diff["html"]
    assert "+  en: Versioned Electric, <b>hello</b>!" in diff["unified"]
    assert (await api.get(f"{base}/diff", params={"from": 1, "to": 9})).status_code == 404
    # WHEN version 1 is made active THEN it is the one returned
    assert (await api.post(f"{base}/versions/1/activate")).status_code == 200
    assert (await api.get(base)).json()["version"] == 1
    assert (await api.post(f"{base}/versions/9/activate")).status_code == 404


async def test_an_invalid_definition_names_each_problem_and_saves_nothing(api: httpx.AsyncClient, db: Database):
    business = await create_business(db, name="Broken Heating", owner_phone="+15125552002")
    base = f"/admin/api/businesses/{business.id}/agent"
    data = yaml.safe_load(definition_to_yaml(load_template("hvac")))
    data["safety"][0]["sets"] = {"urgent": "emergency"}
    data["languages"] = ["en", "es"]
    refused = await api.post(base, json={"yaml": yaml.safe_dump(data)})
    assert refused.status_code == 422
    [problem] = refused.json()["problems"]
    assert "safety[0] (gas).sets" in problem
    not_yaml = await api.post(base, json={"yaml": "name: [oops"})
    assert not_yaml.status_code == 422
    assert not_yaml.json()["problems"][0].startswith("line 1, column")
    assert [v["version"] for v in (await api.get(f"{base}/versions")).json()["versions"]] == [1]
    assert (await api.get("/admin/api/businesses/biz_nope/agent")).status_code == 404


async def test_templates_are_listed(api: httpx.AsyncClient):
    templates = (await api.get("/admin/api/agent-templates")).json()["templates"]
    assert [t["name"] for t in templates] == template_names()
    assert {"name": "preop_reminder", "title": "Pre-op reminder", "direction": "outbound"} in templates


async def test_try_it_sends_the_line_the_conversation_and_the_version_with_the_worker_token(
    admin_site: AdminSite, api: httpx.AsyncClient, db: Database
):
    business = await create_business(db, name="Trying Front Desk", owner_phone="+15125552003")
    base = f"/admin/api/businesses/{business.id}/agent"
    for note in ("first", "second"):
        await api.post(base, json={"yaml": definition_to_yaml(load_template("front_desk")), "note": note})
    history = [{"role": "caller", "text": "Hi"}, {"role": "agent", "text": "Who is the message for?"}]
    # WHEN a caller line is tried against version 1 with the conversation so far
    tried = await api.post(f"{base}/try", json={"text": "For Dana in accounts", "history": history, "version": 1})
    # THEN the planner's reply and fields come back, and the worker got the business, version, line and turns
    assert tried.status_code == 200
    body = tried.json()
    assert body["reply"] == "(fake planner v1) after 1 turns you said: For Dana in accounts"
    assert body["kind"] == "scripted"
    assert body["fields"] == [
        {"name": "problem", "label": "Problem", "value": "For Dana in accounts", "status": "given"}
    ]
    async with httpx.AsyncClient(base_url=admin_site.worker_url) as worker:
        sent = (await worker.get("/test/chats")).json()[-1]
    assert sent == {
        "path": "/agent/try",
        "business_id": business.id,
        "version": 1,
        "caller_text": "For Dana in accounts",
        "conversation": [{"caller": "Hi", "agent": "Who is the message for?"}],
    }
    # AND without a version the active one is used; a bad turn or a missing version is refused
    active = (await api.post(f"{base}/try", json={"text": "hello"})).json()
    assert active["version"] == 2
    bad_turn = await api.post(f"{base}/try", json={"text": "x", "history": [{"role": "boss", "text": "x"}]})
    assert bad_turn.status_code == 422
    assert (await api.post(f"{base}/try", json={"text": "x", "version": 7})).status_code == 404


async def test_console_page_edits_imports_exports_and_tries(console: tuple[httpx.AsyncClient, str], db: Database):
    client, csrf = console
    business = await create_business(db, name="Page Gym Survey", owner_phone="+15125552004")
    page = f"/admin/businesses/{business.id}/agent"
    # GIVEN the page opened from a template (nothing saved by loading it)
    shown = await client.get(page, params={"template": "gym_information"})
    assert "Gym information survey" in shown.text
    gym = definition_to_yaml(load_template("gym_information"))
    # WHEN a definition with a bad regular expression is saved THEN the problem shows beside the draft, kept
    broken = gym.replace(r"\bstop calling\b", r"(stop calling")
    refused = await client.post(page, data={"csrf_token": csrf, "definition": broken, "note": "oops"})
    assert refused.status_code == 422
    assert 'id="agent-problems"' in refused.text
    assert "facts.policies[1] (opt_out).patterns: patterns[en]: invalid regular expression" in refused.text
    assert "(stop calling" in refused.text
    # WHEN the template is saved, then a YAML file imported
    saved = await client.post(page, data={"csrf_token": csrf, "definition": gym, "note": "survey"})
    assert saved.status_code == 303
    upload = {"file": ("gym.yaml", _with_greeting(gym, "Quick questions, if you have a minute?").encode(), "text/yaml")}
    imported = await client.post(f"{page}/import", data={"csrf_token": csrf}, files=upload)
    assert imported.status_code == 303
    # THEN the page lists three versions and diffs the last two
    listed = await client.get(page)
    assert "v3 <strong>active</strong>" in listed.text
    assert 'id="agent-outbound"' in listed.text  # a survey answering inbound calls is pointed out
    assert "imported from gym.yaml" in listed.text
    assert 'id="agent-diff"' in listed.text
    # AND the export downloads the chosen version
    exported = await client.get(f"{page}/export.yaml", params={"version": 2})
    assert exported.headers["content-disposition"] == f'attachment; filename="{business.id}-agent-v2.yaml"'
    assert definition_from_yaml(exported.text) == load_template("gym_information")
    # WHEN a caller line is tried twice THEN the conversation grows and the reply shows
    first = await client.post(f"{page}/try", data={"csrf_token": csrf, "text": "We open at six", "version": "3"})
    assert "(fake planner v3) after 0 turns you said: We open at six" in first.text
    history = first.text.split('name="history" value="', 1)[1].split('"', 1)[0].replace("&#34;", '"')
    again = await client.post(
        f"{page}/try", data={"csrf_token": csrf, "text": "Ten dollars", "version": "3", "history": history}
    )
    assert "after 1 turns you said: Ten dollars" in again.text
    assert again.text.count('<li class="caller">') == 2


async def test_try_it_explains_a_refused_token_and_a_worker_without_the_route(admin_site: AdminSite):
    payload = {"business_id": "biz_x", "version": 1, "text": "hello", "history": []}
    # GIVEN a worker that does not accept the token WHEN tried THEN the operator is told to check the token
    with pytest.raises(WorkerUnavailable, match="refused the console's token"):
        await agent_try(admin_site.worker_url, token="wrong-token", payload=payload)
    # GIVEN a server without /agent/try (an older worker) THEN the operator is told to deploy the current one
    with pytest.raises(WorkerUnavailable, match="has no /agent/try"):
        await agent_try(admin_site.base_url, token="any", payload=payload)


async def test_a_stored_version_that_no_longer_validates_is_explained_and_can_be_replaced(
    console: tuple[httpx.AsyncClient, str], api: httpx.AsyncClient, db: Database
):
    # GIVEN a business whose active version was stored by an older schema and no longer validates
    business = await create_business(db, name="Old Schema Plumbing", owner_phone="+15125552005")
    await db.execute(
        "INSERT INTO agent_definitions (business_id, purpose, version, definition, created_by, created_at)"
        " VALUES (?, 'inbound', 1, '{\"name\": \"old\"}', 'old', '2026-01-01T00:00:00.000Z')",
        (business.id,),
    )
    await db.execute(
        "INSERT INTO agent_definition_active (business_id, purpose, version, updated_by, updated_at)"
        " VALUES (?, 'inbound', 1, 'old', '2026-01-01T00:00:00.000Z')",
        (business.id,),
    )
    # WHEN the API and the page read it THEN both say which version is invalid, and the page still opens
    refused = await api.get(f"/admin/api/businesses/{business.id}/agent")
    assert refused.status_code == 409
    assert f"stored definition {business.id}/inbound v1 is invalid" in refused.json()["detail"]
    client, csrf = console
    page = await client.get(f"/admin/businesses/{business.id}/agent")
    assert page.status_code == 200
    assert "v1 is invalid" in page.text
    # AND a valid version saved over it is the one used from then on
    plumbing = definition_to_yaml(load_template("plumbing"))
    saved = await client.post(
        f"/admin/businesses/{business.id}/agent", data={"csrf_token": csrf, "definition": plumbing}
    )
    assert saved.status_code == 303
    assert (await api.get(f"/admin/api/businesses/{business.id}/agent")).json()["version"] == 2
