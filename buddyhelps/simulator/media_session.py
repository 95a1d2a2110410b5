"""One simulated Media Stream, Twilio's side: real-time media out, agent audio played back, the script.

Three tasks share this call's state: the ticker sends one 20 ms caller frame per tick (speech or
mu-law silence; media never stops) on a monotonic clock and plays 20 ms of the agent's queued audio;
the receiver queues agent media, marks and clears; the script speaks the scenario's lines. State
changes wake waiters through one Condition (no polling).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from buddyhelps.simulator.call_recording import CallRecording
from buddyhelps.simulator.playback_buffer import PlaybackBuffer
from buddyhelps.simulator.scenario import CallerLine, Scenario
from buddyhelps.simulator.twilio_frames import AgentClear, AgentMark, AgentMedia, TwilioFrameBuilder, parse_agent_frame
from gpu_worker.telephony.audio_codec import FRAME_MS, SILENT_FRAME, frame_mulaw
from gpu_worker.telephony.media_stream import ProtocolError

logger = logging.getLogger(__name__)

FRAME_S = FRAME_MS / 1000
DTMF_GAP_S = 0.25


@dataclass(frozen=True, kw_only=True)
class CallerTurnRecord:
    text: str
    start_at: float  # monotonic send time of the first frame (or the DTMF event)
    end_at: float  # monotonic send time of the last speech frame
    barge_in: bool = False


@dataclass(frozen=True, kw_only=True)
class SessionResult:
    outcome: str  # agent_hung_up | caller_hung_up | linger_timeout | max_duration
    started_at: float  # monotonic time `start` was sent
    ended_at: float
    recording: CallRecording
    caller_turns: tuple[CallerTurnRecord, ...]
    first_agent_media_at: Mapping[int, float]  # reply generation → first agent media received
    barge_in_ms: float | None
    frames_sent: int
    marks_echoed: int
    dtmf_sent: int
    protocol_errors: tuple[str, ...]
    lateness_s: tuple[float, ...]  # per tick: send time minus its deadline
    notes: tuple[str, ...]
    lines_done: int = 0  # the scenario's lines begun on this stream (the rest go to the next leg)
    clause_starts: tuple[int, ...] = ()  # ticks where an agent clause (audio between marks) began to play
    redirect_twiml: str = ""  # outcome redirected: what the call runs next


class MediaSession:
    def __init__(
        self,
        *,
        websocket: ClientConnection,
        frames: TwilioFrameBuilder,
        scenario: Scenario,
        speech: Mapping[str, bytes],
        reply_gap_s: float = 0.8,
        clock: Callable[[], float] = time.monotonic,
        redirected: asyncio.Future[str] | None = None,
    ) -> None:
        """`redirected`: resolves with new TwiML when the call is redirected (the stream then ends)."""
        self._ws = websocket
        self._redirected = redirected
        self._frames = frames
        self._scenario = scenario
        self._speech = speech
        self._reply_gap_s = reply_gap_s
        self._clock = clock
        self._playback = PlaybackBuffer()
        self._recording = CallRecording()
        self._changed = asyncio.Condition()
        self._worker_closed = asyncio.Event()
        self._speech_frames: deque[bytes] = deque()
        self._utterance_start: float | None = None
        self._utterance_done: asyncio.Future[tuple[float, float]] | None = None
        self._barge_line = False  # the utterance being spoken is a scripted barge-in
        self._utterance_text = ""
        self._barge_pending_since: float | None = None
        self._generation = 0  # caller turns completed; agent audio is tagged with it on arrival
        self._heard_generation = -1  # highest tag played to the caller so far
        self._started_at = 0.0
        self._last_agent_played_at = float("-inf")
        self._caller_turns: list[CallerTurnRecord] = []
        self._first_media_at: dict[int, float] = {}
        self._barge_in_ms: float | None = None
        self._marks_echoed = 0
        self._dtmf_sent = 0
        self._protocol_errors: list[str] = []
        self._lateness: list[float] = []
        self._notes: list[str] = []
        self._lines_done = 0
        self._clause_starts: list[int] = []
        self._agent_was_playing = False

    async def run(self, custom_parameters: Mapping[str, str]) -> SessionResult:
        await self._ws.send(self._frames.connected())
        await self._ws.send(self._frames.start(custom_parameters))
        self._started_at = self._clock()
        ticker = asyncio.create_task(self._tick(), name="twilio-ticker")
        receiver = asyncio.create_task(self._receive(), name="twilio-receiver")
        script = asyncio.create_task(self._run_script(), name="caller-script")
        redirect = asyncio.create_task(self._wait_redirect(), name="twilio-redirect")
        try:
            done, _ = await asyncio.wait(
                {ticker, receiver, script, redirect},
                timeout=self._scenario.max_duration_s,
                return_when=asyncio.FIRST_COMPLETED,
            )
            for task in done:
                error = task.exception()
                if error is not None:
                    raise error
            outcome = self._outcome(done, script)
            script.cancel()  # the caller says nothing more on this stream while it closes
            if not self._worker_closed.is_set():
                await self._hang_up()
        finally:
            for task in (ticker, receiver, script, redirect):
                task.cancel()
            await asyncio.gather(ticker, receiver, script, redirect, return_exceptions=True)
        return self._result(outcome)

    async def _wait_redirect(self) -> str:
        if self._redirected is None:
            await asyncio.Event().wait()  # never redirected: wait with the others until the call ends
        assert self._redirected is not None
        return await asyncio.shield(self._redirected)

    def _outcome(self, done: set[asyncio.Task[Any]], script: asyncio.Task[str]) -> str:
        if self._redirected is not None and self._redirected.done() and not self._redirected.cancelled():
            return "redirected"
        if script in done:
            return script.result()
        if self._worker_closed.is_set():
            return "agent_hung_up"
        return "max_duration"

    async def _hang_up(self) -> None:
        try:
            await self._ws.send(self._frames.stop())
            await self._ws.close()
        except ConnectionClosed:
            logger.info("the worker closed the stream while the caller hung up")

    def _result(self, outcome: str) -> SessionResult:
        if self._utterance_start is not None and self._recording.sent_at:  # the call ended mid-sentence
            self._caller_turns.append(
                CallerTurnRecord(
                    text=f"{self._utterance_text} [cut off]",
                    start_at=self._utterance_start,
                    end_at=self._recording.sent_at[-1],
                    barge_in=self._barge_line,
                )
            )
            self._utterance_start = None
        return SessionResult(
            outcome=outcome,
            started_at=self._started_at,
            ended_at=self._clock(),
            recording=self._recording,
            caller_turns=tuple(self._caller_turns),
            first_agent_media_at=dict(self._first_media_at),
            barge_in_ms=self._barge_in_ms,
            frames_sent=self._frames.media_frames,
            marks_echoed=self._marks_echoed,
            dtmf_sent=self._dtmf_sent,
            protocol_errors=tuple(self._protocol_errors),
            lateness_s=tuple(self._lateness),
            notes=tuple(self._notes),
            lines_done=self._lines_done,
            clause_starts=tuple(self._clause_starts),
            redirect_twiml=self._redirect_twiml(),
        )

    def _redirect_twiml(self) -> str:
        if self._redirected is None or not self._redirected.done() or self._redirected.cancelled():
            return ""
        return self._redirected.result()

    # --- ticker: caller media out, agent audio played --------------------------------------------

    async def _tick(self) -> None:
        tick = 0
        try:
            while True:
                deadline = self._started_at + tick * FRAME_S
                delay = deadline - self._clock()
                if delay > 0:
                    await asyncio.sleep(delay)  # pacing to the next frame deadline
                now = self._clock()
                self._lateness.append(now - deadline)
                caller_frame = self._next_caller_frame(now)
                await self._ws.send(self._frames.media(caller_frame))
                await self._play(now, caller_frame)
                tick += 1
        except ConnectionClosed:
            self._worker_closed.set()

    def _next_caller_frame(self, now: float) -> bytes:
        if not self._speech_frames:
            return SILENT_FRAME
        if self._utterance_start is None:
            self._utterance_start = now
            if self._barge_line and self._agent_speaking(now) and self._barge_pending_since is None:
                self._barge_pending_since = now
        frame = self._speech_frames.popleft()
        if not self._speech_frames and self._utterance_done is not None:
            self._utterance_done.set_result((self._utterance_start, now))
            self._utterance_start = None
        return frame

    def _agent_speaking(self, now: float) -> bool:
        """Playing, or between two clauses of one reply (quiet for less than the reply gap)."""
        return self._playback.is_playing or now - self._last_agent_played_at < self._reply_gap_s

    async def _play(self, now: float, caller_frame: bytes) -> None:
        was_playing = self._playback.is_playing
        played = self._playback.play_frame()
        for name in played.marks_done:
            await self._echo_mark(name)
        if played.agent_audio and (played.marks_done or not self._agent_was_playing):
            self._clause_starts.append(self._recording.ticks)  # audio after a mark or a silence: a new clause
        self._agent_was_playing = played.agent_audio
        self._recording.add_tick(caller=caller_frame, agent=played.audio, agent_tag=played.tag, sent_at=now)
        if played.agent_audio:
            self._last_agent_played_at = now
        heard_more = played.tag > self._heard_generation
        if heard_more:
            self._heard_generation = played.tag
        if heard_more or was_playing != self._playback.is_playing:
            await self._notify()

    async def _echo_mark(self, name: str) -> None:
        await self._ws.send(self._frames.mark(name))
        self._marks_echoed += 1

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # --- receiver: agent frames in -------------------------------------------------------------

    async def _receive(self) -> None:
        try:
            async for raw in self._ws:
                await self._handle(raw)
        except ConnectionClosed as closed:
            self._notes.append(f"stream closed abnormally: {closed}")
        finally:
            self._worker_closed.set()
            await self._notify()

    async def _handle(self, raw: str | bytes) -> None:
        try:
            message = parse_agent_frame(raw, stream_sid=self._frames.stream_sid)
        except ProtocolError as error:
            logger.warning("agent frame refused: %s", error)
            self._protocol_errors.append(str(error))
            return
        if isinstance(message, AgentMedia):
            self._first_media_at.setdefault(self._generation, self._clock())
            self._playback.add_audio(message.payload, tag=self._generation)
            await self._notify()
        elif isinstance(message, AgentMark):
            self._playback.add_mark(message.name)
        elif isinstance(message, AgentClear):
            if self._barge_pending_since is not None and self._barge_in_ms is None:
                self._barge_in_ms = (self._clock() - self._barge_pending_since) * 1000
            for name in self._playback.clear():
                await self._echo_mark(name)
            await self._notify()

    # --- script: the caller's lines ------------------------------------------------------------

    async def _run_script(self) -> str:
        for index, line in enumerate(self._scenario.lines):
            await self._before_line(index, line)
            self._lines_done = index + 1
            if line.pause_before_s:
                await asyncio.sleep(line.pause_before_s)
            if line.dtmf:
                await self._press(line.dtmf)
            if line.text:
                await self._speak(line.text, barge_in=line.barge_in_after_s is not None)
            if line.hangup_after_s is not None:
                await self._wait_reply_started(f"hang-up after line {index + 1}")
                await asyncio.sleep(line.hangup_after_s)
                return "caller_hung_up"
        try:
            await asyncio.wait_for(self._worker_closed.wait(), self._scenario.linger_s)
        except TimeoutError:
            return "linger_timeout"
        return "agent_hung_up"

    async def _before_line(self, index: int, line: CallerLine) -> None:
        if line.barge_in_after_s is not None:
            await self._wait_reply_started(f"barge-in of line {index + 1}")
            await asyncio.sleep(line.barge_in_after_s)
        elif line.wait_for_agent:
            await self._wait_agent_done(f"line {index + 1}")

    async def _speak(self, text: str, *, barge_in: bool) -> None:
        if self._worker_closed.is_set():
            # The stream is gone (a worker that refused the call): nobody sends these frames. Waiting
            # would hang if Python 3.11's wait_for swallowed the cancel that ends this script.
            return
        self._barge_line = barge_in
        self._utterance_text = text
        done: asyncio.Future[tuple[float, float]] = asyncio.get_running_loop().create_future()
        self._utterance_done = done
        self._speech_frames.extend(frame_mulaw(self._speech[text]))
        start_at, end_at = await done
        self._utterance_done = None
        self._caller_turns.append(CallerTurnRecord(text=text, start_at=start_at, end_at=end_at, barge_in=barge_in))
        self._generation += 1

    async def _press(self, digits: str) -> None:
        for position, digit in enumerate(digits):
            if position:
                await asyncio.sleep(DTMF_GAP_S)
            now = self._clock()
            await self._ws.send(self._frames.dtmf(digit))
            self._dtmf_sent += 1
            self._caller_turns.append(CallerTurnRecord(text=f"[DTMF {digit}]", start_at=now, end_at=now))
        self._generation += 1

    async def _wait_reply_started(self, purpose: str) -> bool:
        """Wait until the caller hears the agent's reply to the latest caller turn."""
        generation = self._generation
        try:
            async with self._changed:
                await asyncio.wait_for(
                    self._changed.wait_for(
                        lambda: self._heard_generation >= generation or self._worker_closed.is_set()
                    ),
                    self._scenario.agent_reply_timeout_s,
                )
        except TimeoutError:
            self._notes.append(f"no agent reply within {self._scenario.agent_reply_timeout_s:.0f} s before {purpose}")
            return False
        return not self._worker_closed.is_set()

    async def _wait_agent_done(self, purpose: str) -> None:
        """Wait for the agent's reply, then until its audio has played and no more came for a gap."""
        if not await self._wait_reply_started(purpose):
            return
        while not self._worker_closed.is_set():
            async with self._changed:
                await self._changed.wait_for(lambda: not self._playback.is_playing or self._worker_closed.is_set())
            try:
                async with self._changed:
                    await asyncio.wait_for(
                        self._changed.wait_for(lambda: self._playback.is_playing or self._worker_closed.is_set()),
                        self._reply_gap_s,
                    )
            except TimeoutError:
                return
