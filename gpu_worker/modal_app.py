"""The worker on Modal: a GPU class serving the one worker server (`gpu_worker.server.create_app`).

    modal deploy gpu_worker/modal_app.py       # needs `modal token new` and the secret below
    buddyhelps worker add https://WORKSPACE--buddyhelps-worker-worker-web.modal.run --capacity N

- Each Twilio media stream is one long-lived WebSocket, i.e. one Modal input for the whole call, so
  `@modal.concurrent(max_inputs=MAX_CALLS_PER_CONTAINER)` is the worker's capacity and the function
  timeout (`CONTAINER_TIMEOUT_S`) must exceed the longest call.
- `min_containers` keeps one container warm: a cold GPU container (model load + warm-up) takes far
  longer than Twilio lets a caller wait.
- Weights are baked into the image at build time (`bake_weights`), so a container starts offline.
- The report outbox is on the Modal Volume `buddyhelps-worker-outbox` (OUTBOX_VOLUME), not /tmp.
- Secrets (TURSO_*, DASHBOARD_WEBHOOK_SECRET, WORKER_API_TOKEN, TWILIO_*, FUNCTIONS_BASE_URL,
  PUBLIC_BASE_URL) come from the Modal secret `buddyhelps-worker` as environment variables. The app's
  URL is public: WORKER_API_TOKEN (the functions' value) guards every route but /health and the stream.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import modal

log = logging.getLogger(__name__)

APP_NAME = "buddyhelps-worker"
SECRET_NAME = "buddyhelps-worker"  # noqa: S105 - the name of a Modal secret, not a secret
GPU = "L40S"
MAX_CALLS_PER_CONTAINER = 4
# The session ends any call at MAX_CALL_SECONDS (a setting, 30 min by default: the agent says a closing
# line and hangs up); the container's timeout is set above it so a call never outlives its container.
LONGEST_CALL_S = 30 * 60
CONTAINER_TIMEOUT_S = LONGEST_CALL_S + 10 * 60
MIN_CONTAINERS = 1
MAX_CONTAINERS = 4
SCALEDOWN_WINDOW_S = 15 * 60
MODELS_ROOT = "/models"
# The report outbox lives on a Modal Volume: a container that crashes or is replaced leaves its
# undelivered reports there, and the next container (any of them: they share the folder) delivers
# them; /api/call-complete is idempotent by call sid, so two containers delivering one report store it
# once. Modal commits a Volume in the background every few seconds and on shutdown: only a hard crash
# within those seconds of a report being written can lose it (the call's live transcript is already
# in the database, and /stream-end keeps it).
OUTBOX_VOLUME = "buddyhelps-worker-outbox"
OUTBOX_MOUNT = "/outbox"
# Weights baked in at build time (the same as gpu_worker/Dockerfile's build arguments).
STT_REPO = "mobiuslabsgmbh/faster-whisper-large-v3-turbo"
LLM_REPO = "Qwen/Qwen2.5-3B-Instruct"
TTS_REPO = "hexgrad/Kokoro-82M"
GPU_ENVIRONMENT = {
    "BUDDYHELPS_ENV": "production",
    "BUDDYHELPS_MODELS_DIR": f"{MODELS_ROOT}/bundled",
    "BUDDYHELPS_DATA_DIR": OUTBOX_MOUNT,  # the report outbox, on the Volume: it outlives the container
    "STT_DEVICE": "cuda",
    "STT_MODEL": f"{MODELS_ROOT}/faster-whisper-large-v3-turbo",
    "LLM_BACKEND": "vllm",
    "LLM_MODEL": f"{MODELS_ROOT}/Qwen2.5-3B-Instruct",
    "TTS_BACKEND": "kokoro-torch",
    "HF_HOME": f"{MODELS_ROOT}/hf-cache",
    "HF_HUB_OFFLINE": "1",
    "WORKER_CAPACITY": str(MAX_CALLS_PER_CONTAINER),
}
ROOT = Path(__file__).resolve().parent.parent


def worker_requirements(pyproject: Path = ROOT / "pyproject.toml", group: str = "gpu") -> list[str]:
    """The requirements of an optional group with `buddyhelps[...]` references expanded."""
    project = tomllib.loads(pyproject.read_text("utf-8"))["project"]
    groups: dict[str, list[str]] = project["optional-dependencies"]
    found: list[str] = list(project["dependencies"])
    pending = [group]
    seen: set[str] = set()
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        for requirement in groups[name]:
            match = re.fullmatch(r"buddyhelps\[([a-z0-9,-]+)\]", requirement.replace(" ", ""))
            if match:
                pending.extend(match.group(1).split(","))
            elif requirement not in found:
                found.append(requirement)
    return found


def bake_weights() -> None:
    """Run inside the image at build time: download every model the GPU worker loads."""
    os.environ["HF_HOME"] = GPU_ENVIRONMENT["HF_HOME"]  # the build's own environment, not the app's
    from huggingface_hub import snapshot_download

    from gpu_worker.models.model_files import MODEL_FILES, prepare_models

    snapshot_download(STT_REPO, local_dir=GPU_ENVIRONMENT["STT_MODEL"])
    snapshot_download(
        LLM_REPO,
        local_dir=GPU_ENVIRONMENT["LLM_MODEL"],
        allow_patterns=["*.json", "*.safetensors", "*.txt", "*.model"],
    )
    snapshot_download(TTS_REPO)
    smart_turn = [f for f in MODEL_FILES if f.relative.startswith("smart-turn/")]
    prepare_models(Path(GPU_ENVIRONMENT["BUDDYHELPS_MODELS_DIR"]), plan=smart_turn)
    # Kokoro's pipeline fetches its voice and misaki's spaCy model on first use: use it once here.
    from kokoro import KPipeline

    for _ in KPipeline(lang_code="a", device="cpu")("Thanks for calling.", voice="af_heart"):
        pass


image = (
    modal.Image.from_registry("nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04", add_python="3.11")
    .apt_install("espeak-ng", "libsndfile1")
    .uv_pip_install(*worker_requirements(), "huggingface_hub>=0.24")
    .add_local_python_source("shared", "gpu_worker", copy=True)
    .run_function(bake_weights)
    .env(GPU_ENVIRONMENT)  # after the bake: HF_HUB_OFFLINE=1 keeps containers off the hub
)

app = modal.App(APP_NAME)
outbox_volume = modal.Volume.from_name(OUTBOX_VOLUME, create_if_missing=True)


def container_overrides(environ: Mapping[str, str]) -> dict[str, str]:
    """The worker id from Modal's task id (one per container), unless WORKER_ID is given."""
    task_id = environ.get("MODAL_TASK_ID", "").strip()
    if task_id and not environ.get("WORKER_ID"):
        return {"WORKER_ID": f"modal-{task_id}"}
    return {}


@app.cls(
    image=image,
    gpu=GPU,
    secrets=[modal.Secret.from_name(SECRET_NAME)],
    volumes={OUTBOX_MOUNT: outbox_volume},
    min_containers=MIN_CONTAINERS,
    max_containers=MAX_CONTAINERS,
    timeout=CONTAINER_TIMEOUT_S,
    scaledown_window=SCALEDOWN_WINDOW_S,
)
@modal.concurrent(max_inputs=MAX_CALLS_PER_CONTAINER)
class Worker:
    """One GPU container: models loaded once, then up to MAX_CALLS_PER_CONTAINER calls at a time."""

    @modal.enter()
    def load(self) -> None:
        from gpu_worker.models.model_loader import load_models
        from shared.settings import load_settings
        from shared.structured_logging import configure_logging

        self.settings = load_settings(**container_overrides(os.environ))
        configure_logging(self.settings.log_level)
        self.models: Any = None
        if self.settings.llm_backend == "vllm":
            # vLLM's async engine belongs to the event loop it first runs on, so it must load on the
            # loop that serves the calls: the app's lifespan does that, before the first input.
            log.info("models load in the app lifespan (vLLM)")
        else:
            self.models = asyncio.run(load_models(self.settings))

    @modal.asgi_app()
    def web(self) -> Any:
        from gpu_worker.server import create_app

        return create_app(self.settings, self.models)
