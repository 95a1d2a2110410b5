"""A pass on a schedule inside the local functions app: what EventBridge's rate() does on AWS.

`run_every` repeats one pass until cancelled (a failing pass is logged; the next one runs), and
`alongside` runs such a loop for as long as the app is up (its lifespan), cancelled and awaited when
it stops. Used by the notification retry and the outbound call queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

log = logging.getLogger(__name__)


async def run_every(one_pass: Callable[[], Awaitable[object]], *, interval_s: float, what: str) -> None:
    while True:
        try:
            await one_pass()
        except Exception:  # a background schedule must outlive one bad pass (database down, say)
            log.exception(f"{what} pass failed; the next pass will try again")
        await asyncio.sleep(interval_s)  # the schedule itself


def alongside(app: FastAPI, loop: Callable[[], Coroutine[Any, Any, None]], *, name: str) -> FastAPI:
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(application: FastAPI) -> AsyncIterator[Any]:
        async with inner(application) as value:
            task = asyncio.create_task(loop(), name=name)
            try:
                yield value
            finally:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):  # the cancellation we asked for
                    await task

    app.router.lifespan_context = lifespan
    return app
