"""The RunPod entry point: the worker server under uvicorn on the pod's port, answering /health."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

try:
    from gpu_worker import runpod_entry
except ImportError as error:  # the worker server is written in parallel; say so rather than fail
    pytest.skip(f"gpu_worker.server cannot be imported yet: {error}", allow_module_level=True)

from shared.settings import load_settings
from tests.gpu_worker.fake_stages import fake_models

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def get_health(port: int) -> tuple[int, dict[str, Any]]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def test_given_a_pod_id_when_no_worker_id_is_set_then_the_worker_is_named_like_its_registration() -> None:
    assert runpod_entry.pod_overrides({"RUNPOD_POD_ID": "abc123"}) == {"WORKER_ID": "runpod-abc123"}
    assert runpod_entry.pod_overrides({"RUNPOD_POD_ID": "abc123", "WORKER_ID": "mine"}) == {}
    assert runpod_entry.pod_overrides({}) == {}


def test_given_the_pod_environment_then_the_server_listens_on_its_port_on_every_interface() -> None:
    assert runpod_entry.listen_address({}) == ("0.0.0.0", 8001)
    assert runpod_entry.listen_address({"PORT": "9000", "HOST": "127.0.0.1"}) == ("127.0.0.1", 9000)
    with pytest.raises(ValueError, match="PORT must be a number"):
        runpod_entry.listen_address({"PORT": "http"})
    with pytest.raises(ValueError, match="between 1 and 65535"):
        runpod_entry.listen_address({"PORT": "70000"})


def test_given_a_bad_port_when_the_entry_point_runs_then_it_exits_with_the_reason(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert runpod_entry.main([], {"PORT": "eighty"}) == 2
    assert "PORT must be a number" in capsys.readouterr().err


@pytest.fixture
def running_server(tmp_path: Path) -> Iterator[int]:
    port = free_port()
    settings = load_settings(BUDDYHELPS_DATA_DIR=tmp_path / "data", WORKER_ID="runpod-testpod", WORKER_CAPACITY=3)
    server = runpod_entry.build_server(
        settings, host="127.0.0.1", port=port, models=fake_models(caller_lines=["hello"])
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def test_given_loaded_models_when_the_pod_server_runs_then_health_reports_ready(running_server: int) -> None:
    deadline = time.monotonic() + 30
    status, health = get_health(running_server)
    while status != 200 and time.monotonic() < deadline:
        time.sleep(0.1)
        status, health = get_health(running_server)

    assert status == 200
    assert health["ready"] is True
    assert health["worker_id"] == "runpod-testpod"
    assert health["capacity"] == 3


@pytest.mark.slow
def test_given_the_real_cpu_models_when_the_entry_module_runs_then_health_turns_ready_and_sigterm_stops_it(
    tmp_path: Path,
) -> None:
    models_dir = ROOT / ".models"
    if not (models_dir / "smart-turn").is_dir():
        pytest.skip(f"{models_dir} is not prepared (make models)")
    port = free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "RUNPOD_POD_ID": "cpupod",
        "BUDDYHELPS_MODELS_DIR": str(models_dir),
        "BUDDYHELPS_DATA_DIR": str(tmp_path / "data"),
    }
    env.pop("WORKER_ID", None)
    env.pop("BUDDYHELPS_SECRETS_ARN", None)
    log_path = tmp_path / "worker.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gpu_worker.runpod_entry"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 240
        status = 0
        health: dict[str, Any] = {}
        while time.monotonic() < deadline and process.poll() is None:
            try:
                status, health = get_health(port)
            except (urllib.error.URLError, ConnectionError):
                status = 0
            if status == 200:
                break
            time.sleep(0.5)
        assert status == 200, f"never ready; log:\n{log_path.read_text()[-3000:]}"
        assert health["ready"] is True
        assert health["worker_id"] == "runpod-cpupod"
        assert set(health["models"]) >= {"stt", "llm", "tts"}
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            code = process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
    # uvicorn finishes its graceful shutdown, then re-raises the SIGTERM it caught.
    assert code in (0, -signal.SIGTERM), log_path.read_text()[-3000:]
    assert "Application shutdown complete" in log_path.read_text()
