"""The Modal app: imports offline, its image and limits fit a phone worker, and its class serves the
one worker server with real CPU models through Modal's local execution (`Cls().method.local()`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from gpu_worker import modal_app
from shared.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]


def test_given_the_gpu_group_when_expanded_then_the_image_gets_every_worker_requirement() -> None:
    requirements = modal_app.worker_requirements()
    names = {r.split("[")[0].split(">")[0].split("=")[0] for r in requirements}

    assert {"vllm", "kokoro", "faster-whisper", "uvicorn", "fastapi", "libsql-client"} <= names
    assert not [r for r in requirements if r.startswith("buddyhelps")]


def test_given_the_limits_then_a_call_never_outlives_its_container_and_capacity_matches_health() -> None:
    assert modal_app.CONTAINER_TIMEOUT_S > modal_app.LONGEST_CALL_S
    assert modal_app.GPU_ENVIRONMENT["WORKER_CAPACITY"] == str(modal_app.MAX_CALLS_PER_CONTAINER)
    assert modal_app.MIN_CONTAINERS >= 1


def test_given_the_image_environment_and_the_secret_then_production_settings_select_the_gpu_backends() -> None:
    secret = {
        "TWILIO_ACCOUNT_SID": "AC0123456789abcdef0123456789abcdef",
        "TWILIO_AUTH_TOKEN": "0123456789abcdef0123456789abcdef",
        "DASHBOARD_WEBHOOK_SECRET": "w" * 40,
        "WORKER_API_TOKEN": "t" * 40,
        "TURSO_DATABASE_URL": "libsql://buddyhelps-example.turso.io",
        "PUBLIC_BASE_URL": "https://abc.execute-api.us-east-1.amazonaws.com",
    }
    settings = load_settings(**modal_app.GPU_ENVIRONMENT, **secret)

    assert settings.is_production
    assert (settings.stt_device, settings.llm_backend, settings.tts_backend) == ("cuda", "vllm", "kokoro-torch")
    assert settings.worker_capacity == modal_app.MAX_CALLS_PER_CONTAINER
    # the session closes a call at MAX_CALL_SECONDS, before the container's timeout could cut it
    assert settings.max_call_seconds <= modal_app.LONGEST_CALL_S < modal_app.CONTAINER_TIMEOUT_S


def test_given_a_modal_task_when_no_worker_id_is_set_then_the_container_names_itself() -> None:
    assert modal_app.container_overrides({"MODAL_TASK_ID": "ta-01"}) == {"WORKER_ID": "modal-ta-01"}
    assert modal_app.container_overrides({"MODAL_TASK_ID": "ta-01", "WORKER_ID": "w"}) == {}


@pytest.mark.slow
def test_given_cpu_models_when_the_class_runs_locally_then_its_asgi_app_is_the_worker_and_reports_ready(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    try:
        import gpu_worker.server  # noqa: F401 - written in parallel; say so rather than fail
    except ImportError as error:
        pytest.skip(f"gpu_worker.server cannot be imported yet: {error}")
    models_dir = ROOT / ".models"
    if not (models_dir / "smart-turn").is_dir():
        pytest.skip(f"{models_dir} is not prepared (make models)")
    monkeypatch.setenv("BUDDYHELPS_MODELS_DIR", str(models_dir))
    monkeypatch.setenv("BUDDYHELPS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("MODAL_TASK_ID", "ta-local")
    monkeypatch.delenv("WORKER_ID", raising=False)
    monkeypatch.delenv("BUDDYHELPS_SECRETS_ARN", raising=False)

    app = modal_app.Worker().web.local()  # runs the @modal.enter() loader first

    with TestClient(app) as client:
        response = client.get("/health")
    assert response.status_code == 200, response.text
    health = response.json()
    assert health["ready"] is True
    assert health["worker_id"] == "modal-ta-local"
    assert set(health["models"]) >= {"stt", "llm", "tts", "vad", "turn"}
