"""One phase of the benchmark: simulated calls placed one after another or all at once against one agent.

The agent is anything that answers Twilio's webhook with `<Connect><Stream>` TwiML: our functions and
worker, or the Pipecat peer. CPU seconds are the agent process's, read before and after the phase.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from buddyhelps.bench.figures import backchannel_verdict, summarize
from buddyhelps.bench.process_sampler import ProcessSampler
from buddyhelps.simulator.call_result import CallResult
from buddyhelps.simulator.caller import CallOptions, run_call
from buddyhelps.simulator.caller_voice import CallerVoice
from buddyhelps.simulator.scenario import Scenario, load_scenario

BENCH_SCENARIOS = Path(__file__).resolve().parent / "scenarios"
BACKCHANNEL_NAME = "caller-backchannel"
BACKCHANNEL_SCENARIO = BENCH_SCENARIOS / f"{BACKCHANNEL_NAME}.toml"
ASKS_FIRST_SCENARIO = BENCH_SCENARIOS / "caller-asks-first.toml"


@dataclass(frozen=True, kw_only=True)
class Agent:
    """Where the simulated calls go and which process pays for them."""

    name: str
    options: CallOptions
    sampler: ProcessSampler
    linger_s: float | None = None  # an agent that never hangs up is left after this long (same lines)


@dataclass(frozen=True, kw_only=True)
class PhaseRun:
    results: list[CallResult]
    cpu_s: float
    wall_s: float

    @property
    def cpu_s_per_call(self) -> float:
        return round(self.cpu_s / max(1, len(self.results)), 1)


def merge_runs(runs: list[PhaseRun]) -> PhaseRun:
    """Several phases as one: their calls, CPU and wall time added up."""
    return PhaseRun(
        results=[result for run in runs for result in run.results],
        cpu_s=sum(run.cpu_s for run in runs),
        wall_s=sum(run.wall_s for run in runs),
    )


def scenario_for(agent: Agent, name_or_path: str | Path) -> Scenario:
    scenario = load_scenario(name_or_path)
    return scenario if agent.linger_s is None else replace(scenario, linger_s=agent.linger_s)


async def run_phase(
    agent: Agent,
    voice: CallerVoice,
    scenarios: list[str | Path],
    *,
    concurrent: bool,
    settle: Callable[[], Awaitable[None]] | None = None,
) -> PhaseRun:
    """Place the calls; `settle` runs before the CPU is read again (post-call work belongs to the calls)."""
    cpu_before, wall_before = agent.sampler.cpu_s(), time.monotonic()
    calls = [scenario_for(agent, name) for name in scenarios]
    if concurrent:
        results = list(await asyncio.gather(*(run_call(scenario=s, options=agent.options, voice=voice) for s in calls)))
    else:
        results = [await run_call(scenario=s, options=agent.options, voice=voice) for s in calls]
    wall_s = time.monotonic() - wall_before
    if settle is not None:
        await settle()
    return PhaseRun(results=results, cpu_s=agent.sampler.cpu_s() - cpu_before, wall_s=wall_s)


def caller_side_summary(run: PhaseRun) -> dict[str, Any]:
    """What the callers measured: voice-to-voice, greeting and `clear` after a barge-in."""
    results = run.results
    return {
        "calls": [
            {
                "scenario": r.scenario,
                "outcome": r.outcome,
                "greeting_ms": r.greeting_ms,
                "barge_in_ms": r.barge_in_ms,
                "voice_to_voice_ms": [round(ms, 1) for ms in r.agent_latencies_ms],
                "notes": list(r.notes),
            }
            for r in results
        ],
        "voice_to_voice_ms": summarize([ms for r in results for ms in r.agent_latencies_ms]),
        "greeting_ms": summarize([r.greeting_ms for r in results if r.greeting_ms is not None]),
        "barge_in_ms": summarize([r.barge_in_ms for r in results if r.barge_in_ms is not None]),
        "cpu": {
            "cpu_s": round(run.cpu_s, 1),
            "wall_s": round(run.wall_s, 1),
            "cores_busy": round(run.cpu_s / run.wall_s, 2) if run.wall_s else None,
            "cpu_s_per_call": run.cpu_s_per_call,
        },
    }


def backchannel_summary(result: CallResult, scenario: Scenario) -> dict[str, Any]:
    """The lone "mm-hmm" call: was the reply cut, and when was the agent heard again after it."""
    generation = 0
    backchannel_generation = None
    for line in scenario.lines:
        if line.text or line.dtmf:
            generation += 1
        if line.barge_in_after_s is not None:
            backchannel_generation = generation
            break
    next_audio = next(
        (
            turn.latency_ms
            for turn in result.turns
            if turn.speaker == "agent" and turn.reply_to == backchannel_generation
        ),
        None,
    )
    return {
        "outcome": result.outcome,
        **backchannel_verdict(clear_ms=result.barge_in_ms, next_audio_ms=next_audio),
        "notes": list(result.notes),
    }
