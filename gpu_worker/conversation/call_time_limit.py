"""The longest call (MAX_CALL_SECONDS): when it is reached the agent says a closing line and hangs up.

A timer task per call, started by the session and cancelled and awaited when the call ends. The platform
timeouts (Modal's function timeout, RunPod's graceful stop) are set above this length.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gpu_worker.conversation.call_conversation import CallConversation

log = logging.getLogger(__name__)
END_REASON = "time_limit"


def closing_line(business_name: str) -> str:
    return (
        f"I'm sorry, we've reached the time limit for this call. {business_name} will call you back"
        " as soon as possible. Goodbye."
    )


class CallTimeLimit:
    def __init__(self, *, seconds: float, turns: CallConversation) -> None:
        self._seconds = seconds
        self._turns = turns
        self.expired = False  # the session stops passing the caller's audio on once this is set

    async def run(self) -> None:
        await asyncio.sleep(self._seconds)  # a timer, cancelled when the call ends first
        turns = self._turns
        if turns.ended:
            return
        self.expired = True
        log.info("the call reached its longest length; closing it", extra={"seconds": self._seconds})
        await turns.aclose()  # whatever the agent was preparing or saying stops here
        turns.outbound.clear()
        turns.playback.interrupt()
        try:
            await turns.say_last_line(closing_line(turns.config.business_name))
        finally:
            turns.record.end_reason = END_REASON
