"""The one writer of a call's socket: after a barge-in flush, the call's teardown does not wait on audio
that was dropped."""

from __future__ import annotations

import asyncio
import contextlib
import json

from gpu_worker.telephony.media_socket import OutboundAudio

STREAM_SID = "MZ" + "0" * 32


class RecordingSocket:
    def __init__(self) -> None:
        self.sent: list[dict[str, object]] = []

    async def receive(self) -> str | bytes | None:
        return None

    async def send(self, text: str) -> None:
        await asyncio.sleep(0.001)  # a socket write yields to the loop
        self.sent.append(json.loads(text))

    async def close(self, code: int = 1000) -> None:
        return None


async def test_after_a_barge_in_flush_the_queue_drains_once_the_clear_is_sent() -> None:
    # GIVEN a reply's audio queued for the line and the writer not yet running
    socket = RecordingSocket()
    outbound = OutboundAudio(socket=socket, stream_sid=STREAM_SID)
    outbound.media([b"\xff" * 160] * 50)
    outbound.mark("r1-c0")
    # WHEN the caller barges in (the queued audio is dropped, a clear goes out) and the writer runs
    outbound.clear()
    writer = asyncio.create_task(outbound.run())
    try:
        # THEN the queue counts as drained once the clear is sent: teardown does not wait out its timeout
        await asyncio.wait_for(outbound.drained(), timeout=5)
    finally:
        writer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await writer
    assert [message["event"] for message in socket.sent] == ["clear"]
    assert outbound.frames_sent == 0
