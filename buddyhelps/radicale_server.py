"""A real CalDAV server (Radicale, from PyPI; a dev dependency) on a free loopback port with a storage folder
and one account: what the CalDAV calendar tests book into, and what a demo scenario with `calendar = "caldav"`
points its business at."""

from __future__ import annotations

import importlib.util
import secrets
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import caldav

READY_TIMEOUT_S = 30.0
STOP_GRACE_S = 5.0


class RadicaleUnavailable(RuntimeError):
    pass


@dataclass
class RadicaleServer:
    url: str
    username: str
    password: str = field(repr=False)
    process: subprocess.Popen[bytes]
    log: Path

    def calendar_url(self, name: str) -> str:
        return f"{self.url}/{self.username}/{name}/"

    def new_calendar(self, prefix: str = "visits") -> str:
        """A new, empty calendar collection; returns its URL."""
        name = f"{prefix}-{secrets.token_hex(4)}"
        dav: Any = caldav  # its DAVClient is built at import time, which mypy cannot follow
        account = {"username": self.username, "password": self.password}
        with dav.DAVClient(self.url + "/", require_tls=False, **account) as client:
            client.principal().make_calendar(name=name, cal_id=name)
        return self.calendar_url(name)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=STOP_GRACE_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def start_radicale(root: Path) -> RadicaleServer:
    """Start Radicale with htpasswd (plain) auth and wait until its port accepts connections."""
    username, password = "plumber", secrets.token_urlsafe(12)
    users = root / "users"
    users.write_text(f"{username}:{password}\n")
    port = free_port()
    log = root / "radicale.log"
    if importlib.util.find_spec("radicale") is None:
        raise RadicaleUnavailable("Radicale is not installed (a dev dependency: `make install` installs it)")
    command = [
        sys.executable,
        "-m",
        "radicale",
        f"--server-hosts=127.0.0.1:{port}",
        f"--storage-filesystem-folder={root / 'collections'}",
        "--auth-type=htpasswd",
        f"--auth-htpasswd-filename={users}",
        "--auth-htpasswd-encryption=plain",
        "--auth-delay=0",  # a wrong password answers at once (the default waits a second)
        "--logging-level=warning",
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603 - our own argv
    server = RadicaleServer(f"http://127.0.0.1:{port}", username, password, process, log)
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RadicaleUnavailable(f"radicale exited: {log.read_text()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.1)
    server.stop()
    raise RadicaleUnavailable(f"radicale did not listen within {READY_TIMEOUT_S:.0f} s: {log.read_text()[-2000:]}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port
