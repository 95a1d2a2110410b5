"""`buddyhelps bench`: our worker and a stock Pipecat peer answer the same simulated calls, in one run.

Ours first (the functions and worker as `buddyhelps serve`), then the peer (bench_peer/, its own venv),
never both at once, on the same models, business prompt, greeting and voice. Caller-side figures only
(last caller frame sent → first agent frame back), as the caller hears them. Then a load test of our
worker (several calls at once) gives the calls per core it serves within target: the worker's default
capacity (shared/worker_capacity.py).
"""

from __future__ import annotations

import asyncio
import os
import platform
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from buddyhelps.bench.call_phase import (
    BACKCHANNEL_SCENARIO,
    Agent,
    PhaseRun,
    backchannel_summary,
    caller_side_summary,
    run_phase,
    scenario_for,
)
from buddyhelps.bench.capacity import capacity_record, write_capacity
from buddyhelps.bench.comparison import compare, verdicts
from buddyhelps.bench.figures import merge_kind_splits, speculation_rate, split_by_reply_kind
from buddyhelps.bench.peer_process import PeerUnavailable, PipecatPeer, build_peer_venv
from buddyhelps.bench.process_sampler import ProcessSampler
from buddyhelps.local_stack import LocalStack
from buddyhelps.simulator.caller import CallOptions
from buddyhelps.simulator.caller_voice import PiperCallerVoice
from shared.database import open_database
from shared.demo_business import DEMO_GREETING, DEMO_SYSTEM_PROMPT, seed_demo_business
from shared.repositories import calls
from shared.settings import Settings

ONE_AT_A_TIME = ["plumbing-emergency", "routine-booking", "caller-interrupts"]
LOAD_MIX = ["plumbing-emergency", "routine-booking"]
PEER_LINGER_S = 4.0  # the peer never hangs up: the caller leaves this long after its last line
STARTUP_TIMEOUT_S = 900.0
SETTLE_S = 2.0  # last marks, status callbacks and post-call extraction land before CPU is read


@dataclass(frozen=True, kw_only=True)
class BenchPlan:
    functions_port: int
    worker_port: int
    peer_port: int
    load_levels: tuple[int, ...]  # calls at once in the load test (1 is the one-at-a-time phase)
    with_peer: bool
    device: str  # "cpu" | "cuda": which entry of the measured capacity this run writes
    write_capacity: bool
    work_dir: Path = Path("artifacts/bench")


def load_mix(calls_at_once: int) -> list[str | Path]:
    return [LOAD_MIX[index % len(LOAD_MIX)] for index in range(calls_at_once)]


async def _settle() -> None:
    await asyncio.sleep(SETTLE_S)  # a fixed grace for another process's last writes, not a poll


async def run_bench(settings: Settings, plan: BenchPlan) -> dict[str, Any]:
    if plan.with_peer:
        build_peer_venv()  # before anything runs: a peer that cannot be built fails the bench at once
    max_calls = max(plan.load_levels, default=1)
    db = await open_database(settings.database_url)
    try:
        await seed_demo_business(db, worker_url=f"http://127.0.0.1:{plan.worker_port}", worker_capacity=max_calls)
    finally:
        await db.close()
    voice = PiperCallerVoice(cache_dir=Path("data/caller-voice-cache"))
    report: dict[str, Any] = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "device": plan.device,
    }
    report["ours"] = await _ours(settings, plan, voice, max_calls)
    if plan.with_peer:
        report["peer"] = await _peer(settings, plan, voice)
        report["side_by_side"] = compare(report["ours"], report["peer"])
    capacity = capacity_record(
        {int(n): level for n, level in report["ours"]["load"].items()},
        cores=os.cpu_count() or 1,
        measured=f"{report['measured_at']}, buddyhelps bench ({plan.device}, {os.cpu_count()} cores)",
    )
    report["capacity"] = capacity
    if plan.write_capacity:
        write_capacity(capacity, device=plan.device)
    report["targets"] = verdicts(report, device=plan.device)
    return report


async def _ours(settings: Settings, plan: BenchPlan, voice: PiperCallerVoice, max_calls: int) -> dict[str, Any]:
    env = {
        "PUBLIC_BASE_URL": settings.public_base_url,
        "BUDDYHELPS_DATA_DIR": str(settings.data_dir),
        "DEFAULT_WORKER_URL": f"http://127.0.0.1:{plan.worker_port}",
        "WORKER_CAPACITY": str(max_calls),  # the load test decides the capacity; it must not be capped here
    }
    stack = LocalStack(
        functions_port=plan.functions_port,
        worker_port=plan.worker_port,
        env=env,
        log_path=plan.work_dir / "ours-stack.log",
    )
    stack.start()
    try:
        # Start-up synthesizes every fixed phrase: minutes on 2 busy cores, so a longer wait than serve's.
        health = await stack.wait_ready(timeout_s=STARTUP_TIMEOUT_S)
        return await _ours_calls(settings, plan, voice, stack, health)
    finally:
        stack.stop()


async def _ours_calls(
    settings: Settings, plan: BenchPlan, voice: PiperCallerVoice, stack: LocalStack, health: dict[str, object]
) -> dict[str, Any]:
    agent = Agent(
        name="ours",
        options=CallOptions.from_settings(
            settings, functions_url=stack.functions_url, artifacts_dir=plan.work_dir / "calls-ours"
        ),
        sampler=ProcessSampler(int(str(health["pid"]))),
    )
    ours: dict[str, Any] = {"models": health.get("models"), "idle_rss_mb": agent.sampler.rss_mb()}
    print("bench: ours, one call at a time", file=sys.stderr)
    one, frames = await _counted_phase(agent, voice, stack.worker_url, list(ONE_AT_A_TIME), concurrent=False)
    ours["one_at_a_time"] = {**caller_side_summary(one), **await _worker_side(settings, one)}
    print("bench: ours, a lone mm-hmm over the agent", file=sys.stderr)
    ours["backchannel"] = await _backchannel(agent, voice)
    ours["peak_rss_mb_one_call"] = agent.sampler.rss_mb("VmHWM")
    ours["load"] = {"1": {**_load_level(one), "frames": frames}}
    for level in (n for n in plan.load_levels if n > 1):
        print(f"bench: ours, {level} calls at once", file=sys.stderr)
        run, frames = await _counted_phase(agent, voice, stack.worker_url, load_mix(level), concurrent=True)
        ours["load"][str(level)] = {**_load_level(run), "frames": frames}
    ours["peak_rss_mb"] = agent.sampler.rss_mb("VmHWM")
    ours["model_stages"] = await _model_stages(settings, stack.worker_url)
    return ours


async def _peer(settings: Settings, plan: BenchPlan, voice: PiperCallerVoice) -> dict[str, Any]:
    peer = PipecatPeer(
        port=plan.peer_port,
        llm_port=plan.peer_port + 1,
        models_dir=settings.models_dir,
        system_prompt=DEMO_SYSTEM_PROMPT,
        greeting=DEMO_GREETING,
        voice=settings.tts_voice,
        threads=settings.cpu_threads,
        work_dir=plan.work_dir,
    )
    try:
        async with peer:
            agent = Agent(
                name="pipecat",
                options=CallOptions.from_settings(
                    settings, functions_url=peer.url, artifacts_dir=plan.work_dir / "calls-pipecat"
                ),
                sampler=ProcessSampler(peer.pid),
                linger_s=PEER_LINGER_S,
            )
            result: dict[str, Any] = {"pipecat_ai": "1.14.0", "idle_rss_mb": agent.sampler.rss_mb()}
            print("bench: Pipecat peer, one call at a time", file=sys.stderr)
            one = await run_phase(agent, voice, list(ONE_AT_A_TIME), concurrent=False, settle=_settle)
            result["one_at_a_time"] = caller_side_summary(one)
            print("bench: Pipecat peer, a lone mm-hmm over the agent", file=sys.stderr)
            result["backchannel"] = await _backchannel(agent, voice)
            result["peak_rss_mb_one_call"] = agent.sampler.rss_mb("VmHWM")
            return result
    except PeerUnavailable as error:
        return {"error": str(error)}


async def _backchannel(agent: Agent, voice: PiperCallerVoice) -> dict[str, Any]:
    run = await run_phase(agent, voice, [BACKCHANNEL_SCENARIO], concurrent=False)
    return backchannel_summary(run.results[0], scenario_for(agent, BACKCHANNEL_SCENARIO))


async def _worker_side(settings: Settings, run: PhaseRun) -> dict[str, Any]:
    """Per reply kind and speculation, from the worker's own per-turn latency records."""
    db = await open_database(settings.database_url)
    try:
        records = [await calls.get_call_by_sid(db, result.call_sid) for result in run.results]
    finally:
        await db.close()
    turns = [list(record.latency) if record else [] for record in records]
    splits = [split_by_reply_kind(r.agent_latencies_ms, t) for r, t in zip(run.results, turns, strict=True)]
    all_turns = [turn for call_turns in turns for turn in call_turns]
    return {
        "voice_to_voice_by_reply_kind_ms": merge_kind_splits(splits),
        "speculation_adopted": speculation_rate(all_turns),
    }


def _load_level(run: PhaseRun) -> dict[str, Any]:
    summary = caller_side_summary(run)
    return {
        "voice_to_voice_ms": summary["voice_to_voice_ms"],
        "greeting_ms": summary["greeting_ms"],
        "failed_calls": sum(result.failed for result in run.results),
        "cpu": summary["cpu"],
        "outcomes": [result.outcome for result in run.results],
    }


async def _counted_phase(
    agent: Agent, voice: PiperCallerVoice, worker_url: str, scenarios: list[str | Path], *, concurrent: bool
) -> tuple[PhaseRun, dict[str, int]]:
    """A phase with the worker's inbound frame counters read around it: every frame sent must arrive."""
    before = await _frames(worker_url)
    run = await run_phase(agent, voice, scenarios, concurrent=concurrent, settle=_settle)
    after = await _frames(worker_url)
    sent = sum(result.frames_sent for result in run.results)
    received = after["received"] - before["received"]
    return run, {
        "sent": sent,
        "received": received,
        "lost": max(0, sent - received),
        "dropped_by_worker": after["dropped"] - before["dropped"],
    }


async def _frames(worker_url: str) -> dict[str, int]:
    async with httpx.AsyncClient(timeout=10) as client:
        frames: dict[str, int] = (await client.get(worker_url + "/health")).json()["frames"]
    return frames


async def _model_stages(settings: Settings, worker_url: str) -> Any:
    token = str(getattr(settings, "worker_api_token", ""))
    async with httpx.AsyncClient(timeout=10, headers={"Authorization": f"Bearer {token}"}) as client:
        try:
            response = await client.get(worker_url + "/stt/stats")
        except httpx.HTTPError as error:
            return f"not available: {error!r}"
    if response.status_code != 200:
        return f"not available: HTTP {response.status_code}"
    return response.json().get("stages")
