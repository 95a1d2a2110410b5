"""POST /agent/try through the real worker app (create_app with the fake stages): the console's "try it"."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from gpu_worker.routes.worker_auth import bearer_headers
from gpu_worker.server import create_app
from shared.agents.templates import load_template
from shared.agents.yaml_io import definition_to_yaml
from shared.database import open_database
from shared.demo_business import DEMO_BUSINESS_ID, seed_demo_business
from shared.settings import Settings
from tests.gpu_worker.fake_stages import fake_models

TOKEN = "worker-token-for-tests-0123456789abcdef"
PLUMBING_YAML = definition_to_yaml(load_template("plumbing"))


@pytest.fixture
def worker_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"worker_api_token": TOKEN})


@pytest.fixture
def client(worker_settings: Settings) -> Iterator[TestClient]:
    app = create_app(worker_settings, fake_models(caller_lines=[], replies=["It costs $400 to fix that."] * 5))
    with TestClient(app, headers=bearer_headers(TOKEN)) as test_client:
        yield test_client


def test_without_the_worker_token_it_is_refused(client: TestClient) -> None:
    response = client.post("/agent/try", json={"definition": PLUMBING_YAML}, headers={"Authorization": ""})
    assert response.status_code == 401


def test_an_empty_conversation_gets_the_greeting(client: TestClient) -> None:
    response = client.post("/agent/try", json={"definition": PLUMBING_YAML, "business_name": "Acme Plumbing"})
    assert response.status_code == 200
    body = response.json()
    assert body["reply"].startswith("Thanks for calling Acme Plumbing.")
    assert body["kind"] == "scripted"
    assert body["fields"]["name"]["status"] == "missing"


def test_a_turn_after_a_conversation_is_planned_with_what_came_before(client: TestClient) -> None:
    # GIVEN a caller who already described a burst pipe and gave their name
    request = {
        "definition": PLUMBING_YAML,
        "business_name": "Acme Plumbing",
        "caller_id": "+15550100123",
        "conversation": [
            {"caller": "My pipe burst and there's water everywhere!", "agent": "Could I get your name, please?"},
            {"caller": "Bob Smith"},
        ],
        "caller_text": "What are your opening hours?",
    }
    # WHEN they ask about the hours
    body = client.post("/agent/try", json=request).json()
    # THEN the definition's hours are said by rule, the next question follows, and the fields show the call so far
    assert body["reply"].startswith("We're open Monday to Friday, 7 AM to 6 PM.")
    assert body["reply"].endswith("What's the address where you need the work done?")
    assert body["fields"]["name"] == {"value": "Bob Smith", "spoken": "Bob Smith", "status": "given", "label": "Name"}
    assert body["fields"]["urgency"]["value"] == "emergency"
    assert body["end_call"] is False


def test_an_off_script_turn_runs_the_llm_through_the_guard(client: TestClient) -> None:
    request = {"definition": PLUMBING_YAML, "conversation": [{"caller": "My sink is leaking."}]}
    body = client.post("/agent/try", json={**request, "caller_text": "Do you like your job?"}).json()
    assert body["kind"] == "knowledge"  # a question: the documents first; the try-it page has none, so the LLM
    assert "$400" not in body["reply"]
    assert body["guard_dropped"] == ["It costs $400 to fix that."]
    assert body["reply"] == "Could I get your name, please?"


def test_a_json_definition_works_too(client: TestClient) -> None:
    request = {"definition": load_template("plumbing").model_dump_json(), "caller_text": "I smell gas!"}
    body = client.post("/agent/try", json=request).json()
    assert body["reply"].startswith("If you smell gas, please leave the house now")


def test_an_invalid_definition_names_each_problem(client: TestClient) -> None:
    broken = PLUMBING_YAML.replace("kind: person_name", "kind: nickname")
    response = client.post("/agent/try", json={"definition": broken, "caller_text": "hello"})
    assert response.status_code == 422
    problems = response.json()["detail"]["problems"]
    assert problems == [
        "fields[1] (name).kind: Input should be 'person_name', 'address', 'phone', 'date', 'time', 'money', 'enum', "
        "'yes_no' or 'free_text'"
    ]


def test_neither_or_both_sources_is_a_clear_error(client: TestClient) -> None:
    response = client.post("/agent/try", json={"caller_text": "hello"})
    assert response.status_code == 422
    assert "either `definition`" in response.text


def test_a_stored_business_definition_is_tried(client: TestClient, worker_settings: Settings) -> None:
    # GIVEN the demo business (its definition migrates from its prompt on first read)
    async def seed() -> None:
        db = await open_database(worker_settings.database_url)
        try:
            await seed_demo_business(db, worker_url="http://127.0.0.1:8001", worker_capacity=2)
        finally:
            await db.close()

    asyncio.run(seed())
    # WHEN the console tries it
    body = client.post("/agent/try", json={"business_id": DEMO_BUSINESS_ID, "caller_text": "My toilet is clogged"})
    # THEN the business's own agent answers
    assert body.status_code == 200
    assert body.json()["fields"]["problem"]["value"] == "My toilet is clogged"
    missing = client.post("/agent/try", json={"business_id": "biz_nobody", "caller_text": "hi"})
    assert missing.status_code == 404
