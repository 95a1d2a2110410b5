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
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from buddyhelps.bench.call_phase import (
    ASKS_FIRST_SCENARIO,
    BACKCHANNEL_NAME,
    BACKCHANNEL_SCENARIO,
    Agent,
    PhaseRun,
    backchannel_summary,
    caller_side_summary,
    merge_runs,
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
from buddyhelps.simulator.kokoro_caller_voice import caller_voice_for
from buddyhelps.simulator.scenario import load_scenario
from shared.database import open_database
from shared.demo_business import DEMO_GREETING, DEMO_SYSTEM_PROMPT, seed_demo_business
from shared.repositories import calls
from shared.settings import Settings

# The asks-first call has a tool turn and an off-script turn the model phrases: the per-kind figures.
ONE_AT_A_TIME: list[str | Path] = ["plumbing-emergency", "routine-booking", "caller-interrupts", ASKS_FIRST_SCENARIO]
LOAD_MIX = ["plumbing-emergency", "routine-booking"]
PEER_LINGER_S = 4.0  # the peer never hangs up: the caller leaves this long after its last line
STARTUP_TIMEOUT_S = 900.0
SETTLE_S = 2.0  # last marks, status callbacks and post-call extraction land before CPU is read
IDLE_TIMEOUT_S = 60.0
BUSY_LOAD_PER_CORE = 1.5  # above this 1-minute load average per core the capacity is not recorded


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
    # Other work on the machine slows both sides: the 1-minute load average says how busy it was.
    report["machine"]["load_average_1m"] = {"start": os.getloadavg()[0]}
    stack = _our_stack(settings, plan, max_calls)
    stack.start()
    try:
        # Start-up synthesizes every fixed phrase: minutes on 2 busy cores, so a longer wait than serve's.
        await stack.wait_ready(timeout_s=STARTUP_TIMEOUT_S)
        await _measure(settings, plan, voice, stack, await _status(settings, stack.worker_url), report)
    finally:
        stack.stop()
    report["machine"]["load_average_1m"]["end"] = os.getloadavg()[0]
    if "peer" in report:
        report["side_by_side"] = compare(report["ours"], report["peer"])
    capacity = capacity_record(
        {int(n): level for n, level in report["ours"]["load"].items()},
        cores=os.cpu_count() or 1,
        measured=f"{report['measured_at']}, buddyhelps bench ({plan.device}, {os.cpu_count()} cores)",
    )
    report["capacity"] = capacity
    if plan.write_capacity:
        busiest = max(report["machine"]["load_average_1m"].values())
        if busiest > BUSY_LOAD_PER_CORE * (os.cpu_count() or 1):
            # Other work took the cores: such a figure would set every worker's default from noise.
            capacity["written"] = f"no: load average reached {busiest:.1f} on {os.cpu_count()} cores"
        else:
            write_capacity(capacity, device=plan.device)
            capacity["written"] = "shared/measured_capacity.json"
    report["targets"] = verdicts(report, device=plan.device)
    return report


def _our_stack(settings: Settings, plan: BenchPlan, max_calls: int) -> LocalStack:
    env = {
        "PUBLIC_BASE_URL": settings.public_base_url,
        "BUDDYHELPS_DATA_DIR": str(settings.data_dir),
        "DEFAULT_WORKER_URL": f"http://127.0.0.1:{plan.worker_port}",
        "WORKER_CAPACITY": str(max_calls),  # the load test decides the capacity; it must not be capped here
    }
    return LocalStack(
        functions_port=plan.functions_port,
        worker_port=plan.worker_port,
        env=env,
        log_path=plan.work_dir / "ours-stack.log",
    )


def _peer_process(settings: Settings, plan: BenchPlan) -> PipecatPeer:
    return PipecatPeer(
        port=plan.peer_port,
        llm_port=plan.peer_port + 1,
        models_dir=settings.models_dir,
        system_prompt=DEMO_SYSTEM_PROMPT,
        greeting=DEMO_GREETING,
        voice=settings.tts_voice,
        threads=settings.cpu_threads,
        work_dir=plan.work_dir,
    )


async def _measure(
    settings: Settings,
    plan: BenchPlan,
    voice: PiperCallerVoice,
    stack: LocalStack,
    status: dict[str, Any],
    report: dict[str, Any],
) -> None:
    """Single calls alternate between ours and the peer (same background load), then our load test."""
    ours = Agent(
        name="ours",
        options=CallOptions.from_settings(
            settings, functions_url=stack.functions_url, artifacts_dir=plan.work_dir / "calls-ours"
        ),
        sampler=ProcessSampler(int(status["pid"])),
    )
    report["ours"] = {"models": status.get("models"), "idle_rss_mb": ours.sampler.rss_mb()}
    peer = _peer_process(settings, plan) if plan.with_peer else None
    agents = [ours]
    try:
        if peer is not None:
            agents.append(await _started_peer(settings, plan, peer, report))
    except PeerUnavailable as error:
        report["peer"] = {"error": str(error)}  # ours is still measured; the report says why no peer
    try:
        before = await _frames(settings, stack.worker_url)
        runs = await _alternating(agents, voice, [*ONE_AT_A_TIME, BACKCHANNEL_SCENARIO])
        frames = _frame_counts(runs["ours"], before, await _frames(settings, stack.worker_url))
        for agent in agents:
            report[_side(agent)].update(await _single_call_figures(settings, agent, runs[agent.name]))
    finally:
        if peer is not None:
            peer.stop()  # the load test is ours alone
    print(f"bench: ours, {SPANISH_SCENARIO}", file=sys.stderr)
    report["ours"]["spanish"] = await _spanish_call(settings, ours)
    # Level 1 is the load mix's own calls from the one-at-a-time phase: every level compares the same calls
    # (the asks-first call's model-phrased turns are slower by design, not by load).
    one = _only(runs["ours"], set(LOAD_MIX))
    report["ours"]["load"] = {"1": {**_load_level(one), "frames": frames}}
    for level in (n for n in plan.load_levels if n > 1):
        print(f"bench: ours, {level} calls at once", file=sys.stderr)
        await _wait_idle(settings, stack.worker_url)
        before = await _frames(settings, stack.worker_url)
        run = await run_phase(ours, voice, load_mix(level), concurrent=True, settle=_settle)
        report["ours"]["load"][str(level)] = {
            **_load_level(run),
            "frames": _frame_counts(run, before, await _frames(settings, stack.worker_url)),
        }
    report["ours"]["peak_rss_mb"] = ours.sampler.rss_mb("VmHWM")
    report["ours"]["model_stages"] = await _model_stages(settings, stack.worker_url)


SPANISH_SCENARIO = "spanish-burst-pipe"


async def _spanish_call(settings: Settings, ours: Agent) -> dict[str, Any]:
    """A Spanish caller (Kokoro em_santa; the call switches on the first turn): its voice-to-voice sits
    next to the English `one_at_a_time` figures."""
    scenario = load_scenario(SPANISH_SCENARIO)
    voice = caller_voice_for(scenario.voice, settings=settings, cache_dir=Path("data/caller-voice-cache"))
    run = await run_phase(ours, voice, [SPANISH_SCENARIO], concurrent=False, settle=_settle)
    return {"scenario": SPANISH_SCENARIO, "language": scenario.language, **caller_side_summary(run)}


def _side(agent: Agent) -> str:
    return "ours" if agent.name == "ours" else "peer"


async def _started_peer(settings: Settings, plan: BenchPlan, peer: PipecatPeer, report: dict[str, Any]) -> Agent:
    peer.start()
    await peer.wait_ready()
    agent = Agent(
        name="pipecat",
        options=CallOptions.from_settings(
            settings, functions_url=peer.url, artifacts_dir=plan.work_dir / "calls-pipecat"
        ),
        sampler=ProcessSampler(peer.pid),
        linger_s=PEER_LINGER_S,
    )
    report["peer"] = {"pipecat_ai": "1.14.0", "idle_rss_mb": agent.sampler.rss_mb()}
    return agent


async def _alternating(
    agents: list[Agent], voice: PiperCallerVoice, scenarios: list[str | Path]
) -> dict[str, PhaseRun]:
    """Each scenario on each agent in turn, one call at a time."""
    runs: dict[str, list[PhaseRun]] = {agent.name: [] for agent in agents}
    for scenario in scenarios:
        for agent in agents:
            print(f"bench: {agent.name}, {Path(scenario).stem}", file=sys.stderr)
            runs[agent.name].append(await run_phase(agent, voice, [scenario], concurrent=False, settle=_settle))
    return {name: merge_runs(parts) for name, parts in runs.items()}


def _only(run: PhaseRun, scenarios: set[str]) -> PhaseRun:
    calls = [result for result in run.results if result.scenario in scenarios]
    share = len(calls) / max(1, len(run.results))
    return PhaseRun(results=calls, cpu_s=run.cpu_s * share, wall_s=run.wall_s * share)


def _without_backchannel(run: PhaseRun) -> PhaseRun:
    calls = [result for result in run.results if result.scenario != BACKCHANNEL_NAME]
    share = len(calls) / max(1, len(run.results))
    return PhaseRun(results=calls, cpu_s=run.cpu_s * share, wall_s=run.wall_s * share)


async def _single_call_figures(settings: Settings, agent: Agent, run: PhaseRun) -> dict[str, Any]:
    one = _without_backchannel(run)
    backchannel = next(result for result in run.results if result.scenario == BACKCHANNEL_NAME)
    figures: dict[str, Any] = {
        "one_at_a_time": caller_side_summary(one),
        "backchannel": backchannel_summary(backchannel, scenario_for(agent, BACKCHANNEL_SCENARIO)),
        "peak_rss_mb_one_call": agent.sampler.rss_mb("VmHWM"),
    }
    if agent.name == "ours":
        figures["one_at_a_time"].update(await _worker_side(settings, one))
    return figures


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


def _frame_counts(run: PhaseRun, before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    """Every inbound frame the callers sent must have reached the worker."""
    sent = sum(result.frames_sent for result in run.results)
    received = after["received"] - before["received"]
    return {
        "sent": sent,
        "received": received,
        "lost": max(0, sent - received),
        "dropped_by_worker": after["dropped"] - before["dropped"],
    }


def _worker_client(settings: Settings, worker_url: str) -> httpx.AsyncClient:
    """The worker's internals (/status, /stt/stats) want its API token, as the functions send it."""
    headers = {"Authorization": f"Bearer {settings.worker_api_token}"}
    return httpx.AsyncClient(base_url=worker_url, timeout=10, headers=headers)


async def _status(settings: Settings, worker_url: str) -> dict[str, Any]:
    async with _worker_client(settings, worker_url) as client:
        response = await client.get("/status")
    response.raise_for_status()
    status: dict[str, Any] = response.json()
    return status


async def _wait_idle(settings: Settings, worker_url: str, *, health_expired: bool = True) -> None:
    """The worker has finished its calls (their frames are counted when a session ends) and, before N
    calls at once, the functions' cached view of its health (`worker_health_ttl_s`) has expired."""
    deadline = time.monotonic() + IDLE_TIMEOUT_S
    for _ in range(int(IDLE_TIMEOUT_S / 0.5)):
        if not (await _status(settings, worker_url))["active_calls"] or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.5)  # another process's calls winding down: nothing to await but time
    if health_expired:
        await asyncio.sleep(settings.worker_health_ttl_s)


async def _frames(settings: Settings, worker_url: str) -> dict[str, int]:
    await _wait_idle(settings, worker_url, health_expired=False)
    frames: dict[str, int] = (await _status(settings, worker_url))["frames"]
    return frames


async def _model_stages(settings: Settings, worker_url: str) -> Any:
    async with _worker_client(settings, worker_url) as client:
        try:
            response = await client.get("/stt/stats")
        except httpx.HTTPError as error:
            return f"not available: {error!r}"
    if response.status_code != 200:
        return f"not available: HTTP {response.status_code}"
    return response.json().get("stages")
