"""The real worker app (create_app with the fake stages) under uvicorn on 127.0.0.1, and Twilio's side
of a media stream over a real WebSocket: it sends `connected`, `start` and 20 ms of silence every 20 ms,
and echoes each mark as soon as it arrives (as Twilio does once the audio before it has played)."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from gpu_worker.models.stages import ModelSet
from gpu_worker.runpod_entry import build_server
from shared.settings import Settings
from shared.signatures import issue_stream_token
from tests.gpu_worker.fake_stages import SILENCE

ACCOUNT_SID = "AC" + "0" * 32


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def worker_on_loopback(settings: Settings, models: ModelSet) -> Iterator[str]:
    """Serve the worker in a thread; yields its base URL once it is listening (models are loaded then)."""
    port = free_port()
    server = build_server(settings, host="127.0.0.1", port=port, models=models)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)  # another thread's start-up: nothing to await but time
    assert server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def start_frame(*, call_sid: str, stream_sid: str, parameters: dict[str, str]) -> str:
    return json.dumps(
        {
            "event": "start",
            "sequenceNumber": "1",
            "streamSid": stream_sid,
            "start": {
                "streamSid": stream_sid,
                "accountSid": ACCOUNT_SID,
                "callSid": call_sid,
                "tracks": ["inbound"],
                "customParameters": parameters,
                "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
            },
        }
    )


def call_parameters(settings: Settings, call_sid: str, *, business_id: str, token: str | None = None) -> dict[str, str]:
    return {
        "token": token or issue_stream_token(secret=settings.dashboard_webhook_secret, call_sid=call_sid),
        "business_id": business_id,
        "from": "+15555550123",
        "to": "+15550100001",
        "mode": "demo",
    }


@dataclass
class TwilioStream:
    """One media stream as Twilio plays it; `received` holds every event the worker sent."""

    socket: ClientConnection
    stream_sid: str
    received: list[dict[str, Any]] = field(default_factory=list)
    close_code: int | None = None
    heard_audio: asyncio.Event = field(default_factory=asyncio.Event)
    ended: asyncio.Task[None] | None = None  # done once the worker has closed the stream

    async def closed(self, timeout_s: float = 10.0) -> int | None:
        """Wait (bounded) for the worker to close the stream; returns its close code."""
        assert self.ended is not None
        await asyncio.wait_for(asyncio.shield(self.ended), timeout=timeout_s)
        return self.close_code

    def events(self, kind: str) -> list[dict[str, Any]]:
        return [event for event in self.received if event.get("event") == kind]

    async def send_silence(self) -> None:
        chunk = 0
        payload = base64.b64encode(SILENCE).decode()
        with contextlib.suppress(ConnectionClosed):
            while True:
                chunk += 1
                media = {"track": "inbound", "chunk": str(chunk), "timestamp": str(chunk * 20), "payload": payload}
                await self.socket.send(json.dumps({"event": "media", "streamSid": self.stream_sid, "media": media}))
                await asyncio.sleep(0.02)  # a phone line's pace

    async def listen(self) -> None:
        """Until the worker closes the stream: record what it sends and echo its marks."""
        try:
            async for raw in self.socket:
                event = json.loads(raw)
                self.received.append(event)
                if event.get("event") == "media":
                    self.heard_audio.set()
                if event.get("event") == "mark":
                    echo = {"event": "mark", "streamSid": self.stream_sid, "mark": event["mark"]}
                    await self.socket.send(json.dumps(echo))
        except ConnectionClosed:
            pass
        self.close_code = self.socket.close_code


@asynccontextmanager
async def twilio_stream(base_url: str, *, call_sid: str, parameters: dict[str, str]) -> AsyncIterator[TwilioStream]:
    """Open a stream and send `start`; the line then carries silence until the block ends."""
    stream_sid = "MZ" + call_sid[2:]
    async with connect(base_url.replace("http://", "ws://") + "/ws/twilio") as ws:
        await ws.send(json.dumps({"event": "connected", "protocol": "Call", "version": "1.0.0"}))
        await ws.send(start_frame(call_sid=call_sid, stream_sid=stream_sid, parameters=parameters))
        stream = TwilioStream(socket=ws, stream_sid=stream_sid)
        line = asyncio.create_task(stream.send_silence())
        listener = asyncio.create_task(stream.listen())
        stream.ended = listener
        try:
            yield stream
        finally:
            for task in (line, listener):
                task.cancel()
            for task in (line, listener):
                with contextlib.suppress(asyncio.CancelledError):
                    await task
