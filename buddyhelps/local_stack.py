"""The functions and the worker running on loopback as a separate process (`buddyhelps serve`).

`make demo`, `buddyhelps bench` and the end-to-end tests start it, wait until both sides say they are
ready, use it, and stop it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from shared.settings import DEV_WORKER_API_TOKEN

STOP_GRACE_S = 20.0  # the worker itself exits within seconds of SIGTERM; this is the backstop


class StackFailed(RuntimeError):
    pass


class LocalStack:
    def __init__(
        self,
        *,
        functions_port: int = 8000,
        worker_port: int = 8001,
        env: dict[str, str] | None = None,
        log_path: Path = Path("artifacts/local-stack.log"),
        command: Sequence[str] | None = None,
        stop_grace_s: float = STOP_GRACE_S,
    ) -> None:
        """`command`: what to run instead of `buddyhelps serve` on these ports (tests)."""
        self.functions_url = f"http://127.0.0.1:{functions_port}"
        self.worker_url = f"http://127.0.0.1:{worker_port}"
        self._env = {**os.environ, **(env or {})}
        # The token the worker started with this environment checks (its Settings read the same variable).
        self.worker_api_token = self._env.get("WORKER_API_TOKEN") or DEV_WORKER_API_TOKEN
        self._log_path = log_path
        self._process: subprocess.Popen[bytes] | None = None
        self._stop_grace_s = stop_grace_s
        self._command = (
            list(command)
            if command is not None
            else [
                sys.executable,
                "-m",
                "buddyhelps.cli",
                "serve",
                "--functions-port",
                str(functions_port),
                "--worker-port",
                str(worker_port),
            ]
        )

    def start(self) -> None:
        self._log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self._log_path.open("wb")
        # A new process group, so stopping it also stops the worker child it starts.
        self._process = subprocess.Popen(  # noqa: S603 - our own CLI
            self._command,
            env=self._env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def process_group(self) -> int | None:
        """The stack's process group (its leader's pid), once started."""
        return self._process.pid if self._process is not None else None

    @property
    def _worker_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.worker_api_token}"}

    def worker_client(self, **options: Any) -> httpx.AsyncClient:
        """An HTTP client for the worker's protected routes (/status, /pipeline, /stt/stats...)."""
        return httpx.AsyncClient(base_url=self.worker_url, headers=self._worker_headers, **options)

    async def wait_ready(self, *, timeout_s: float = 240.0, lines: bool = True) -> dict[str, object]:
        """Wait (bounded) for /healthz and the worker to report ready; returns the worker's /status.
        `lines`: also until the agents' fixed lines are synthesized (the worker makes them in the background
        after it is ready), so a demo or a benchmark hears the steady state, not the warm-up."""
        deadline = time.monotonic() + timeout_s
        async with httpx.AsyncClient(timeout=2.0) as client:
            while time.monotonic() < deadline:
                if self._process is not None and self._process.poll() is not None:
                    raise StackFailed(
                        f"`buddyhelps serve` exited with {self._process.returncode}; see {self._log_path}"
                    )
                health = await self._probe(client)
                if health is not None and (not lines or not health.get("phrases_pending")):
                    return health
                await asyncio.sleep(0.5)  # waiting on another process to boot: nothing to await but time
        raise StackFailed(f"not ready after {timeout_s:.0f} s; see {self._log_path}")

    async def _probe(self, client: httpx.AsyncClient) -> dict[str, object] | None:
        """The worker's /status (health plus its pid, frames, outbox) once both sides are ready."""
        try:
            edge = await client.get(self.functions_url + "/healthz")
            worker = await client.get(self.worker_url + "/status", headers=self._worker_headers)
        except httpx.HTTPError:
            return None  # not listening yet
        if edge.status_code == 200 and worker.status_code == 200 and worker.json().get("ready"):
            status: dict[str, object] = worker.json()
            return status
        return None

    def stop(self) -> None:
        """SIGTERM the whole process group; whatever is left of it after the grace period gets SIGKILL.

        The group outlives its leader: the worker child must be gone too, even if `serve` exited first.
        """
        if self._process is None:
            return
        group = self._process.pid  # start_new_session: the group id is the leader's pid
        _signal_group(group, signal.SIGTERM)
        deadline = time.monotonic() + self._stop_grace_s
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._process.wait(timeout=self._stop_grace_s)
        # Other members of the group are not our children: nothing to wait on but their absence.
        while _group_alive(group) and time.monotonic() < deadline:
            time.sleep(0.1)
        if _group_alive(group):
            _signal_group(group, signal.SIGKILL)
        self._process.wait(timeout=5)
        kill_deadline = time.monotonic() + 5
        while _group_alive(group) and time.monotonic() < kill_deadline:
            time.sleep(0.05)  # SIGKILL is asynchronous: the kernel tears the processes down

    async def __aenter__(self) -> LocalStack:
        self.start()
        try:
            await self.wait_ready(lines=False)  # serving; callers wait for the warm lines as they need
        except BaseException:
            self.stop()
            raise
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()


def _signal_group(group: int, signum: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):  # every member has exited already
        os.killpg(group, signum)


def _group_alive(group: int) -> bool:
    """Whether a process of the group still runs. Zombies don't count: once killed, a member whose parent
    is gone waits for init to reap it, which some containers' init never does."""
    proc = Path("/proc")
    if not proc.is_dir():  # not Linux: ask the kernel, zombies included
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return False
        return True
    for stat in proc.glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # exited while we looked
        if int(fields[2]) == group and fields[0] != "Z":
            return True
    return False
