"""The tasks one call runs besides its receive loop, every one logged if it fails and cancelled at the end.

The turn in progress (a reply, a caller turn being understood) is one named slot: the call is
"thinking or speaking" while it runs, and a crashed turn is logged like any other task, never silent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from typing import Any, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")


class CallTasks:
    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()
        self.turn: asyncio.Task[None] | None = None

    def spawn(self, coroutine: Coroutine[Any, Any, T], name: str) -> asyncio.Task[T]:
        task = asyncio.ensure_future(coroutine)
        task.set_name(name)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def start_turn(self, coroutine: Coroutine[Any, Any, None], name: str = "turn") -> asyncio.Task[None]:
        self.turn = self.spawn(coroutine, name)
        return self.turn

    @property
    def turn_running(self) -> bool:
        return self.turn is not None and not self.turn.done()

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("call task failed", exc_info=task.exception(), extra={"task": task.get_name()})

    async def aclose(self) -> None:
        tasks = [task for task in self._tasks if not task.done()]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
