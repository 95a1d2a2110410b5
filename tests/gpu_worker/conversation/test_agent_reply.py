"""A reply's clauses reach the line without a gap the caller would take for the end of the reply."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from typing import Any

from pydantic import BaseModel

from gpu_worker.conversation.agent_reply import AgentReply, SpeechContext
from gpu_worker.conversation.planning.planner import ReplyPlan, ToolRequest
from gpu_worker.models.stages import ModelSet, SpeechAudio
from gpu_worker.telephony.media_socket import OutboundAudio
from gpu_worker.telephony.playback import PlaybackTracker
from gpu_worker.telephony.voice_output import PhraseCache
from gpu_worker.tools.tool import ToolResult
from gpu_worker.tools.tool_desk import ToolDesk
from tests.gpu_worker.fake_stages import FakeLlm, FakeStt, FakeTts, FakeTurn, FakeVad
from tests.gpu_worker.tools.test_tool_desk import MONDAY_AFTERNOON, SlowLookup
from tests.gpu_worker.tools.tool_call import context_for

SYNTHESIS_S = 0.3  # a CPU Kokoro clause takes about this long; the fake must not answer at once


class SlowTts(FakeTts):
    def __init__(self) -> None:
        super().__init__()
        self.started: dict[str, float] = {}

    async def synthesize(self, text: str, *, voice: str | None = None) -> SpeechAudio:
        self.started[text] = time.monotonic()
        await asyncio.sleep(SYNTHESIS_S)
        return await super().synthesize(text, voice=voice)


class SilentSocket:
    async def receive(self) -> str | bytes | None:
        return None

    async def send(self, text: str) -> None:
        return None

    async def close(self, code: int = 1000) -> None:
        return None


async def _reply(tts: SlowTts, plan: ReplyPlan, *, cached: tuple[str, ...] = ("Got it.",)) -> AgentReply:
    phrases = PhraseCache(tts=FakeTts())
    for line in cached:
        await phrases.prepare(line, "af_heart")
    models = ModelSet(stt=FakeStt([]), llm=FakeLlm([]), tts=tts, vad=FakeVad(), turn=FakeTurn())
    context = SpeechContext(
        models=models,
        voice="af_heart",
        phrases=phrases,
        playback=PlaybackTracker(),
        outbound=OutboundAudio(socket=SilentSocket(), stream_sid="MZ1"),
        stream_ms=lambda: 0,
        allows=lambda clause: True,
    )
    return AgentReply(reply_id=1, plan=plan, context=context)


async def test_the_clause_after_a_held_fixed_one_is_made_while_the_reply_waits_for_the_turn_to_end() -> None:
    # GIVEN a speculative reply: a fixed "Got it." (ready at once), then a question with the caller's digits
    tts = SlowTts()
    plan = ReplyPlan(kind="scripted", lines=("Got it.", "Is 555 0123 the best number to reach you?"))
    reply = await _reply(tts, plan)
    reply.gate.clear()  # held until the caller's turn is confirmed over
    task = asyncio.create_task(reply.run())
    # WHEN the turn is confirmed over a little later
    await asyncio.sleep(SYNTHESIS_S + 0.1)
    opened = time.monotonic()
    reply.gate.set()
    await asyncio.wait_for(task, timeout=5)
    # THEN the question was synthesized during the wait, so both clauses went out together
    assert tts.started["Is 555 0123 the best number to reach you?"] < opened
    assert reply.spoken == ["Got it.", "Is 555 0123 the best number to reach you?"]


async def test_a_cancelled_reply_stops_its_synthesis_ahead() -> None:
    # GIVEN a reply with several clauses still to synthesize
    tts = SlowTts()
    plan = ReplyPlan(kind="scripted", lines=("First thing.", "Second thing.", "Third thing."))
    reply = await _reply(tts, plan)
    task = asyncio.create_task(reply.run())
    await asyncio.sleep(SYNTHESIS_S / 2)
    # WHEN the caller barges in and the reply is cancelled
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    await asyncio.sleep(SYNTHESIS_S * 2)
    # THEN nothing more is synthesized or said
    assert set(tts.started) == {"First thing."}
    assert reply.spoken == []


class TimedPlayback(PlaybackTracker):
    def __init__(self) -> None:
        super().__init__()
        self.sent: list[tuple[str, float, float]] = []  # (text, monotonic when sent, seconds of audio)

    def queue(self, *, reply_id: int, text: str, frames: list[bytes]) -> Any:
        self.sent.append((text, time.monotonic(), len(frames) * 0.02))
        return super().queue(reply_id=reply_id, text=text, frames=frames)


async def _timed_reply(first: str, body: str, *, body_synthesis_s: float = 0.8) -> TimedPlayback:
    """`first` (cached, ready at once) then `body`, which takes `body_synthesis_s` to synthesize: spoken,
    with when each clause reached the line."""
    tts = SlowTts()

    async def slow(text: str, *, voice: str | None = None) -> SpeechAudio:
        tts.started[text] = time.monotonic()
        await asyncio.sleep(body_synthesis_s)
        return await FakeTts.synthesize(tts, text, voice=voice)

    tts.synthesize = slow  # type: ignore[method-assign]
    reply = await _reply(tts, ReplyPlan(kind="scripted", lines=(first, body)), cached=(first,))
    playback = TimedPlayback()
    reply._context = dataclasses.replace(reply._context, playback=playback)
    await asyncio.wait_for(reply.run(), timeout=5)
    assert " ".join(reply.spoken) == f"{first} {body}"
    return playback


async def test_a_short_fixed_intro_waits_so_the_long_clause_after_it_follows_without_a_silence() -> None:
    # GIVEN "Let me read that back:" (ready at once, 0.3 s of audio) before a long read-back that takes
    # 0.8 s to synthesize
    body = "Maria Lopez at 42 Oak Street, a burst pipe under the kitchen sink, and we'll call you at 555 0123."
    # WHEN the reply is spoken
    playback = await _timed_reply("Let me read that back:", body)
    # THEN the read-back starts before the intro has finished playing: no silence between them
    (_, intro_at, intro_s), (_, body_at, _) = playback.sent[:2]
    assert body_at - (intro_at + intro_s) < 0.1


async def test_a_speculated_reply_sends_no_message_until_the_turn_is_over() -> None:
    # GIVEN a reply planned during the caller's pause that would pass a message on (a tool that acts)
    sent: list[str] = []

    class Messenger(SlowLookup):
        async def run(self, arguments: BaseModel, *, language: str) -> ToolResult:
            sent.append(arguments.model_dump()["name"])
            return ToolResult("I'll pass your message on.")

    desk = ToolDesk({"take_message": Messenger(0.0)}, context_for("front_desk", MONDAY_AFTERNOON))
    plan = ReplyPlan(kind="tool", tool=ToolRequest("take_message", {"name": "Dana"}))
    reply = await _reply(SlowTts(), plan)
    reply._context = dataclasses.replace(reply._context, tools=desk)
    reply.gate.clear()
    task = asyncio.create_task(reply.run())
    # WHEN the turn model is still deciding
    await asyncio.sleep(0.2)
    # THEN nothing was sent; once the turn is confirmed over, the message goes and is said
    assert sent == []
    reply.gate.set()
    await asyncio.wait_for(task, timeout=5)
    assert sent == ["Dana"]
    assert reply.spoken == ["I'll pass your message on."]


async def test_a_dropped_speculation_never_sends_its_message() -> None:
    sent: list[str] = []

    class Messenger(SlowLookup):
        async def run(self, arguments: BaseModel, *, language: str) -> ToolResult:
            sent.append("Dana")
            return ToolResult("I'll pass your message on.")

    desk = ToolDesk({"take_message": Messenger(0.0)}, context_for("front_desk", MONDAY_AFTERNOON))
    reply = await _reply(SlowTts(), ReplyPlan(kind="tool", tool=ToolRequest("take_message", {"name": "Dana"})))
    reply._context = dataclasses.replace(reply._context, tools=desk)
    reply.gate.clear()
    # GIVEN a speculated message reply WHEN the caller goes on talking and it is dropped
    task = asyncio.create_task(reply.run())
    await asyncio.sleep(0.1)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    # THEN no message was sent on half a sentence
    assert sent == []


async def test_a_whole_sentence_goes_out_at_once_even_when_the_next_clause_is_slow() -> None:
    # GIVEN "Thanks, Tom." (ready at once) before a long goodbye that takes 0.8 s to synthesize
    body = "Demo Plumbing will call you back at 555 0188 as soon as possible, goodbye."
    # WHEN the reply is spoken
    playback = await _timed_reply("Thanks, Tom.", body)
    # THEN the caller hears "Thanks, Tom." at once, not held until the goodbye's synthesis is done
    (_, thanks_at, _), (_, body_at, _) = playback.sent[:2]
    assert body_at - thanks_at > 0.5
