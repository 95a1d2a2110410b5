"""gpu_worker/Dockerfile: what cannot be built here (no Docker, no GPU) is at least checked for the
things a broken image would get wrong: the entry module, a non-root user, the health check, and the
same models and settings as the Modal image."""

from __future__ import annotations

import importlib.util
import re
import shlex
from pathlib import Path

from gpu_worker import modal_app
from shared.settings import load_settings

DOCKERFILE = Path(__file__).resolve().parents[2] / "gpu_worker" / "Dockerfile"


def instructions() -> list[tuple[str, str]]:
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    found = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            keyword, _, rest = stripped.partition(" ")
            found.append((keyword.upper(), rest.strip()))
    return found


def env_values() -> dict[str, str]:
    values: dict[str, str] = {}
    for keyword, rest in instructions():
        if keyword == "ENV":
            for pair in shlex.split(rest):
                key, _, value = pair.partition("=")
                values[key] = value
    return values


def arg_defaults() -> dict[str, str]:
    return dict(rest.split("=", 1) for keyword, rest in instructions() if keyword == "ARG" and "=" in rest)


def test_given_the_image_then_it_runs_the_runpod_entry_module_as_a_non_root_user() -> None:
    steps = instructions()
    cmd = [rest for keyword, rest in steps if keyword == "CMD"][-1]
    assert cmd == '["python", "-m", "gpu_worker.runpod_entry"]'
    assert importlib.util.find_spec("gpu_worker.runpod_entry") is not None
    user = [rest for keyword, rest in steps if keyword == "USER"][-1]
    assert user not in {"root", "0"}
    assert ("EXPOSE", "8001") in steps


def test_given_the_image_then_docker_checks_the_worker_health_endpoint() -> None:
    healthcheck = [rest for keyword, rest in instructions() if keyword == "HEALTHCHECK"]
    assert len(healthcheck) == 1
    assert "/health" in healthcheck[0]
    assert "--start-period=" in healthcheck[0]


def test_given_both_gpu_images_then_they_bake_and_select_the_same_models() -> None:
    assert arg_defaults() == {
        "STT_REPO": modal_app.STT_REPO,
        "LLM_REPO": modal_app.LLM_REPO,
        "TTS_REPO": modal_app.TTS_REPO,
    }
    env = env_values()
    shared_keys = set(modal_app.GPU_ENVIRONMENT) - {"BUDDYHELPS_DATA_DIR"}
    assert {key: env[key] for key in shared_keys} == {key: modal_app.GPU_ENVIRONMENT[key] for key in shared_keys}


def test_given_the_image_environment_and_the_pod_secrets_then_the_worker_settings_are_valid() -> None:
    env = {key: value for key, value in env_values().items() if key.isupper() and "$" not in value}
    pod_secrets = {
        "TWILIO_ACCOUNT_SID": "AC0123456789abcdef0123456789abcdef",
        "TWILIO_AUTH_TOKEN": "0123456789abcdef0123456789abcdef",
        "DASHBOARD_WEBHOOK_SECRET": "w" * 40,
        "WORKER_API_TOKEN": "t" * 40,
        "TURSO_DATABASE_URL": "libsql://buddyhelps-example.turso.io",
        "PUBLIC_BASE_URL": "https://abc.execute-api.us-east-1.amazonaws.com",
    }
    settings = load_settings(**env, **pod_secrets)
    assert settings.is_production
    assert (settings.llm_backend, settings.tts_backend, settings.stt_device) == ("vllm", "kokoro-torch", "cuda")
