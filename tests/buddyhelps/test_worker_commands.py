"""`buddyhelps worker ...`: the worker pool, and deploy-runpod against the real runpod SDK talking to
a local fake of RunPod's GraphQL API (the SDK reads RUNPOD_API_BASE_URL at each call)."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from buddyhelps.cli import main

WEBHOOK_SECRET = "w" * 40
TWILIO_TOKEN = "0123456789abcdef0123456789abcdef"
WORKER_TOKEN = "t" * 40
API_KEY = "rp_test_key"
IMAGE_V1 = "ghcr.io/example/buddyhelps-worker:1"
IMAGE_V2 = "ghcr.io/example/buddyhelps-worker:2"


@dataclass
class FakeRunPod:
    pods: list[dict[str, Any]] = field(default_factory=list)
    queries: list[str] = field(default_factory=list)
    authorizations: list[str] = field(default_factory=list)
    next_id: int = 1

    def answer(self, query: str) -> dict[str, Any]:
        if "podFindAndDeployOnDemand" in query:
            pod = {
                "id": f"pod{self.next_id:03d}",
                "name": re.search(r'name: "([^"]*)"', query).group(1),  # type: ignore[union-attr]
                "imageName": re.search(r'imageName: "([^"]*)"', query).group(1),  # type: ignore[union-attr]
                "desiredStatus": "RUNNING",
            }
            self.next_id += 1
            self.pods.append(pod)
            return {"podFindAndDeployOnDemand": {**pod, "env": [], "machineId": "m1", "machine": {"podHostId": "h"}}}
        if "podResume" in query:
            pod_id = re.search(r'podId: "([^"]*)"', query).group(1)  # type: ignore[union-attr]
            for pod in self.pods:
                if pod["id"] == pod_id:
                    pod["desiredStatus"] = "RUNNING"
            return {"podResume": {"id": pod_id, "desiredStatus": "RUNNING"}}
        if "podTerminate" in query:
            pod_id = re.search(r'podId: "([^"]*)"', query).group(1)  # type: ignore[union-attr]
            self.pods = [pod for pod in self.pods if pod["id"] != pod_id]
            return {"podTerminate": None}
        if "gpuTypes" in query:
            known = "NVIDIA L40S" in query
            return {"gpuTypes": [{"id": "NVIDIA L40S", "displayName": "L40S", "memoryInGb": 48}] if known else []}
        if "myself" in query:
            return {"myself": {"pods": self.pods}}
        raise AssertionError(f"unexpected query: {query}")

    def mutations(self, name: str) -> list[str]:
        return [query for query in self.queries if name in query]


@pytest.fixture
def runpod_api(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeRunPod]:
    fake = FakeRunPod()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            fake.queries.append(body["query"])
            fake.authorizations.append(self.headers.get("Authorization", ""))
            payload = json.dumps({"data": fake.answer(body["query"])}).encode()
            self.send_response(200 if self.path == "/graphql" else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("RUNPOD_API_BASE_URL", f"http://127.0.0.1:{server.server_address[1]}")
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def operator_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The operator's shell: production database and secrets, the edge's URL, a RunPod key."""
    monkeypatch.delenv("BUDDYHELPS_SECRETS_ARN", raising=False)
    monkeypatch.setenv("BUDDYHELPS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TURSO_DATABASE_URL", f"file:{tmp_path / 'pool.db'}")
    monkeypatch.setenv("DASHBOARD_WEBHOOK_SECRET", WEBHOOK_SECRET)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", TWILIO_TOKEN)
    monkeypatch.setenv("WORKER_API_TOKEN", WORKER_TOKEN)
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://abc123.execute-api.us-east-1.amazonaws.com")
    monkeypatch.setenv("RUNPOD_API_KEY", API_KEY)
    return tmp_path


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def worker_rows(capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    code, out, _ = run_cli(capsys, "worker", "list")
    assert code == 0
    return {line.split()[0]: line for line in out.splitlines()[1:]}


def test_given_no_pod_when_deploying_then_a_gpu_pod_is_created_and_registered_as_a_worker(
    operator_env: Path, runpod_api: FakeRunPod, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(capsys, "worker", "deploy-runpod", "--image", IMAGE_V1, "--capacity", "6")

    assert code == 0, err
    assert "pod pod001 created" in out
    create = runpod_api.mutations("podFindAndDeployOnDemand")
    assert len(create) == 1
    assert 'ports: "8001/http"' in create[0]
    assert 'gpuTypeId: "NVIDIA L40S"' in create[0]
    assert '{ key: "BUDDYHELPS_ENV", value: "production" }' in create[0]
    assert '{ key: "FUNCTIONS_BASE_URL", value: "https://abc123.execute-api.us-east-1.amazonaws.com" }' in create[0]
    assert '{ key: "PORT", value: "8001" }' in create[0]
    assert set(runpod_api.authorizations) == {f"Bearer {API_KEY}"}
    rows = worker_rows(capsys)
    assert "https://pod001-8001.proxy.runpod.net" in rows["runpod-pod001"]
    assert "/6" in rows["runpod-pod001"]
    assert f'{{ key: "WORKER_API_TOKEN", value: "{WORKER_TOKEN}" }}' in create[0]
    assert WEBHOOK_SECRET not in out
    assert TWILIO_TOKEN not in out
    assert WORKER_TOKEN not in out


def test_given_the_pod_already_runs_the_image_when_deploying_again_then_nothing_is_created(
    operator_env: Path, runpod_api: FakeRunPod, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(capsys, "worker", "deploy-runpod", "--image", IMAGE_V1)[0] == 0

    code, out, _ = run_cli(capsys, "worker", "deploy-runpod", "--image", IMAGE_V1)

    assert code == 0
    assert "pod pod001 unchanged" in out
    assert len(runpod_api.mutations("podFindAndDeployOnDemand")) == 1
    assert list(worker_rows(capsys)) == ["runpod-pod001"]


def test_given_a_stopped_pod_of_the_image_when_deploying_then_it_is_resumed(
    operator_env: Path, runpod_api: FakeRunPod, capsys: pytest.CaptureFixture[str]
) -> None:
    runpod_api.pods.append(
        {"id": "podold", "name": "buddyhelps-worker", "imageName": IMAGE_V1, "desiredStatus": "EXITED"}
    )

    code, out, _ = run_cli(capsys, "worker", "deploy-runpod", "--image", IMAGE_V1)

    assert code == 0
    assert "pod podold resumed" in out
    assert runpod_api.mutations("podResume")
    assert not runpod_api.mutations("podFindAndDeployOnDemand")
    assert "https://podold-8001.proxy.runpod.net" in worker_rows(capsys)["runpod-podold"]


def test_given_a_new_image_when_deploying_then_the_old_pod_drains_and_can_be_terminated(
    operator_env: Path, runpod_api: FakeRunPod, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(capsys, "worker", "deploy-runpod", "--image", IMAGE_V1)[0] == 0

    code, out, _ = run_cli(capsys, "worker", "deploy-runpod", "--image", IMAGE_V2)

    assert code == 0
    assert "pod pod002 created" in out
    assert "buddyhelps worker remove runpod-pod001 --terminate-pod" in out
    rows = worker_rows(capsys)
    assert "draining" in rows["runpod-pod001"]
    assert "draining" not in rows["runpod-pod002"]

    code, out, _ = run_cli(capsys, "worker", "remove", "runpod-pod001", "--terminate-pod")

    assert code == 0
    assert [pod["id"] for pod in runpod_api.pods] == ["pod002"]
    assert list(worker_rows(capsys)) == ["runpod-pod002"]


def test_given_development_secrets_when_deploying_then_it_refuses_before_calling_runpod(
    operator_env: Path, runpod_api: FakeRunPod, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DASHBOARD_WEBHOOK_SECRET")
    monkeypatch.delenv("WORKER_API_TOKEN")

    code, _, err = run_cli(capsys, "worker", "deploy-runpod", "--image", IMAGE_V1)

    assert code == 1
    assert "DASHBOARD_WEBHOOK_SECRET is the development placeholder" in err
    assert "WORKER_API_TOKEN is the development placeholder" in err
    assert runpod_api.queries == []


def test_given_a_value_runpod_cannot_carry_when_deploying_then_it_refuses(
    operator_env: Path, runpod_api: FakeRunPod, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(capsys, "worker", "deploy-runpod", "--image", IMAGE_V1, "--env", 'LLM_MODEL=a"b')

    assert code == 1
    assert "LLM_MODEL contains a quote" in err
    assert runpod_api.queries == []


def test_given_no_runpod_key_when_deploying_then_it_says_so(
    operator_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RUNPOD_API_KEY")

    code, _, err = run_cli(capsys, "worker", "deploy-runpod", "--image", IMAGE_V1)

    assert (code, err.strip()) == (1, "error: RUNPOD_API_KEY is not set")


def test_given_a_worker_url_when_added_drained_and_removed_then_the_list_follows(
    operator_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(capsys, "worker", "add", "https://worker.example.com/", "--capacity", "2", "--id", "gpu-a")
    assert code == 0
    assert "worker gpu-a at https://worker.example.com (capacity 2)" in out
    assert "unhealthy" in worker_rows(capsys)["gpu-a"]  # until its /health is seen

    assert run_cli(capsys, "worker", "drain", "gpu-a")[0] == 0
    assert "draining" in worker_rows(capsys)["gpu-a"]
    assert run_cli(capsys, "worker", "drain", "gpu-a", "--undo")[0] == 0
    assert "draining" not in worker_rows(capsys)["gpu-a"]

    assert run_cli(capsys, "worker", "remove", "gpu-a")[0] == 0
    assert worker_rows(capsys) == {}


def test_given_unknown_ids_or_bad_urls_then_commands_fail_clearly(
    operator_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(capsys, "worker", "drain", "nope")[2].strip() == "error: no worker nope"
    assert run_cli(capsys, "worker", "remove", "nope")[2].strip() == "error: no worker nope"
    code, _, err = run_cli(capsys, "worker", "add", "worker.example.com")
    assert code == 1
    assert "must start with http:// or https://" in err
