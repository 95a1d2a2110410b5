"""The WebSocket as the session sees it, and the one task that writes to it.

All outbound messages go through one queue, so `media`, `mark` and `clear` keep their order. On
barge-in `flush_media` drops queued audio and marks (data) but never a `clear` (control). A `tap` (the
call's recorder) sees each frame and each `clear` as it is actually written to the socket.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Literal, Protocol

from starlette.websockets import WebSocket, WebSocketDisconnect

from gpu_worker.telephony import media_stream

log = logging.getLogger(__name__)


class MediaSocket(Protocol):
    async def receive(self) -> str | bytes | None:
        """The next frame, or None once the peer has gone."""
        ...

    async def send(self, text: str) -> None: ...

    async def close(self, code: int = 1000) -> None: ...


class StarletteMediaSocket:
    def __init__(self, websocket: WebSocket) -> None:
        self._websocket = websocket

    async def receive(self) -> str | bytes | None:
        try:
            message = await self._websocket.receive()
        except (WebSocketDisconnect, RuntimeError):
            return None
        if message["type"] == "websocket.disconnect":
            return None
        text = message.get("text")
        if text is not None:
            return str(text)
        data = message.get("bytes")
        return bytes(data) if data is not None else None

    async def send(self, text: str) -> None:
        await self._websocket.send_text(text)

    async def close(self, code: int = 1000) -> None:
        await self._websocket.close(code)


class OutboundTap(Protocol):
    def agent_frame(self, payload: bytes) -> None: ...

    def agent_cleared(self) -> None: ...


@dataclass(frozen=True)
class _Outgoing:
    kind: Literal["media", "mark", "clear"]
    text: str
    payload: bytes = b""  # media: the mu-law frame


class OutboundAudio:
    """Serialises writes to the socket; closed sockets end it quietly (the caller hung up)."""

    def __init__(self, *, socket: MediaSocket, stream_sid: str) -> None:
        self._socket = socket
        self._stream_sid = stream_sid
        self._queue: asyncio.Queue[_Outgoing] = asyncio.Queue()
        self.frames_sent = 0
        self.closed = False
        self.tap: OutboundTap | None = None

    def media(self, frames: list[bytes]) -> None:
        for frame in frames:
            self._queue.put_nowait(_Outgoing("media", media_stream.media_message(self._stream_sid, frame), frame))

    def mark(self, name: str) -> None:
        self._queue.put_nowait(_Outgoing("mark", media_stream.mark_message(self._stream_sid, name)))

    def clear(self) -> None:
        self.flush_media()
        self._queue.put_nowait(_Outgoing("clear", media_stream.clear_message(self._stream_sid)))

    def flush_media(self) -> None:
        kept = []
        while not self._queue.empty():
            item = self._queue.get_nowait()
            self._queue.task_done()  # taken off the queue: `drained` must not wait for it
            if item.kind == "clear":
                kept.append(item)
        for item in kept:
            self._queue.put_nowait(item)

    async def drained(self) -> None:
        await self._queue.join()

    async def run(self) -> None:
        while True:
            item = await self._queue.get()
            try:
                if not self.closed:
                    await self._socket.send(item.text)
                    self.frames_sent += item.kind == "media"
                    self._tell_tap(item)
            except (RuntimeError, ConnectionError, WebSocketDisconnect) as error:
                # Sending after the caller hung up is expected in a race; stop writing, keep draining.
                log.info("socket closed while sending", extra={"reason": str(error)})
                self.closed = True
            finally:
                self._queue.task_done()

    def _tell_tap(self, item: _Outgoing) -> None:
        if self.tap is None:
            return
        if item.kind == "media":
            self.tap.agent_frame(item.payload)
        elif item.kind == "clear":
            self.tap.agent_cleared()
