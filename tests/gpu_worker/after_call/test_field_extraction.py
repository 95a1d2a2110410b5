"""After the call, the definition's open fields filled from the transcript: repair and failure with a
scripted model, confirmed values untouched, other templates' fields; the real llama.cpp model on a real call."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from gpu_worker.after_call.field_extraction import FieldsOutcome, complete_fields
from gpu_worker.models.stages import ChatMessage
from gpu_worker.routes.extraction_route import router
from shared.agents.templates import load_template
from shared.call_report import ReportField, TranscriptEntry
from shared.settings import load_settings

PLUMBING = load_template("plumbing")

CALLER_ID = "+15555550123"
REAL_MODEL_TIMEOUT_S = 240.0
GOOD = {
    "name": "Dana Whitfield",
    "problem": "Burst pipe in the basement\nwater is rising",
    "urgency": "routine",
    "address": "48 Birch Lane",
    "callback": "",
    "notes": "",
}


def _entry(speaker: str, text: str, at: int) -> TranscriptEntry:
    return TranscriptEntry(speaker=speaker, text=text, start_ms=at, end_ms=at + 1000)  # type: ignore[arg-type]


EMERGENCY_CALL = [
    _entry("agent", "Thanks for calling Rapid Rooter Plumbing, this is the assistant. How can I help?", 0),
    _entry(
        "caller",
        "Hi, my name is Dana Whitfield. A pipe just burst in my basement and there's water everywhere, "
        "it's already an inch deep.",
        3000,
    ),
    _entry("agent", "I'm sorry, that sounds stressful. What's the address?", 9000),
    _entry("caller", "48 Birch Lane in Springfield.", 12000),
    _entry("agent", "Is this the best number to reach you?", 15000),
    _entry("caller", "Yes, this number is fine. Please hurry.", 18000),
]


class ScriptedModel:
    """A LanguageModel whose complete_json answers from a script and records what it was sent."""

    model_name = "scripted"

    def __init__(self, *answers: str | Exception) -> None:
        self.answers = list(answers)
        self.requests: list[list[ChatMessage]] = []
        self.schemas: list[dict[str, Any]] = []

    def stream_reply(
        self, messages: Sequence[ChatMessage], *, max_tokens: int = 96, temperature: float = 0.3
    ) -> AsyncIterator[str]:
        raise NotImplementedError

    async def complete_json(
        self, messages: Sequence[ChatMessage], *, schema: Mapping[str, Any], max_tokens: int = 400
    ) -> str:
        assert schema["additionalProperties"] is False
        self.requests.append(list(messages))
        self.schemas.append(dict(schema))
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


async def extract(
    model: Any, transcript: Sequence[TranscriptEntry] = EMERGENCY_CALL, known: Sequence[ReportField] = ()
) -> FieldsOutcome:
    return await complete_fields(
        model, definition=PLUMBING, known=known, transcript=transcript, caller_number=CALLER_ID, language="en"
    )


def value(outcome: FieldsOutcome, name: str) -> str:
    return next(entry.value for entry in outcome.fields if entry.name == name)


async def test_good_output_is_validated_and_tidied() -> None:
    # GIVEN a model answering with a two-line problem and a routine urgency for a burst pipe
    model = ScriptedModel(json.dumps(GOOD))
    # WHEN details are extracted
    outcome = await extract(model)
    # THEN ok on the first attempt, problem on one line, the burst pipe makes it an emergency,
    # and with no number said the callback is the caller ID
    assert outcome.status == "ok"
    assert outcome.attempts == 1
    assert value(outcome, "name") == "Dana Whitfield"
    assert value(outcome, "problem") == "Burst pipe in the basement water is rising"
    assert value(outcome, "urgency") == "emergency"
    assert value(outcome, "callback") == CALLER_ID
    # AND the prompt named the definition's fields and held the transcript; the schema came from them
    system, user = model.requests[0]
    assert "urgency: Urgency (enum; one of emergency, soon, routine)" in system.content
    assert "Caller: Hi, my name is Dana Whitfield." in user.content
    assert model.schemas[0]["properties"]["urgency"]["enum"] == ["emergency", "soon", "routine", ""]


async def test_bad_json_gets_one_repair_round_with_the_error() -> None:
    # GIVEN a model that first answers truncated JSON, then valid JSON
    model = ScriptedModel('{"customer_name": "Dana', json.dumps(GOOD))
    # WHEN extracted
    outcome = await extract(model)
    # THEN ok on the second attempt, and the second request showed the model its output and the error
    assert outcome.status == "ok"
    assert outcome.attempts == 2
    repair = model.requests[1]
    assert repair[-2].role == "assistant"
    assert repair[-2].content == '{"customer_name": "Dana'
    assert "Not valid" in repair[-1].content


async def test_two_bad_answers_fail_without_raising() -> None:
    # GIVEN a model that answers a list, then broken JSON
    model = ScriptedModel(json.dumps([GOOD]), "{")
    # WHEN extracted THEN failed, with the reason, no exception, and the caller ID kept as the callback
    outcome = await extract(model)
    assert outcome.status == "failed"
    assert outcome.error is not None
    assert "did not fit" in outcome.error
    assert value(outcome, "callback") == CALLER_ID


async def test_a_crashing_model_is_a_failed_outcome() -> None:
    # GIVEN a model that raises WHEN extracted THEN failed with the reason
    model = ScriptedModel(RuntimeError("llama.cpp slot error"), RuntimeError("llama.cpp slot error"))
    outcome = await extract(model)
    assert outcome.status == "failed"
    assert outcome.error is not None
    assert "slot error" in outcome.error


@pytest.mark.parametrize(
    ("caller_says", "model_says", "expected"),
    [
        ("Call me back on 555-010-7777 please.", "(555) 010-7777", "+15550107777"),
        ("Just call this number.", "+15550107777", CALLER_ID),  # a number nobody said
        ("Call me back on 555-010-7777.", "not a number", CALLER_ID),
    ],
)
async def test_callback_number_is_one_the_caller_said_else_the_caller_id(
    caller_says: str, model_says: str, expected: str
) -> None:
    # GIVEN a caller who did or did not give a number, and the model's reading of it
    transcript = [_entry("caller", "This is Sam, my sink is blocked. " + caller_says, 0)]
    model = ScriptedModel(json.dumps({**GOOD, "callback": model_says}))
    # WHEN extracted THEN the callback is E.164 and never invented
    outcome = await extract(model, transcript)
    assert value(outcome, "callback") == expected


async def test_notes_copied_from_the_agent_are_dropped() -> None:
    # GIVEN a model that fills notes with the agent's own line
    model = ScriptedModel(json.dumps({**GOOD, "notes": "I'm sorry, that sounds stressful. What's the address?"}))
    # WHEN extracted THEN the owner is not shown the agent's words as notes
    outcome = await extract(model)
    assert outcome.notes == ""


async def test_a_silent_caller_fails_without_asking_the_model() -> None:
    # GIVEN a call where the caller said nothing WHEN extracted THEN failed and the model was not used
    model = ScriptedModel()
    outcome = await extract(model, EMERGENCY_CALL[:1])
    assert outcome.status == "failed"
    assert model.requests == []


def test_extract_route_returns_the_extraction_json() -> None:
    # GIVEN the worker's /extract route with a scripted model loaded
    app = FastAPI()
    app.include_router(router)
    app.state.models = SimpleNamespace(llm=ScriptedModel(json.dumps(GOOD)))
    body = {"transcript": [e.model_dump() for e in EMERGENCY_CALL], "caller_number": CALLER_ID}
    # WHEN a transcript is posted THEN the JSON holds the extraction
    response = TestClient(app).post("/extract", json=body)
    assert response.status_code == 200
    answer = response.json()
    assert answer["status"] == "ok"
    assert {f["name"]: f["value"] for f in answer["fields"]}["urgency"] == "emergency"
    assert answer["extraction"]["urgency"] == "emergency"
    # AND a bad body is a 422
    assert TestClient(app).post("/extract", json={"transcript": "nope"}).status_code == 422


def _real_language_model() -> Any:
    try:
        from gpu_worker.models.model_loader import language_model_from_settings
    except ImportError as error:
        pytest.skip(f"gpu_worker.models.model_loader is not importable yet: {error}")
    models_dir = Path(__file__).resolve().parents[3] / ".models"
    settings = load_settings(BUDDYHELPS_MODELS_DIR=str(models_dir))
    try:
        return language_model_from_settings(settings)
    except Exception as error:
        pytest.skip(f"the llama.cpp model is not prepared (run `make models`): {error}")


@pytest.mark.slow
async def test_real_model_reads_an_emergency_call() -> None:
    # GIVEN the real Qwen 0.5B model through llama.cpp and a realistic burst-pipe call
    llm = _real_language_model()
    try:
        # WHEN details are extracted
        started = time.perf_counter()
        # (generous per-attempt timeout: other test processes may be sharing the two cores)
        outcome = await complete_fields(
            llm,
            definition=PLUMBING,
            known=[],
            transcript=EMERGENCY_CALL,
            caller_number=CALLER_ID,
            language="en",
            timeout_s=REAL_MODEL_TIMEOUT_S,
        )
        elapsed = time.perf_counter() - started
    finally:
        llm.close()
    # THEN the name and problem are right and it is an emergency
    print(f"real-model extraction: {elapsed:.2f} s, attempts={outcome.attempts}, {outcome.fields}")
    assert outcome.status == "ok", outcome.error
    assert "dana" in value(outcome, "name").lower()
    assert any(word in value(outcome, "problem").lower() for word in ("pipe", "burst", "water", "flood"))
    assert value(outcome, "urgency") == "emergency"
    assert value(outcome, "callback") == CALLER_ID
    assert "stressful" not in outcome.notes


async def test_what_the_caller_confirmed_is_never_overwritten() -> None:
    # GIVEN a callback number the caller confirmed in the read-back, different from their caller ID
    confirmed = ReportField(
        name="callback", label="Callback number", kind="phone", value="+15550107777", spoken="", status="confirmed"
    )
    model = ScriptedModel(json.dumps(GOOD))
    # WHEN the call's open fields are filled
    outcome = await extract(model, known=[confirmed])
    # THEN the confirmed number stays, and the model was not even asked for it
    assert value(outcome, "callback") == "+15550107777"
    assert "callback" not in model.schemas[0]["properties"]


async def test_a_gym_survey_gets_its_own_fields_normalised_by_kind() -> None:
    # GIVEN the outbound gym template and a call where the front desk gave prices and hours
    gym = load_template("gym_information") if "gym_information" in _templates() else None
    if gym is None:
        pytest.skip("gym_information template not shipped yet")
    transcript = [
        _entry("agent", "Hi, this is an automated call on behalf of a customer. What are your opening hours?", 0),
        _entry("caller", "We're open six to ten every day, and a day pass is fifteen dollars.", 4000),
    ]
    answers = {spec.name: "" for spec in gym.fields} | {"notes": ""}
    money = next(spec.name for spec in gym.fields if spec.kind.value == "money")
    answers[money] = "fifteen dollars"
    model = ScriptedModel(json.dumps(answers))
    # WHEN filled THEN the price is a normalised amount, not a plumbing summary
    outcome = await complete_fields(
        model, definition=gym, known=[], transcript=transcript, caller_number=CALLER_ID, language="en"
    )
    assert next(e for e in outcome.fields if e.name == money).value == "15.00 USD"
    assert "urgency" not in {e.name for e in outcome.fields}


def _templates() -> list[str]:
    from shared.agents.templates import template_names

    return template_names()


@pytest.mark.parametrize(
    ("notes", "kept"),
    [
        ("No puedo ayudar con esa llamada.", False),
        ("I cannot assist with that request.", False),
        ("The gate code is 4411 and the dog stays in the yard.", True),
        ("Caller prefers mornings.", True),
    ],
)
async def test_notes_the_caller_never_said_are_dropped(notes: str, kept: bool) -> None:
    # GIVEN a caller who mentioned a gate code, a dog and mornings, and notes the model wrote
    said = "This is Sam, my sink is blocked. Mornings are best, the gate code is 4411 and the dog stays in the yard."
    model = ScriptedModel(json.dumps({**GOOD, "notes": notes}))
    # WHEN extracted
    outcome = await extract(model, [_entry("caller", said, 0)])
    # THEN notes about what the caller said reach the owner; a refusal or invention does not
    assert (outcome.notes == notes) is kept
