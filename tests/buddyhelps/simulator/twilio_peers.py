"""In-test peers of the simulator: a fake worker (real WebSocket server) and a tiny functions app (uvicorn).

The fake worker checks every frame Twilio's side sends and plays a minimal agent: a greeting, a reply
after the caller goes quiet (optionally cleared by a barge-in), then it closes the stream.
"""

from __future__ import annotations

import asyncio
import socket
import time
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import uvicorn
from fastapi import FastAPI, Request, Response
from twilio.request_validator import RequestValidator
from websockets.asyncio.server import ServerConnection, serve

from functions.twiml import hangup_twiml, stream_twiml, voicemail_twiml
from gpu_worker.telephony import media_stream as ms
from gpu_worker.telephony.audio_codec import float_to_mulaw, frame_mulaw

AUTH_TOKEN = "test-auth-token"


def tone(seconds: float, hz: float = 440.0) -> bytes:
    t = np.arange(int(8000 * seconds)) / 8000
    return float_to_mulaw(0.3 * np.sin(2 * np.pi * hz * t))


class ToneVoice:
    """A caller voice that 'speaks' any text as a 0.6 s tone (no model needed)."""

    voice_id = "tone"

    async def speak(self, text: str) -> bytes:
        return tone(0.6, hz=300.0)


@dataclass
class FakeWorker:
    greeting_s: float = 0.5
    reply_s: float = 0.4
    reply_after_silence_s: float = 0.3
    clear_on_barge_in: bool = False
    close_after_reply: bool = True
    problems: list[str] = field(default_factory=list)
    arrivals: list[float] = field(default_factory=list)
    events: list[tuple[float, str]] = field(default_factory=list)
    start: ms.Start | None = None
    signature: str | None = None
    digits: list[str] = field(default_factory=list)
    marks: list[str] = field(default_factory=list)
    stopped: bool = False
    refuse_streams: int = 0  # close this many streams right after `start`, before any audio (a full worker)
    streams: int = 0

    def expect(self, condition: bool, problem: str) -> None:
        if not condition:
            self.problems.append(problem)

    async def handle(self, ws: ServerConnection) -> None:
        self.signature = ws.request.headers.get("X-Twilio-Signature") if ws.request else None
        first = ms.parse_frame(await ws.recv())
        self.expect(isinstance(first, ms.Connected), f"first frame {first!r}")
        start = ms.parse_frame(await ws.recv())
        if not isinstance(start, ms.Start):
            self.problems.append(f"second frame {start!r}")
            return
        self.start = start
        self.streams += 1
        if self.streams <= self.refuse_streams:
            await ws.close(1013)  # "try again later": the worker is full
            return
        await self._say(ws, start.stream_sid, self.greeting_s, "greeting")
        await self._converse(ws, start.stream_sid)

    async def _say(self, ws: ServerConnection, stream_sid: str, seconds: float, mark: str) -> None:
        for frame in frame_mulaw(tone(seconds)):  # all at once: faster than real time, as workers do
            await ws.send(ms.media_message(stream_sid, frame))
        await ws.send(ms.mark_message(stream_sid, mark))
        self.events.append((time.monotonic(), f"said {mark}"))

    async def _converse(self, ws: ServerConnection, stream_sid: str) -> None:
        expected_chunk, last_sequence = 1, 1
        heard_speech, replying, replied, cleared = False, False, False, False
        last_speech_at = 0.0
        async for raw in ws:
            message = ms.parse_frame(raw)
            ms.check_stream_sid(message, stream_sid)
            now = time.monotonic()
            sequence = getattr(message, "sequence_number", None)
            self.expect(sequence == last_sequence + 1, f"sequence {sequence} after {last_sequence}")
            last_sequence = sequence or last_sequence
            if isinstance(message, ms.Media):
                self.arrivals.append(now)
                self.expect(len(message.payload) == 160, f"payload of {len(message.payload)} bytes")
                self.expect(message.chunk == expected_chunk, f"chunk {message.chunk} != {expected_chunk}")
                self.expect(message.timestamp_ms == (expected_chunk - 1) * 20, f"timestamp {message.timestamp_ms}")
                expected_chunk += 1
                if message.payload.strip(b"\xff"):
                    heard_speech, last_speech_at = True, now
                    if replying and self.clear_on_barge_in and not cleared:
                        await ws.send(ms.clear_message(stream_sid))
                        self.events.append((now, "clear"))
                        cleared = True
                elif heard_speech and not replied and now - last_speech_at > self.reply_after_silence_s:
                    await self._say(ws, stream_sid, self.reply_s, "reply-1")
                    replying = replied = True
            elif isinstance(message, ms.Mark):
                self.marks.append(message.name)
                self.events.append((now, f"mark {message.name}"))
                if message.name == "reply-1":
                    replying = False
                    if self.close_after_reply:
                        await ws.close()
                        return
            elif isinstance(message, ms.Dtmf):
                self.digits.append(message.digit)
            elif isinstance(message, ms.Stop):
                self.stopped = True
                return


@dataclass
class FunctionsApp:
    """POST /incoming-call and /call-status, signatures checked as Twilio's validator does."""

    public_base_url: str = ""
    stream_url: str = ""
    voicemail: bool = False
    status_forms: list[dict[str, str]] = field(default_factory=list)
    incoming_forms: list[dict[str, str]] = field(default_factory=list)
    # With answers here, streams carry <Connect action="/stream-end"> and each request there gets the
    # next one: "stream" (connect again), "voicemail" or "hangup".
    stream_end_answers: list[str] = field(default_factory=list)
    stream_end_forms: list[dict[str, str]] = field(default_factory=list)

    def app(self) -> FastAPI:
        app = FastAPI()
        validator = RequestValidator(AUTH_TOKEN)

        async def signed_form(request: Request, path: str) -> dict[str, str] | None:
            form = {key: str(value) for key, value in (await request.form()).items()}
            signature = request.headers.get("X-Twilio-Signature", "")
            return form if validator.validate(self.public_base_url + path, form, signature) else None

        @app.post("/incoming-call")
        async def incoming_call(request: Request) -> Response:
            form = await signed_form(request, "/incoming-call")
            if form is None:
                return Response("bad signature", status_code=403)
            self.incoming_forms.append(form)
            if self.voicemail:
                twiml = voicemail_twiml(apology="Sorry, nobody can take your call.", recording_callback_url="/rec")
            else:
                twiml = self._stream(form["CallSid"])
            return Response(twiml, media_type="text/xml")

        @app.post("/stream-end")
        async def stream_end(request: Request) -> Response:
            form = await signed_form(request, "/stream-end")
            if form is None:
                return Response("bad signature", status_code=403)
            self.stream_end_forms.append(form)
            answer = self.stream_end_answers.pop(0) if self.stream_end_answers else "hangup"
            if answer == "stream":
                return Response(self._stream(form["CallSid"]), media_type="text/xml")
            if answer == "voicemail":
                apology = "Sorry, our assistant dropped out."
                return Response(voicemail_twiml(apology=apology, recording_callback_url="/rec"), media_type="text/xml")
            return Response(hangup_twiml(), media_type="text/xml")

        @app.post("/call-status")
        async def call_status(request: Request) -> Response:
            form = await signed_form(request, "/call-status")
            if form is None:
                return Response("bad signature", status_code=403)
            self.status_forms.append(form)
            return Response(status_code=204)

        return app

    def _stream(self, call_sid: str) -> str:
        action = self.public_base_url + "/stream-end" if self.stream_end_answers else None
        parameters = {"call_sid": call_sid, "token": "tok-1"}
        return stream_twiml(websocket_url=self.stream_url, parameters=parameters, action_url=action)


@asynccontextmanager
async def running_peers(worker: FakeWorker, functions: FunctionsApp) -> Any:
    """Start both peers on loopback ports; yield the functions base URL."""
    async with serve(worker.handle, "127.0.0.1", 0) as ws_server:
        ws_port = next(iter(ws_server.sockets)).getsockname()[1]
        functions.stream_url = f"ws://127.0.0.1:{ws_port}/ws/twilio"
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)  # connections wait in the backlog until uvicorn accepts: no start-up race
        base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        functions.public_base_url = base_url
        server = uvicorn.Server(uvicorn.Config(functions.app(), log_level="warning", lifespan="off"))
        task = asyncio.create_task(server.serve(sockets=[sock]))
        try:
            yield base_url
        finally:
            server.should_exit = True
            await task
            sock.close()
