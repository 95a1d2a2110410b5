"""Twilio's side of one media stream, in memory and on a virtual clock, for session tests.

Each inbound frame the test sends is 20 ms of line time; in that time Twilio 'plays' one outbound
frame, and echoes a mark once every frame queued before it has played; `clear` drops the buffer and
echoes the pending marks. The session sees exactly Twilio's JSON.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections import deque
from typing import Any

from gpu_worker.conversation.call_session import CallSession, WorkerServices

STREAM_SID = "MZ" + "0" * 32
CALL_SID = "CA" + "1" * 32


class TwilioLine:
    def __init__(self) -> None:
        self.inbound: asyncio.Queue[str | bytes | None] = asyncio.Queue()
        self.sent: list[dict[str, Any]] = []
        self.closed_code: int | None = None
        self._buffer: deque[tuple[str, Any]] = deque()  # ("frame", bytes) | ("mark", name)
        self.played_frames = 0
        self.chunk = 0
        self.session_task: asyncio.Task[None] | None = None

    # MediaSocket, as the session uses it
    async def receive(self) -> str | bytes | None:
        return await self.inbound.get()

    async def send(self, text: str) -> None:
        if self.closed_code is not None:
            raise RuntimeError("socket closed")
        message = json.loads(text)
        self.sent.append(message)
        if message["event"] == "media":
            self._buffer.append(("frame", base64.b64decode(message["media"]["payload"])))
        elif message["event"] == "mark":
            self._buffer.append(("mark", message["mark"]["name"]))
        elif message["event"] == "clear":
            names = [value for kind, value in self._buffer if kind == "mark"]
            self._buffer.clear()
            for name in names:
                self._echo_mark(name)

    async def close(self, code: int = 1000) -> None:
        if self.closed_code is None:
            self.closed_code = code
            self.inbound.put_nowait(None)

    # the test's side
    def start(self, services: WorkerServices, parameters: dict[str, str]) -> None:
        self.inbound.put_nowait(json.dumps({"event": "connected", "protocol": "Call", "version": "1.0.0"}))
        self.inbound.put_nowait(
            json.dumps(
                {
                    "event": "start",
                    "sequenceNumber": "1",
                    "streamSid": STREAM_SID,
                    "start": {
                        "streamSid": STREAM_SID,
                        "accountSid": "AC" + "0" * 32,
                        "callSid": CALL_SID,
                        "tracks": ["inbound"],
                        "customParameters": parameters,
                        "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
                    },
                }
            )
        )
        self.session_task = asyncio.create_task(CallSession(services=services, socket=self).run())

    async def frames(self, payload: bytes, count: int) -> None:
        for _ in range(count):
            if self.closed_code is not None:
                return
            self.chunk += 1
            self.inbound.put_nowait(
                json.dumps(
                    {
                        "event": "media",
                        "sequenceNumber": str(self.chunk + 1),
                        "streamSid": STREAM_SID,
                        "media": {
                            "track": "inbound",
                            "chunk": str(self.chunk),
                            "timestamp": str(self.chunk * 20),
                            "payload": base64.b64encode(payload).decode(),
                        },
                    }
                )
            )
            self._play_one()
            await settle()

    def _play_one(self) -> None:
        while self._buffer and self._buffer[0][0] == "mark":
            self._echo_mark(self._buffer.popleft()[1])
        if self._buffer:
            self._buffer.popleft()
            self.played_frames += 1
        while self._buffer and self._buffer[0][0] == "mark":
            self._echo_mark(self._buffer.popleft()[1])

    def _echo_mark(self, name: str) -> None:
        self.inbound.put_nowait(json.dumps({"event": "mark", "streamSid": STREAM_SID, "mark": {"name": name}}))

    def send_raw(self, frame: str | bytes) -> None:
        self.inbound.put_nowait(frame)

    def dtmf(self, digit: str) -> None:
        self.inbound.put_nowait(
            json.dumps({"event": "dtmf", "streamSid": STREAM_SID, "dtmf": {"track": "inbound_track", "digit": digit}})
        )

    def stop(self) -> None:
        self.inbound.put_nowait(
            json.dumps(
                {"event": "stop", "streamSid": STREAM_SID, "stop": {"accountSid": "AC" + "0" * 32, "callSid": CALL_SID}}
            )
        )

    @property
    def buffered_frames(self) -> int:
        return sum(1 for kind, _ in self._buffer if kind == "frame")

    def events(self, kind: str) -> list[dict[str, Any]]:
        return [message for message in self.sent if message["event"] == kind]


async def settle(rounds: int = 30) -> None:
    """Let the session's tasks run (the fakes answer at once)."""
    for _ in range(rounds):
        await asyncio.sleep(0)
