"""The soak's stack and calls: the functions and the worker as separate processes on loopback (so
either can be killed or stopped on its own), the simulated caller, and the soak phase's figures."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx

from buddyhelps.simulator.call_result import CallResult
from buddyhelps.simulator.caller import CallOptions, run_call
from buddyhelps.simulator.caller_voice import PiperCallerVoice
from buddyhelps.simulator.scenario import load_scenario
from shared.database import Database
from shared.demo_business import DEMO_NUMBER
from shared.repositories import calls
from shared.settings import Settings

READY_TIMEOUT_S = 900.0  # a worker loads models and synthesizes every fixed line first (busy CPU: minutes)
REPORT_TIMEOUT_S = 600.0  # extraction alone may take its full 120 s on a busy CPU
FINISHED = frozenset({"agent_hung_up", "caller_hung_up"})
UNFINISHED = frozenset({"linger_timeout", "max_duration"})
STREAMED = FINISHED | UNFINISHED  # a conversation took place: its report must reach the database


class SoakFailed(RuntimeError):
    pass


class Side:
    """One side of the stack (`buddyhelps serve --only functions|worker`) as its own process group."""

    def __init__(self, name: str, port: int, env: dict[str, str], log_dir: Path) -> None:
        self.name, self.port, self._env, self._log = name, port, env, log_dir / f"soak-{name}.log"
        self.url = f"http://127.0.0.1:{port}"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        flag = "--functions-port" if self.name == "functions" else "--worker-port"
        command = [sys.executable, "-m", "buddyhelps.cli", "serve", "--only", self.name, flag, str(self.port)]
        command += ["--notification-retry-s", "5"] if self.name == "functions" else []
        with self._log.open("ab") as log:
            self._process = subprocess.Popen(  # noqa: S603 - our own CLI
                command, env=self._env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )

    def stop(self, signum: signal.Signals = signal.SIGTERM) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):  # already gone (a SIGKILL the soak sent itself)
            os.killpg(process.pid, signum)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)

    def exited(self) -> bool:
        return self._process is None or self._process.poll() is not None


@dataclass
class Stack:
    settings: Settings
    functions: Side
    worker: Side
    token: str
    ready_timeout_s: float = READY_TIMEOUT_S

    async def worker_status(self) -> dict[str, Any] | None:
        try:
            async with httpx.AsyncClient(timeout=3.0) as client:
                answer = await client.get(
                    self.worker.url + "/status", headers={"Authorization": f"Bearer {self.token}"}
                )
        except httpx.HTTPError:
            return None
        body: dict[str, Any] = answer.json() if answer.status_code == 200 else {}
        return body if body.get("ready") else None

    async def functions_ready(self) -> bool:
        try:
            async with httpx.AsyncClient(timeout=3.0) as client:
                return (await client.get(self.functions.url + "/healthz")).status_code == 200
        except httpx.HTTPError:
            return False

    async def wait_ready(self) -> dict[str, Any]:
        async def both() -> dict[str, Any] | None:
            for side in (self.functions, self.worker):
                if side.exited():
                    raise SoakFailed(f"the {side.name} process exited; see its soak log")
            status = await self.worker_status()
            return status if status is not None and await self.functions_ready() else None

        return await until(both, self.ready_timeout_s, "the stack to be ready")


T = TypeVar("T")


async def until(probe: Callable[[], Awaitable[T | None]], timeout_s: float, what: str) -> T:
    """Wait (bounded) for another process to reach a state; nothing to await there but time."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = await probe()
        if found is not None and found is not False:
            return found
        await asyncio.sleep(0.5)
    raise SoakFailed(f"timed out after {timeout_s:.0f} s waiting for {what}")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise SoakFailed(f"no VmRSS for pid {pid}")


def slope(values: list[float]) -> float | None:
    """Least-squares slope of values against their index (MB per call)."""
    n = len(values)
    if n < 2:
        return None
    mean_x, mean_y = (n - 1) / 2, sum(values) / n
    spread = sum((x - mean_x) ** 2 for x in range(n))
    return sum((x - mean_x) * (y - mean_y) for x, y in enumerate(values)) / spread


class Soak:
    def __init__(self, stack: Stack, db: Database, voice: PiperCallerVoice, artifacts: Path) -> None:
        self.stack, self.db, self.voice, self.artifacts = stack, db, voice, artifacts

    async def call(self, scenario: str) -> CallResult:
        options = CallOptions.from_settings(
            self.stack.settings, functions_url=self.stack.functions.url, to_number=DEMO_NUMBER
        )
        options = CallOptions(**{**vars(options), "artifacts_dir": self.artifacts})
        return await run_call(scenario=load_scenario(scenario), options=options, voice=self.voice)

    async def reported(self, call_sid: str) -> bool:
        call = await calls.get_call_by_sid(self.db, call_sid)
        return call is not None and call.reported_at is not None

    async def drained(self) -> dict[str, Any]:
        async def idle() -> dict[str, Any] | None:
            status = await self.stack.worker_status()
            outbox = (status or {}).get("report_outbox") or {}
            empty = status is not None and status.get("post_call_pending") == 0 and outbox.get("pending") == 0
            return status if empty else None

        return await until(idle, REPORT_TIMEOUT_S, "the worker to deliver every report")

    async def run_soak(
        self, *, calls_total: int, concurrency: int, minutes: float, scenarios: list[str]
    ) -> dict[str, Any]:
        status = await self.stack.wait_ready()
        pid = int(status["pid"])
        rss = [rss_mb(pid)]
        dropped_before = int(status["frames"]["dropped"])
        results: list[CallResult] = []
        deadline = time.monotonic() + minutes * 60
        queue = iter(range(calls_total))

        async def caller() -> None:
            for index in queue:
                if time.monotonic() > deadline:
                    return
                results.append(await self.call(scenarios[index % len(scenarios)]))
                rss.append(rss_mb(pid))

        started = time.monotonic()
        await asyncio.gather(*(caller() for _ in range(concurrency)))
        final = await self.drained()
        streamed = [r for r in results if r.outcome in STREAMED]
        lost = [r.call_sid for r in streamed if not await self.reported(r.call_sid)]
        errors = [f"{r.call_sid}: {r.outcome} {r.detail}".strip() for r in results if r.outcome not in STREAMED]
        errors += [f"{r.call_sid}: protocol error {e}" for r in results for e in r.protocol_errors]
        return {
            "calls": len(results),
            "concurrency": concurrency,
            "minutes": round((time.monotonic() - started) / 60, 2),
            "outcomes": dict(Counter(r.outcome for r in results)),
            "errors": len(errors),
            # The agent did not end the call within the scenario's linger (the caller hung up): slow, not broken.
            "agent_did_not_end": sum(r.outcome in UNFINISHED for r in results),
            "error_details": errors,
            "reports_lost": len(lost),
            "lost_call_sids": lost,
            "frames_sent": sum(r.frames_sent for r in results),
            "frames_dropped": int(final["frames"]["dropped"]) - dropped_before,
            "worker_rss_mb": {"start": round(rss[0], 1), "end": round(rss[-1], 1), "peak": round(max(rss), 1)},
            "worker_rss_slope_mb_per_call": None if slope(rss) is None else round(slope(rss) or 0.0, 2),
        }
