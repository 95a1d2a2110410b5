"""`buddyhelps bench --json`: simulated calls one at a time, 2 and 4 at once, against the real worker.

Voice-to-voice is measured on the caller's side (last caller frame sent → first agent frame back),
as the caller hears it, plus the worker's own stage breakdown per turn. The baseline is the one-off,
unstreamed pipeline (POST /pipeline) on the same caller audio in the same run, plus the fixed 700 ms
silence endpoint such a pipeline waits for.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import platform
import statistics
import sys
import time
import wave
from pathlib import Path
from typing import Any

import httpx

from buddyhelps.local_stack import LocalStack
from buddyhelps.simulator.call_result import CallResult
from buddyhelps.simulator.caller import CallOptions, run_call
from buddyhelps.simulator.caller_voice import PiperCallerVoice
from buddyhelps.simulator.scenario import load_scenario
from gpu_worker.telephony.audio_codec import float_to_pcm16, mulaw_to_float
from shared.database import open_database
from shared.demo_business import seed_demo_business
from shared.repositories import calls
from shared.settings import Settings, load_settings

BASELINE_ENDPOINT_MS = 700.0  # the silence endpoint of the one-off pipeline measured in facts/offline-models.md
PHASES: dict[str, list[str]] = {
    "1": ["plumbing-emergency", "routine-booking", "caller-interrupts"],
    "2": ["plumbing-emergency", "routine-booking"],
    "4": ["plumbing-emergency", "routine-booking", "plumbing-emergency", "routine-booking"],
}
TARGETS = {
    "greeting_ms": 300,
    "v2v_p50_ms": 1200,
    "v2v_p95_ms": 1800,
    "barge_in_ms": 300,
    "v2v_p95_ms_at_4": 3000,
    "peak_rss_mb": 2560,
}


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return round(ordered[index], 1)


def summarize(values: list[float]) -> dict[str, float | int | None]:
    return {
        "n": len(values),
        "p50": percentile(values, 50),
        "p95": percentile(values, 95),
        "mean": round(statistics.fmean(values), 1) if values else None,
    }


class ProcessSampler:
    """CPU seconds and peak RSS of the worker process, read from /proc (Linux)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self._ticks = os.sysconf("SC_CLK_TCK")

    def cpu_s(self) -> float:
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / self._ticks

    def rss_mb(self, key: str = "VmRSS") -> float:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
        return 0.0


async def _baseline(stack: LocalStack, voice: PiperCallerVoice) -> dict[str, Any]:
    lines = load_scenario("plumbing-emergency").spoken_texts
    to_first_audio: list[float] = []
    stages: dict[str, list[float]] = {"stt": [], "llm_first_token": [], "tts_first_audio": []}
    async with httpx.AsyncClient(timeout=120) as client:
        for text in lines:
            samples = mulaw_to_float(await voice.speak(text))
            buffer = io.BytesIO()
            with wave.open(buffer, "wb") as wav:
                wav.setnchannels(1)
                wav.setsampwidth(2)
                wav.setframerate(8000)
                wav.writeframes(float_to_pcm16(samples).tobytes())
            response = await client.post(
                stack.worker_url + "/pipeline", content=buffer.getvalue(), headers={"content-type": "audio/wav"}
            )
            response.raise_for_status()
            timings = response.json()["timings_ms"]
            to_first_audio.append(timings["to_first_audio"])
            for key in stages:
                if timings.get(key) is not None:
                    stages[key].append(timings[key])
    with_endpoint = [value + BASELINE_ENDPOINT_MS for value in to_first_audio]
    return {
        "pipeline_to_first_audio_ms": summarize(to_first_audio),
        "voice_to_voice_ms": summarize(with_endpoint),
        "stages_ms": {key: summarize(values) for key, values in stages.items()},
    }


async def _phase(
    stack: LocalStack,
    settings: Settings,
    voice: PiperCallerVoice,
    names: list[str],
    concurrent: bool,
    sampler: ProcessSampler,
) -> dict[str, Any]:
    options = CallOptions.from_settings(
        settings, functions_url=stack.functions_url, artifacts_dir=Path("artifacts/bench-calls")
    )
    cpu_before, wall_before = sampler.cpu_s(), time.monotonic()
    async with httpx.AsyncClient() as client:
        frames_before = (await client.get(stack.worker_url + "/health")).json()["frames"]
    if concurrent:
        results = list(
            await asyncio.gather(
                *(run_call(scenario=load_scenario(name), options=options, voice=voice) for name in names)
            )
        )
    else:
        results = [await run_call(scenario=load_scenario(name), options=options, voice=voice) for name in names]
    cpu_s, wall_s = sampler.cpu_s() - cpu_before, time.monotonic() - wall_before
    await asyncio.sleep(2)  # the last marks and status callbacks settle before counting frames
    async with httpx.AsyncClient() as client:
        frames_after = (await client.get(stack.worker_url + "/health")).json()["frames"]
    return await _phase_summary(
        settings,
        results,
        {
            "sent": sum(r.frames_sent for r in results),
            "received": frames_after["received"] - frames_before["received"],
            "dropped_by_worker": frames_after["dropped"] - frames_before["dropped"],
        },
        cpu_s=cpu_s,
        wall_s=wall_s,
    )


async def _phase_summary(
    settings: Settings, results: list[CallResult], frames: dict[str, int], *, cpu_s: float, wall_s: float
) -> dict[str, Any]:
    breakdown: dict[str, list[float]] = {}
    db = await open_database(settings.database_url)
    try:
        for result in results:
            call = await calls.get_call_by_sid(db, result.call_sid)
            for turn in call.latency if call else []:
                for key, value in turn.items():
                    if key != "turn":
                        breakdown.setdefault(key, []).append(float(value))
    finally:
        await db.close()
    v2v = [ms for result in results for ms in result.agent_latencies_ms]
    return {
        "calls": [
            {
                "scenario": r.scenario,
                "outcome": r.outcome,
                "greeting_ms": r.greeting_ms,
                "barge_in_ms": r.barge_in_ms,
                "voice_to_voice_ms": r.agent_latencies_ms,
            }
            for r in results
        ],
        "voice_to_voice_ms": summarize(v2v),
        "greeting_ms": summarize([r.greeting_ms for r in results if r.greeting_ms is not None]),
        "barge_in_ms": summarize([r.barge_in_ms for r in results if r.barge_in_ms is not None]),
        "worker_stage_breakdown_ms": {key: summarize(values) for key, values in breakdown.items()},
        "frames": {**frames, "lost": max(0, frames["sent"] - frames["received"])},
        "worker_cpu": {"cpu_s": round(cpu_s, 1), "wall_s": round(wall_s, 1), "cores_busy": round(cpu_s / wall_s, 2)},
    }


def _verdicts(report: dict[str, Any]) -> dict[str, Any]:
    one, four = report["phases"]["1"], report["phases"]["4"]
    checks = {
        "greeting_ms": one["greeting_ms"]["p95"],
        "v2v_p50_ms": one["voice_to_voice_ms"]["p50"],
        "v2v_p95_ms": one["voice_to_voice_ms"]["p95"],
        "barge_in_ms": one["barge_in_ms"]["p95"],
        "v2v_p95_ms_at_4": four["voice_to_voice_ms"]["p95"],
        "peak_rss_mb": report["worker"]["peak_rss_mb"],
    }
    verdict = {
        key: {"measured": value, "target": TARGETS[key], "met": value is not None and value <= TARGETS[key]}
        for key, value in checks.items()
    }
    verdict["no_frame_dropped_at_4"] = {
        "measured": four["frames"]["lost"] + four["frames"]["dropped_by_worker"],
        "target": 0,
        "met": four["frames"]["lost"] + four["frames"]["dropped_by_worker"] == 0,
    }
    return verdict


async def run_bench(settings: Settings, *, functions_port: int, worker_port: int, phases: list[str]) -> dict[str, Any]:
    db = await open_database(settings.database_url)
    try:
        await seed_demo_business(db, worker_url=f"http://127.0.0.1:{worker_port}", worker_capacity=4)
    finally:
        await db.close()
    env = {
        "PUBLIC_BASE_URL": settings.public_base_url,
        "BUDDYHELPS_DATA_DIR": str(settings.data_dir),
        "DEFAULT_WORKER_URL": f"http://127.0.0.1:{worker_port}",
        "WORKER_CAPACITY": "4",
    }
    voice = PiperCallerVoice(cache_dir=Path("data/caller-voice-cache"))
    report: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "phases": {},
    }
    async with LocalStack(
        functions_port=functions_port, worker_port=worker_port, env=env, log_path=Path("artifacts/bench-stack.log")
    ) as stack:
        health = await stack.wait_ready()
        sampler = ProcessSampler(int(str(health["pid"])))
        report["worker"] = {"models": health["models"], "idle_rss_mb": round(sampler.rss_mb(), 1)}
        report["baseline"] = await _baseline(stack, voice)
        for phase in phases:
            print(f"bench: phase {phase} ({'concurrent' if phase != '1' else 'sequential'})", file=sys.stderr)
            report["phases"][phase] = await _phase(stack, settings, voice, PHASES[phase], phase != "1", sampler)
        async with httpx.AsyncClient() as client:
            report["model_stages"] = (await client.get(stack.worker_url + "/stt/stats")).json()["stages"]
        report["worker"]["peak_rss_mb"] = round(sampler.rss_mb("VmHWM"), 1)
    one = report["phases"].get("1")
    if one and one["voice_to_voice_ms"]["p50"]:
        base = report["baseline"]["voice_to_voice_ms"]
        report["ratios_vs_baseline"] = {
            "v2v_p50": round(one["voice_to_voice_ms"]["p50"] / base["p50"], 2),
            "v2v_p95": round(one["voice_to_voice_ms"]["p95"] / base["p95"], 2),
        }
    if {"1", "4"} <= set(report["phases"]):
        report["targets"] = _verdicts(report)
    return report


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("bench", help="benchmark simulated calls (1, 2 and 4 at once)", description=__doc__)
    parser.add_argument("--json", action="store_true", help="print the report as one JSON object")
    parser.add_argument("--output", type=Path, help="also write the JSON report here")
    parser.add_argument("--phases", default="1,2,4", help="comma-separated concurrency levels (1,2,4)")
    parser.add_argument("--functions-port", type=int, default=8100)
    parser.add_argument("--worker-port", type=int, default=8101)
    parser.set_defaults(func=_bench)


def _bench(args: argparse.Namespace) -> int:
    phases = [p.strip() for p in args.phases.split(",") if p.strip()]
    unknown = [p for p in phases if p not in PHASES]
    if unknown:
        print(f"error: unknown phases {unknown}; choose from {sorted(PHASES)}", file=sys.stderr)
        return 2
    settings = load_settings(
        BUDDYHELPS_DATA_DIR=Path("data/bench"), PUBLIC_BASE_URL=f"http://127.0.0.1:{args.functions_port}"
    )
    report = asyncio.run(
        run_bench(settings, functions_port=args.functions_port, worker_port=args.worker_port, phases=phases)
    )
    text = json.dumps(report, indent=2)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text + "\n", encoding="utf-8")
    print(text if args.json else _human(report))
    return 0


def _human(report: dict[str, Any]) -> str:
    lines = [f"baseline voice-to-voice p50 {report['baseline']['voice_to_voice_ms']['p50']} ms"]
    for phase, data in report["phases"].items():
        v2v = data["voice_to_voice_ms"]
        lines.append(
            f"{phase} at once: voice-to-voice p50 {v2v['p50']} ms p95 {v2v['p95']} ms; "
            f"greeting p50 {data['greeting_ms']['p50']} ms; frames lost {data['frames']['lost']}"
        )
    lines.append(f"worker peak RSS {report['worker'].get('peak_rss_mb')} MB")
    return "\n".join(lines)
