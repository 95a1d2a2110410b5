"""The Pipecat peer (bench_peer/pipecat_peer.py) as a separate process on loopback, in its own venv.

`scripts/pipecat_peer_venv.sh` builds `.venv-pipecat` (pipecat-ai 1.14.0 from PyPI); this starts the
peer with the same model files, business prompt, greeting and voice as our worker, waits until it
answers /health, and stops it.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import time
from pathlib import Path
from types import TracebackType

import httpx

REPO_ROOT = Path(__file__).resolve().parents[2]
PEER_SCRIPT = REPO_ROOT / "bench_peer" / "pipecat_peer.py"
PEER_PYTHON = REPO_ROOT / ".venv-pipecat" / "bin" / "python"
VENV_SCRIPT = REPO_ROOT / "scripts" / "pipecat_peer_venv.sh"


class PeerUnavailable(RuntimeError):
    """The peer could not be built or started; the message says what to run or where its log is."""


def build_peer_venv() -> None:
    """Build (or confirm) .venv-pipecat; a no-op when it is already built for the same pins."""
    done = subprocess.run(["bash", str(VENV_SCRIPT)], capture_output=True, text=True, check=False)  # noqa: S603, S607
    if done.returncode != 0:
        raise PeerUnavailable(f"{VENV_SCRIPT.name} failed: {done.stderr.strip()[-500:]}")


class PipecatPeer:
    def __init__(
        self,
        *,
        port: int,
        llm_port: int,
        models_dir: Path,
        system_prompt: str,
        greeting: str,
        voice: str,
        threads: int,
        work_dir: Path,
    ) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self._port, self._llm_port, self._threads = port, llm_port, threads
        self._config = {
            "models_dir": str(models_dir.resolve()),
            "system_prompt": system_prompt,
            "greeting": greeting,
            "voice": voice,
        }
        self._work_dir = work_dir
        self._process: subprocess.Popen[bytes] | None = None
        self.pid = 0

    @property
    def log_path(self) -> Path:
        return self._work_dir / "pipecat-peer.log"

    def start(self) -> None:
        if not PEER_PYTHON.exists():
            raise PeerUnavailable(f"{PEER_PYTHON} missing: run `bash {VENV_SCRIPT.relative_to(REPO_ROOT)}`")
        self._work_dir.mkdir(parents=True, exist_ok=True)
        config_path = self._work_dir / "pipecat-peer.json"
        config_path.write_text(json.dumps(self._config), encoding="utf-8")
        command = [
            str(PEER_PYTHON),
            str(PEER_SCRIPT),
            "--config",
            str(config_path),
            "--port",
            str(self._port),
            "--llm-port",
            str(self._llm_port),
            "--threads",
            str(self._threads),
        ]
        # No hub can be reached here: make the libraries say so at once instead of retrying.
        env = {**os.environ, "HF_HUB_OFFLINE": "1"}
        with self.log_path.open("wb") as log:
            self._process = subprocess.Popen(  # noqa: S603 - our own peer script
                command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.pid = self._process.pid

    async def wait_ready(self, *, timeout_s: float = 120.0) -> None:
        deadline = time.monotonic() + timeout_s
        async with httpx.AsyncClient(timeout=2.0) as client:
            while time.monotonic() < deadline:
                if self._process is not None and self._process.poll() is not None:
                    raise PeerUnavailable(
                        f"the Pipecat peer exited with {self._process.returncode}; see {self.log_path}"
                    )
                if await self._answers(client):
                    return
                await asyncio.sleep(0.5)  # another process is booting: nothing to await but time
        raise PeerUnavailable(f"the Pipecat peer was not ready after {timeout_s:.0f} s; see {self.log_path}")

    async def _answers(self, client: httpx.AsyncClient) -> bool:
        try:
            return (await client.get(self.url + "/health")).status_code == 200
        except httpx.HTTPError:
            return False  # not listening yet

    def stop(self) -> None:
        if self._process is None or self._process.poll() is not None:
            return
        os.killpg(self._process.pid, signal.SIGTERM)
        try:
            self._process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self._process.pid, signal.SIGKILL)
            self._process.wait(timeout=5)

    async def __aenter__(self) -> PipecatPeer:
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
