"""CLI: `buddyhelps worker list|add|drain|remove|deploy-runpod` — the pool of GPU workers.

Workers are rows of the `workers` table; /incoming-call sends each call to a healthy, non-draining
worker with room. `deploy-runpod` creates (or resumes) a RunPod GPU pod running the worker image,
whose server listens on an exposed HTTP port, and registers the pod's proxy URL
(https://POD_ID-PORT.proxy.runpod.net) as a worker. A new image gets a new pod; the pods of the old
image are marked draining, to be removed (`worker remove ID --terminate-pod`) once their calls end.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from buddyhelps.cli_database import Action, with_database
from shared.database import Database
from shared.repositories import workers
from shared.settings import DEV_WEBHOOK_SECRET, DEV_WORKER_API_TOKEN, Settings

log = logging.getLogger(__name__)

RUNPOD_WORKER_PREFIX = "runpod-"
DEFAULT_POD_NAME = "buddyhelps-worker"
DEFAULT_GPU_TYPE = "NVIDIA L40S"
FORBIDDEN_IN_POD_ENV = ('"', "\\", "\n", "\r")  # the SDK pastes values into GraphQL unescaped


class DeployError(RuntimeError):
    """A deployment that must not go ahead; the message says why."""


class RunPodApi(Protocol):
    """The part of the `runpod` SDK module used here (runpod 1.12)."""

    def get_pods(self, api_key: str | None = None) -> list[dict[str, Any]]: ...
    def create_pod(
        self, name: str, image_name: str, gpu_type_id: str | None = ..., **kwargs: Any
    ) -> dict[str, Any]: ...
    def resume_pod(self, pod_id: str, gpu_count: int) -> dict[str, Any]: ...
    def terminate_pod(self, pod_id: str) -> None: ...


@dataclass(frozen=True)
class PodSpec:
    image: str
    name: str = DEFAULT_POD_NAME
    gpu_type: str = DEFAULT_GPU_TYPE
    gpu_count: int = 1
    port: int = 8001
    capacity: int = 4
    cloud_type: str = "SECURE"
    container_disk_gb: int = 60
    extra_env: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Deployment:
    pod_id: str
    worker: workers.Worker
    action: str  # created | resumed | unchanged
    draining: tuple[str, ...]  # worker ids of pods of older images


def proxy_url(pod_id: str, port: int) -> str:
    return f"https://{pod_id}-{port}.proxy.runpod.net"


def pod_environment(settings: Settings, spec: PodSpec) -> dict[str, str]:
    """What the worker in the pod needs to start in production; refuses what would not work there."""
    functions_url = (settings.functions_base_url or settings.public_base_url).rstrip("/")
    problems = []
    if not settings.turso_database_url:
        problems.append("TURSO_DATABASE_URL is not set (a pod cannot reach a local database file)")
    if settings.dashboard_webhook_secret == DEV_WEBHOOK_SECRET:
        problems.append("DASHBOARD_WEBHOOK_SECRET is the development placeholder")
    if settings.worker_api_token == DEV_WORKER_API_TOKEN:
        problems.append("WORKER_API_TOKEN is the development placeholder (the pod's URL is public)")
    if not functions_url.startswith("https://"):
        problems.append("FUNCTIONS_BASE_URL (or PUBLIC_BASE_URL) must be the edge's https:// URL")
    if problems:
        raise DeployError("; ".join(problems))
    env = {
        "BUDDYHELPS_ENV": "production",
        "PORT": str(spec.port),
        "WORKER_CAPACITY": str(spec.capacity),
        "FUNCTIONS_BASE_URL": functions_url,
        "PUBLIC_BASE_URL": settings.public_base_url.rstrip("/"),
        "TURSO_DATABASE_URL": settings.turso_database_url or "",
        "DASHBOARD_WEBHOOK_SECRET": settings.dashboard_webhook_secret,
        "WORKER_API_TOKEN": settings.worker_api_token,
        "TWILIO_ACCOUNT_SID": settings.twilio_account_sid,
        "TWILIO_AUTH_TOKEN": settings.twilio_auth_token,
    }
    if settings.turso_auth_token:
        env["TURSO_AUTH_TOKEN"] = settings.turso_auth_token
    env.update(spec.extra_env)
    for key, value in env.items():
        if any(bad in value for bad in FORBIDDEN_IN_POD_ENV):
            raise DeployError(f"{key} contains a quote, backslash or newline, which RunPod's API cannot carry")
    return env


async def deploy_runpod(settings: Settings, db: Database, spec: PodSpec, api: RunPodApi) -> Deployment:
    """Create or resume the pod for `spec.image`, register it, and drain pods of other images."""
    env = pod_environment(settings, spec)
    pods = [pod for pod in api.get_pods(api_key=settings.runpod_api_key) if pod.get("name") == spec.name]
    current = [pod for pod in pods if pod.get("imageName") == spec.image]
    older = [pod for pod in pods if pod.get("imageName") != spec.image]
    if current and current[0].get("desiredStatus") == "RUNNING":
        pod_id, action = str(current[0]["id"]), "unchanged"
    elif current:
        pod_id, action = str(current[0]["id"]), "resumed"
        api.resume_pod(pod_id, spec.gpu_count)
    else:
        created = api.create_pod(
            spec.name,
            spec.image,
            spec.gpu_type,
            cloud_type=spec.cloud_type,
            gpu_count=spec.gpu_count,
            container_disk_in_gb=spec.container_disk_gb,
            ports=f"{spec.port}/http",
            env=env,
            start_ssh=False,
            support_public_ip=True,
        )
        pod_id, action = str(created["id"]), "created"
    worker = await workers.register_worker(
        db, base_url=proxy_url(pod_id, spec.port), capacity=spec.capacity, worker_id=RUNPOD_WORKER_PREFIX + pod_id
    )
    if worker.draining:
        await workers.set_draining(db, worker.id, False)
        worker = await workers.get_worker(db, worker.id) or worker
    draining = []
    for pod in older:
        old_id = RUNPOD_WORKER_PREFIX + str(pod["id"])
        if await workers.set_draining(db, old_id, True):
            draining.append(old_id)
    log.info("runpod worker deployed", extra={"pod_id": pod_id, "action": action, "worker_id": worker.id})
    return Deployment(pod_id=pod_id, worker=worker, action=action, draining=tuple(draining))


def _runpod_api(settings: Settings) -> RunPodApi:
    if not settings.runpod_api_key:
        raise DeployError("RUNPOD_API_KEY is not set")
    import runpod  # here: the SDK takes seconds to import and only this command needs it

    runpod.api_key = settings.runpod_api_key
    api: RunPodApi = runpod
    return api


# --- commands ---------------------------------------------------------------------------------


def _with_database(action: Action) -> Callable[[argparse.Namespace], int]:
    return with_database(action, expected=(DeployError,))


async def _list(db: Database, args: argparse.Namespace, settings: Settings) -> int:
    pool = await workers.list_workers(db)
    if not pool:
        print("no workers registered (add one: buddyhelps worker add URL)")
        return 0
    print(f"{'ID':<28} {'STATE':<9} {'CALLS':>5}/{'CAP':<3} {'LAST SEEN':<24} URL")
    for worker in pool:
        state = "draining" if worker.draining else ("healthy" if worker.healthy else "unhealthy")
        print(
            f"{worker.id:<28} {state:<9} {worker.active_calls:>5}/{worker.capacity:<3}"
            f" {worker.last_seen_at or '-':<24} {worker.base_url}"
        )
    return 0


async def _add(db: Database, args: argparse.Namespace, settings: Settings) -> int:
    worker = await workers.register_worker(db, base_url=args.url, capacity=args.capacity, worker_id=args.id)
    print(f"worker {worker.id} at {worker.base_url} (capacity {worker.capacity})")
    return 0


async def _drain(db: Database, args: argparse.Namespace, settings: Settings) -> int:
    if not await workers.set_draining(db, args.id, not args.undo):
        print(f"error: no worker {args.id}", file=sys.stderr)
        return 1
    print(f"worker {args.id} {'takes calls again' if args.undo else 'is draining: no new calls'}")
    return 0


async def _remove(db: Database, args: argparse.Namespace, settings: Settings) -> int:
    worker = await workers.get_worker(db, args.id)
    if worker is None:
        print(f"error: no worker {args.id}", file=sys.stderr)
        return 1
    if worker.active_calls > 0 and not args.force:
        print(
            f"error: worker {args.id} reports {worker.active_calls} active calls; drain it first"
            " (buddyhelps worker drain ID) or pass --force",
            file=sys.stderr,
        )
        return 1
    await workers.remove_worker(db, args.id)
    print(f"removed worker {args.id}")
    if args.terminate_pod:
        if not args.id.startswith(RUNPOD_WORKER_PREFIX):
            print(f"error: {args.id} is not a RunPod worker; nothing to terminate", file=sys.stderr)
            return 1
        pod_id = args.id.removeprefix(RUNPOD_WORKER_PREFIX)
        _runpod_api(settings).terminate_pod(pod_id)
        print(f"terminated RunPod pod {pod_id}")
    return 0


async def _deploy_runpod(db: Database, args: argparse.Namespace, settings: Settings) -> int:
    spec = PodSpec(
        image=args.image,
        name=args.name,
        gpu_type=args.gpu_type,
        gpu_count=args.gpu_count,
        port=args.port,
        capacity=args.capacity,
        cloud_type=args.cloud_type,
        container_disk_gb=args.container_disk_gb,
        extra_env=parse_env_pairs(args.env),
    )
    deployment = await deploy_runpod(settings, db, spec, _runpod_api(settings))
    print(f"pod {deployment.pod_id} {deployment.action}: {spec.image} on {spec.gpu_count}x {spec.gpu_type}")
    print(f"worker {deployment.worker.id} at {deployment.worker.base_url} (capacity {deployment.worker.capacity})")
    print("it takes calls once its /health reports ready (check: buddyhelps worker list)")
    for old in deployment.draining:
        print(f"draining {old} (older image): when its calls end, buddyhelps worker remove {old} --terminate-pod")
    return 0


def parse_env_pairs(pairs: Sequence[str]) -> dict[str, str]:
    env = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.isidentifier():
            raise DeployError(f"--env wants KEY=VALUE, got {pair!r}")
        env[key] = value
    return env


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    group = subparsers.add_parser("worker", help="manage the GPU worker pool").add_subparsers(dest="sub", required=True)

    def command(name: str, help_text: str, action: Action) -> argparse.ArgumentParser:
        parser = group.add_parser(name, help=help_text, description=help_text)
        parser.set_defaults(func=_with_database(action))
        return parser

    command("list", "list workers with their state, calls and capacity", _list)
    add = command("add", "register a worker by its base URL", _add)
    add.add_argument("url", help="e.g. https://POD_ID-8001.proxy.runpod.net or a Modal URL")
    add.add_argument("--capacity", type=int, default=4, help="concurrent calls it takes")
    add.add_argument("--id", help="worker id (default: generated)")
    drain = command("drain", "stop sending new calls to a worker (calls in progress go on)", _drain)
    drain.add_argument("id")
    drain.add_argument("--undo", action="store_true", help="take calls again")
    remove = command("remove", "unregister a worker", _remove)
    remove.add_argument("id")
    remove.add_argument("--force", action="store_true", help="even with active calls")
    remove.add_argument("--terminate-pod", action="store_true", help="also terminate its RunPod pod")
    deploy = command("deploy-runpod", "create or resume the RunPod pod of an image and register it", _deploy_runpod)
    deploy.add_argument("--image", required=True, help="the worker image (gpu_worker/Dockerfile), pushed")
    deploy.add_argument("--name", default=DEFAULT_POD_NAME, help="pod name (pods are matched by name)")
    deploy.add_argument("--gpu-type", default=DEFAULT_GPU_TYPE, help="RunPod GPU type id")
    deploy.add_argument("--gpu-count", type=int, default=1)
    deploy.add_argument("--port", type=int, default=8001, help="the server's port, exposed as http")
    deploy.add_argument("--capacity", type=int, default=4, help="concurrent calls per pod")
    deploy.add_argument("--cloud-type", choices=("SECURE", "COMMUNITY", "ALL"), default="SECURE")
    deploy.add_argument("--container-disk-gb", type=int, default=60, help="room for the image's weights")
    deploy.add_argument("--env", action="append", default=[], metavar="KEY=VALUE", help="extra pod environment")
