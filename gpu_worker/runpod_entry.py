"""The worker in a RunPod pod: the one worker server (`gpu_worker.server.create_app`) under uvicorn.

A media stream is a WebSocket that lives as long as the call, so a pod runs a plain long-lived HTTP
server on an exposed port (RunPod's proxy: https://POD_ID-PORT.proxy.runpod.net, WebSockets pass),
not a serverless queue handler. This is the image's CMD (gpu_worker/Dockerfile):

    python -m gpu_worker.runpod_entry          # PORT (default 8001), HOST (default 0.0.0.0)

The worker id defaults to `runpod-$RUNPOD_POD_ID` (RunPod sets that variable in every pod), the id
`buddyhelps worker deploy-runpod` registers the pod under. The report outbox lives on the pod's
volume (`volume_overrides`). On SIGTERM (pod stop, `LocalStack.stop`)
uvicorn stops accepting connections and closes the media sockets (their calls' reports go to the
outbox), gives what is left (a console's event stream, a /pipeline request) `GRACEFUL_SHUTDOWN_S`, then
cancels it: the process is gone within seconds, and undelivered reports wait in the outbox.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Mapping, Sequence

import uvicorn

from gpu_worker.models.stages import ModelSet
from gpu_worker.server import create_app
from shared.settings import Settings, load_settings
from shared.structured_logging import configure_logging

log = logging.getLogger(__name__)

DEFAULT_PORT = 8001
DEFAULT_VOLUME_PATH = "/workspace"
GRACEFUL_SHUTDOWN_S = 3  # without a bound, one open /events stream keeps a stopped worker alive forever
WEBSOCKET_MAX_BYTES = 1 << 20  # Twilio media frames are small; refuse anything absurd


def pod_overrides(environ: Mapping[str, str]) -> dict[str, str]:
    """Settings this platform adds: the worker id from the pod id, unless WORKER_ID is given."""
    pod_id = environ.get("RUNPOD_POD_ID", "").strip()
    if pod_id and not environ.get("WORKER_ID"):
        return {"WORKER_ID": f"runpod-{pod_id}"}
    return {}


def volume_overrides(environ: Mapping[str, str], *, is_dir: Callable[[str], bool] = os.path.isdir) -> dict[str, str]:
    """The report outbox on the pod's volume (RunPod mounts the volume disk or a network volume at
    RUNPOD_VOLUME_PATH, default /workspace), so reports outlive a restarted or replaced container; the
    container disk (/data in the image) is wiped with it."""
    volume = environ.get("RUNPOD_VOLUME_PATH", DEFAULT_VOLUME_PATH).rstrip("/")
    if environ.get("RUNPOD_POD_ID", "").strip() and volume and is_dir(volume):
        return {"BUDDYHELPS_DATA_DIR": f"{volume}/buddyhelps"}
    return {}


def listen_address(environ: Mapping[str, str]) -> tuple[str, int]:
    host = environ.get("HOST", "0.0.0.0")
    raw_port = environ.get("PORT", str(DEFAULT_PORT))
    try:
        port = int(raw_port)
    except ValueError:
        raise ValueError(f"PORT must be a number, got {raw_port!r}") from None
    if not 0 < port < 65536:
        raise ValueError(f"PORT must be between 1 and 65535, got {port}")
    return host, port


def build_server(
    settings: Settings, *, host: str, port: int, models: ModelSet | None = None, behind_proxy: bool = True
) -> uvicorn.Server:
    """The uvicorn server around the worker app; `models` skips loading (tests). `behind_proxy`: trust
    X-Forwarded-* (in a pod only RunPod's proxy reaches the port; `buddyhelps serve` has none)."""
    config = uvicorn.Config(
        create_app(settings, models),
        host=host,
        port=port,
        log_config=None,  # keep the JSON logging of configure_logging
        ws_max_size=WEBSOCKET_MAX_BYTES,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
        proxy_headers=behind_proxy,
        forwarded_allow_ips="*" if behind_proxy else None,
    )
    return uvicorn.Server(config)


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    environ = os.environ if environ is None else environ
    try:
        host, port = listen_address(environ)
        settings = load_settings(**pod_overrides(environ), **volume_overrides(environ))
    except ValueError as error:
        print(f"runpod_entry: {error}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level)
    log.info("starting worker", extra={"worker_id": settings.worker_id, "port": port})
    build_server(settings, host=host, port=port).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
