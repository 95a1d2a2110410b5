"""The led planner: the LLM's JSON drives, the rules guard (safety first, no invented facts, exact read-back)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import pytest

from buddyhelps.eval.scoring import inventions
from gpu_worker.conversation.planning.facts_answer import FactsAnswer
from gpu_worker.conversation.planning.led_planner import reply_schema
from gpu_worker.conversation.planning.planner_choice import build_planner
from gpu_worker.conversation.planning.text_reply import speak_as_text
from gpu_worker.models.language_model import LlamaCppLanguageModel
from gpu_worker.models.stages import ChatMessage
from shared.agents.templates import load_template
from tests.gpu_worker.conversation.planning.planned_call import new_call
from tests.gpu_worker.fake_stages import FakeLlm
from tests.gpu_worker.spoken_audio import model_settings

PLUMBING = load_template("plumbing")
GAS_LINE = "If you smell gas, please leave the house now and call your gas company or 911 from outside."


class JsonLlm(FakeLlm):
    """Answers complete_json with the given objects in turn (as a schema-constrained model would)."""

    def __init__(self, answers: Sequence[dict[str, Any]]) -> None:
        super().__init__()
        self.answers = list(answers)
        self.json_requests: list[list[ChatMessage]] = []

    async def complete_json(
        self, messages: Sequence[ChatMessage], *, schema: Mapping[str, Any], max_tokens: int = 400
    ) -> str:
        self.json_requests.append(list(messages))
        return json.dumps(self.answers.pop(0))


def say(text: str, fields: dict[str, str] | None = None, *, end_call: bool = False) -> dict[str, Any]:
    return {"say": text, "fields": fields or {}, "end_call": end_call}


async def test_the_llm_phrases_the_turn_and_its_field_values_are_checked() -> None:
    llm = JsonLlm([say("Thanks Bob! What's the address?", {"name": "Bob Smith", "problem": "a dragon in the loft"})])
    call = new_call(PLUMBING, llm=llm, mode="led")
    call.open()
    reply = await call.say("Hi, I'm Bob Smith and my kitchen tap is dripping.")
    assert reply == "Thanks Bob! What's the address?"
    assert call.last.kind == "led"
    state = call.planner.snapshot()
    assert state.value("name") == "Bob Smith"
    assert "dragon" not in state.value("problem")  # the model's words are not the caller's
    prompt = llm.json_requests[0][-1].content
    assert "name [person_name]" in prompt
    assert "call-out fee is $89" in llm.json_requests[0][0].content


async def test_an_invented_price_falls_back_to_the_guided_plan() -> None:
    llm = JsonLlm([say("A new pipe costs $450, what's your name?")])
    call = new_call(PLUMBING, llm=llm, mode="led")
    call.open()
    reply = await call.say("My pipe is leaking under the sink.")
    assert "$450" not in reply
    assert reply.endswith("Could I get your name, please?")


async def test_the_safety_line_comes_first_whatever_the_llm_says() -> None:
    llm = JsonLlm([say("Oh no! Can I get your name?")])
    call = new_call(PLUMBING, llm=llm, mode="led")
    call.open()
    reply = await call.say("I smell gas in the basement")
    assert reply == f"{GAS_LINE} Oh no! Can I get your name?"


async def test_ending_the_call_needs_a_complete_call() -> None:
    llm = JsonLlm([say("Great, bye now!", end_call=True)])
    call = new_call(PLUMBING, llm=llm, mode="led")
    call.open()
    await call.say("My pipe is leaking.")
    assert not call.last.end_call


async def test_the_read_back_stays_word_for_word() -> None:
    llm = JsonLlm([say("Thanks Jane.")] * 3)
    call = new_call(PLUMBING, llm=llm, mode="led")
    call.open()
    await call.say("Hi, this is Jane Doe, my toilet is clogged, I'm at 45 Elm Avenue.")
    readback = await call.say("Yes, that number is fine.")
    assert readback.startswith("Let me read that back: Jane Doe at 45 Elm Avenue, your toilet is clogged")
    await call.say("Yes, that's right.")
    assert call.last.end_call


async def test_a_model_too_slow_for_the_line_gets_the_guided_plan() -> None:
    class SlowJsonLlm(JsonLlm):
        async def complete_json(
            self, messages: Sequence[ChatMessage], *, schema: Mapping[str, Any], max_tokens: int = 400
        ) -> str:
            await asyncio.sleep(5)
            return await super().complete_json(messages, schema=schema, max_tokens=max_tokens)

    llm = SlowJsonLlm([say("Finally! What's your name?")])
    planner = build_planner(
        PLUMBING, mode="led", business_name="Acme Plumbing", caller_id="", llm=llm, led_timeout_s=0.05
    )
    planner.opening()
    plan = await planner.plan("My pipe is leaking.", language="en")
    assert plan.kind == "scripted"
    assert plan.scripted_text.endswith("Could I get your name, please?")


def test_the_schema_names_every_field() -> None:
    schema = reply_schema(PLUMBING)
    assert set(schema["properties"]["fields"]["properties"]) == {"problem", "name", "address", "callback", "urgency"}
    assert schema["required"] == ["say", "fields", "end_call"]


@pytest.fixture(scope="module")
def qwen() -> Iterator[LlamaCppLanguageModel]:
    model = LlamaCppLanguageModel.from_settings(model_settings(WORKER_CAPACITY="1"))
    yield model
    model.close()


@pytest.mark.slow
async def test_on_the_real_qwen_the_guards_hold(qwen: LlamaCppLanguageModel) -> None:
    # GIVEN the weak 0.5B model leading a gas call (it is not eloquent; the guards must still hold: its JSON
    # when it finishes in time, the guided plan when it does not, as on a call)
    planner = build_planner(
        PLUMBING, mode="led", business_name="Acme Plumbing", caller_id="+15550100123", llm=qwen, led_timeout_s=120
    )
    planner.heard(planner.opening(), "Thanks for calling.", complete=True)
    caller = "Hi, I smell gas near my water heater. How much do you charge to come out?"
    # WHEN the caller asks for a price in the same breath
    plan = await planner.plan(caller, language="en")
    reply = await speak_as_text(plan, planner, qwen)
    # THEN the gas line came first, and nothing names a price, time or booking the definition lacks
    assert plan.kind in ("led", "scripted")
    assert reply.text.startswith(GAS_LINE)
    assert inventions(reply.text, caller, FactsAnswer(PLUMBING)) == []
    assert planner.snapshot().value("urgency") == "emergency"
