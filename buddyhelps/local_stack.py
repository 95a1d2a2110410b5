"""The functions and the worker running on loopback as a separate process (`buddyhelps serve`).

`make demo`, `buddyhelps bench` and the end-to-end tests start it, wait until both sides say they are
ready, use it, and stop it.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

import httpx


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
    ) -> None:
        self.functions_url = f"http://127.0.0.1:{functions_port}"
        self.worker_url = f"http://127.0.0.1:{worker_port}"
        self._ports = (functions_port, worker_port)
        self._env = {**os.environ, **(env or {})}
        self._log_path = log_path
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self._log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self._log_path.open("wb")
        command = [
            sys.executable,
            "-m",
            "buddyhelps.cli",
            "serve",
            "--functions-port",
            str(self._ports[0]),
            "--worker-port",
            str(self._ports[1]),
        ]
        # A new process group, so stopping it also stops the worker child it starts.
        self._process = subprocess.Popen(  # noqa: S603 - our own CLI
            command,
            env=self._env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    async def wait_ready(self, *, timeout_s: float = 240.0) -> dict[str, object]:
        """Wait (bounded) for /healthz and the worker's /health to report ready; returns the worker's health."""
        deadline = time.monotonic() + timeout_s
        async with httpx.AsyncClient(timeout=2.0) as client:
            while time.monotonic() < deadline:
                if self._process is not None and self._process.poll() is not None:
                    raise StackFailed(
                        f"`buddyhelps serve` exited with {self._process.returncode}; see {self._log_path}"
                    )
                health = await self._probe(client)
                if health is not None:
                    return health
                await asyncio.sleep(0.5)  # waiting on another process to boot: nothing to await but time
        raise StackFailed(f"not ready after {timeout_s:.0f} s; see {self._log_path}")

    async def _probe(self, client: httpx.AsyncClient) -> dict[str, object] | None:
        try:
            edge = await client.get(self.functions_url + "/healthz")
            worker = await client.get(self.worker_url + "/health")
        except httpx.HTTPError:
            return None  # not listening yet
        if edge.status_code == 200 and worker.status_code == 200 and worker.json().get("ready"):
            health: dict[str, object] = worker.json()
            return health
        return None

    def stop(self) -> None:
        if self._process is None or self._process.poll() is not None:
            return
        os.killpg(self._process.pid, signal.SIGTERM)
        try:
            self._process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self._process.pid, signal.SIGKILL)
            self._process.wait(timeout=5)

    async def __aenter__(self) -> LocalStack:
        self.start()
        try:
            await self.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()
