"""LlamaCppLanguageModel with the bundled Qwen 0.5B GGUF (real model, 2 CPU cores)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from gpu_worker.models.language_model import LanguageModelError, LlamaCppLanguageModel
from gpu_worker.models.stages import ChatMessage
from tests.gpu_worker.spoken_audio import model_settings

SYSTEM = ChatMessage(role="system", content="You are the receptionist of Bob's Plumbing. Answer in one short sentence.")
EXTRACTION_SCHEMA = {
    "type": "object",
    "properties": {
        "customer_name": {"type": "string"},
        "urgency": {"type": "string", "enum": ["emergency", "soon", "routine"]},
        "callback_phone": {"type": "string"},
    },
    "required": ["customer_name", "urgency", "callback_phone"],
    "additionalProperties": False,
}


def ask(question: str) -> list[ChatMessage]:
    return [SYSTEM, ChatMessage(role="user", content=question)]


@pytest.fixture(scope="module")
def llm():
    model = LlamaCppLanguageModel.from_settings(model_settings(WORKER_CAPACITY="4"))
    yield model
    model.close()


async def take(stream: AsyncIterator[str], count: int) -> list[str]:
    taken: list[str] = []
    async for delta in stream:
        taken.append(delta)
        if len(taken) >= count:
            break
    return taken


@pytest.mark.slow
async def test_reply_streams_in_pieces(llm):
    # GIVEN a caller's question
    started = time.perf_counter()
    deltas: list[tuple[float, str]] = []
    # WHEN the reply streams
    async for delta in llm.stream_reply(ask("Can someone fix my leaking kitchen tap today?"), max_tokens=48):
        deltas.append((time.perf_counter() - started, delta))
    total = time.perf_counter() - started
    text = "".join(d for _, d in deltas)
    print(f"\nfirst delta {deltas[0][0]:.2f} s, {len(deltas)} deltas in {total:.2f} s: {text!r}")
    # THEN it arrives as several deltas forming a sentence, the first well before the last
    assert len(deltas) > 3
    assert len(text.split()) >= 3
    assert deltas[0][0] < deltas[-1][0]


@pytest.mark.slow
async def test_closing_the_stream_stops_generation_promptly(llm):
    # GIVEN a reply that would run for 400 tokens
    stream = llm.stream_reply(ask("Tell me a very long story about copper pipes."), max_tokens=400)
    received = await take(stream, 3)
    # WHEN the caller barges in and the stream is closed
    started = time.perf_counter()
    await stream.aclose()
    stopped_in = time.perf_counter() - started
    print(f"\nstopped {stopped_in * 1000:.0f} ms after close, {len(received)} deltas in")
    # THEN its generation has ended by the time close returns, within about one decoding step
    # (~25 ms on an idle machine; the bound is loose for a busy shared one)
    assert llm.active_requests == 0
    assert stopped_in < 1.5


@pytest.mark.slow
async def test_cancelling_the_consumer_also_stops_generation(llm):
    # GIVEN a long reply being consumed by a call's task
    first_delta = asyncio.Event()

    async def consume() -> None:
        async for _ in llm.stream_reply(ask("Describe every kind of plumbing fitting."), max_tokens=400):
            first_delta.set()

    task = asyncio.create_task(consume())
    await first_delta.wait()
    # WHEN the task is cancelled (barge-in cancels the turn's work)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    # THEN no generation keeps running
    assert llm.active_requests == 0


@pytest.mark.slow
async def test_four_calls_stream_at_once(llm):
    # GIVEN four callers asking at the same moment
    questions = ["My toilet is clogged.", "Do you fix water heaters?", "Are you open Sunday?", "My pipe burst!"]

    # WHEN their replies stream concurrently
    async def reply(question: str) -> str:
        return "".join([d async for d in llm.stream_reply(ask(question), max_tokens=32)])

    started = time.perf_counter()
    replies = await asyncio.gather(*(reply(q) for q in questions))
    print(f"\nfour replies in {time.perf_counter() - started:.2f} s")
    # THEN every caller gets a reply
    assert all(reply.strip() for reply in replies)


@pytest.mark.slow
async def test_json_completion_follows_the_schema(llm):
    # GIVEN a call transcript and the extraction schema
    messages = [
        ChatMessage(role="system", content="Extract the caller's details from the transcript as JSON."),
        ChatMessage(
            role="user",
            content="Caller: Hi, this is Maria Lopez. My basement is flooding right now! Call me back on 555 0142.",
        ),
    ]
    # WHEN the model completes it under the schema
    data = json.loads(await llm.complete_json(messages, schema=EXTRACTION_SCHEMA, max_tokens=120))
    # THEN it parses, has exactly the schema's fields, and the enum holds
    assert set(data) == {"customer_name", "urgency", "callback_phone"}
    assert data["urgency"] in {"emergency", "soon", "routine"}
    assert "Maria" in data["customer_name"]


@pytest.mark.slow
async def test_an_overlong_conversation_is_a_clear_error(llm):
    # GIVEN a conversation longer than one call's context
    messages = [SYSTEM, ChatMessage(role="user", content="pipe " * 3000)]
    # WHEN a reply is asked for
    # THEN it fails at once with the reason, rather than hanging or answering nonsense
    with pytest.raises(LanguageModelError, match="exceeds the available context size"):
        [d async for d in llm.stream_reply(messages, max_tokens=8)]


@pytest.mark.slow
async def test_a_schema_llama_cpp_cannot_compile_is_a_clear_error(llm):
    # GIVEN a malformed JSON schema
    # WHEN a JSON completion is asked for
    # THEN the error says what is wrong with the schema
    with pytest.raises(LanguageModelError, match="nonsense-type"):
        await llm.complete_json([ChatMessage(role="user", content="Hi")], schema={"type": "nonsense-type"})


def test_missing_gguf_says_to_run_make_models(tmp_path: Path):
    # GIVEN no model file
    # WHEN the model is constructed
    # THEN the error tells the operator what to run
    with pytest.raises(LanguageModelError, match="make models"):
        LlamaCppLanguageModel(gguf=tmp_path / "absent.gguf")
