"""`make soak`: measured robustness, not part of `make test`. Simulated calls against the real functions
and worker (each its own process on loopback, models loaded), then faults injected into those
processes; one JSON object out (printed, and written to --json).

    python -m buddyhelps.soak --calls 20 --concurrency 2 --minutes 10 --json artifacts/soak.json

Soak: up to N calls, C at a time, for at most M minutes; it passes with 0 errors, 0 lost reports
(a finished call whose report never reached the database) and 0 frames dropped, and reports the
worker's RSS slope in MB per call. Faults (buddyhelps/soak_faults.py; `--no-faults` skips them): the
worker SIGKILLed mid-call, the functions down while a report is due, and the worker restarted with a
report in its outbox. Exit status 0 when everything passed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from buddyhelps.simulator.caller_voice import PiperCallerVoice
from buddyhelps.soak_faults import FAULTS, run_faults
from buddyhelps.soak_stack import Side, Soak, SoakFailed, Stack
from shared.database import connected
from shared.demo_business import seed_demo_business
from shared.settings import load_settings

SCENARIOS = ["plumbing-emergency", "routine-booking"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m buddyhelps.soak", description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=20, help="calls to place in all (default 20)")
    parser.add_argument("--concurrency", type=int, default=2, help="calls at a time (default 2, fits 2 cores)")
    parser.add_argument("--minutes", type=float, default=10.0, help="stop placing calls after this (default 10)")
    parser.add_argument(
        "--faults",
        default=",".join(FAULTS),
        help=f"comma-separated faults to inject, '' for none (default: {','.join(FAULTS)})",
    )
    parser.add_argument("--functions-port", type=int, default=8710)
    parser.add_argument("--worker-port", type=int, default=8711)
    parser.add_argument("--ready-timeout-s", type=float, default=900.0, help="how long a worker may take to start")
    parser.add_argument("--work-dir", type=Path, help="data, logs and WAVs (default: a new temporary folder)")
    parser.add_argument("--json", type=Path, default=Path("artifacts/soak.json"), help="where the JSON goes")
    return parser


def _passed(report: dict[str, Any]) -> bool:
    soak = report["soak"]
    if soak is None:
        return False
    clean = soak["errors"] == 0 and soak["reports_lost"] == 0 and soak["frames_dropped"] == 0
    return clean and all(fault["passed"] is not False for fault in report["faults"].values())


async def _run(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    functions_url = f"http://127.0.0.1:{args.functions_port}"
    worker_url = f"http://127.0.0.1:{args.worker_port}"
    overrides = {
        "BUDDYHELPS_DATA_DIR": str(work / "data"),
        "PUBLIC_BASE_URL": functions_url,
        "DEFAULT_WORKER_URL": worker_url,
        "WORKER_CAPACITY": str(max(1, args.concurrency)),
        "BUDDYHELPS_ENV": "development",
    }
    settings = load_settings(**overrides)
    report: dict[str, Any] = {"config": {**vars(args), "work_dir": str(work)}, "soak": None, "faults": {}}
    env = {**os.environ, **overrides}
    stack = Stack(
        settings=settings,
        functions=Side("functions", args.functions_port, env, work),
        worker=Side("worker", args.worker_port, env, work),
        token=settings.worker_api_token,
        ready_timeout_s=args.ready_timeout_s,
    )
    async with connected(settings.database_url) as db:
        await seed_demo_business(db, worker_url=worker_url, worker_capacity=settings.worker_capacity)
        voice = PiperCallerVoice(cache_dir=Path("data") / "caller-voice-cache")  # shared with `make demo`
        soak = Soak(stack, db, voice, work / "calls")
        stack.functions.start()
        stack.worker.start()
        try:
            report["soak"] = await soak.run_soak(
                calls_total=args.calls, concurrency=args.concurrency, minutes=args.minutes, scenarios=SCENARIOS
            )
            _write(args.json, report)
            names = [name for name in args.faults.split(",") if name]
            unknown = set(names) - set(FAULTS)
            if unknown:
                raise SoakFailed(f"unknown faults: {', '.join(sorted(unknown))}")
            report["faults"] = await run_faults(
                soak, names, lambda faults: _write(args.json, {**report, "faults": faults})
            )
        finally:
            stack.functions.stop()
            stack.worker.stop()
    return report


def _write(path: Path, report: dict[str, Any]) -> None:
    """Written after each phase, so a run stopped half-way still leaves its figures."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2, default=str) + "\n")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    work = args.work_dir or Path(tempfile.mkdtemp(prefix="buddyhelps-soak-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        report = asyncio.run(_run(args, work))
        report["passed"] = _passed(report)
    except SoakFailed as failure:  # the stack never came up, or a fault left it stuck: say so in the JSON
        report = {"config": {**vars(args), "work_dir": str(work)}, "passed": False, "error": str(failure)}
    _write(args.json, report)
    print(json.dumps(report, indent=2, default=str))
    return 0 if report["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
