"""The `buddyhelps bench` command line: which run, where the JSON goes, and a short human summary."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from buddyhelps.bench.side_by_side import BenchPlan, run_bench
from shared.settings import load_settings


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "bench",
        help="benchmark simulated calls against the worker and a stock Pipecat peer; load test → capacity",
        description=__doc__,
    )
    parser.add_argument("--json", action="store_true", help="print the report as one JSON object")
    parser.add_argument("--output", type=Path, help="also write the JSON report here")
    parser.add_argument(
        "--load", default="2,4", help="calls at once in the load test, comma-separated (one at a time always runs)"
    )
    parser.add_argument("--no-peer", action="store_true", help="skip the Pipecat peer (no side-by-side figures)")
    parser.add_argument(
        "--device", choices=("cpu", "cuda"), default="cpu", help="which capacity entry the load test writes"
    )
    parser.add_argument(
        "--write-capacity",
        action="store_true",
        help="record the load test's calls per core in shared/measured_capacity.json (the worker's default)",
    )
    parser.add_argument("--functions-port", type=int, default=8100)
    parser.add_argument("--worker-port", type=int, default=8101)
    parser.add_argument("--peer-port", type=int, default=8102, help="the peer's HTTP port (its LLM server: +1)")
    parser.set_defaults(func=_bench)


def _levels(text: str) -> tuple[int, ...] | None:
    try:
        levels = tuple(sorted({int(part) for part in text.split(",") if part.strip()}))
    except ValueError:
        return None
    return levels if all(level >= 1 for level in levels) else None


def _bench(args: argparse.Namespace) -> int:
    levels = _levels(args.load)
    if levels is None:
        print(f"error: --load takes whole numbers ≥ 1 separated by commas, not {args.load!r}", file=sys.stderr)
        return 2
    settings = load_settings(
        BUDDYHELPS_DATA_DIR=Path("data/bench"), PUBLIC_BASE_URL=f"http://127.0.0.1:{args.functions_port}"
    )
    plan = BenchPlan(
        functions_port=args.functions_port,
        worker_port=args.worker_port,
        peer_port=args.peer_port,
        load_levels=levels,
        with_peer=not args.no_peer,
        device=args.device,
        write_capacity=args.write_capacity,
    )
    report = asyncio.run(run_bench(settings, plan))
    text = json.dumps(report, indent=2)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text + "\n", encoding="utf-8")
    print(text if args.json else human_summary(report))
    return 0


def human_summary(report: dict[str, Any]) -> str:
    lines = []
    for name, row in report.get("side_by_side", {}).items():
        if isinstance(row, dict):
            lines.append(f"{name:<34} ours {row['ours']!s:>10}  pipecat {row['pipecat']!s:>10}  ratio {row['ratio']}")
        else:
            lines.append(f"{name}: {row}")
    for level, data in report["ours"]["load"].items():
        v2v = data["voice_to_voice_ms"]
        lines.append(f"ours, {level} at once: voice-to-voice p50 {v2v['p50']} ms p95 {v2v['p95']} ms")
    capacity = report["capacity"]
    lines.append(
        f"capacity: {capacity['calls_within_target']} calls within target on {capacity['cores']} cores "
        f"= {capacity['calls_per_core']} per core"
    )
    return "\n".join(lines)
