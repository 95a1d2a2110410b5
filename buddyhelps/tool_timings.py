"""`buddyhelps demo --tool-timings`: every shipped tool scenario (one whose `[expect]` names a tool) called
`--runs` times through one stack with the real models, each call checked against its expectations, and per
tool the time from the caller's request to the tool's answer being heard (tool_answer_timing.py): median,
p95 and n over all its answers, with each scenario's own figures and every failure. Printed as JSON."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

import numpy as np

from buddyhelps.demo_services import demo_services
from buddyhelps.local_stack import LocalStack
from buddyhelps.scenario_expectations import wait_for_expectations
from buddyhelps.scenario_runs import place_scenario_call, stack_environment, whisper_for
from buddyhelps.simulator.call_result import CallResult, format_report
from buddyhelps.simulator.scenario import Scenario, ScenarioError, available_scenarios, load_scenario
from buddyhelps.tool_answer_timing import ToolAnswerTiming, tool_answer_timings
from functions.intent_log import intent_log
from shared.database import open_database
from shared.settings import Settings


def tool_scenarios(only: Sequence[str] = ()) -> list[Scenario]:
    """The shipped scenarios whose [expect] names a tool (`only`: those of these names)."""
    found = [s for s in (load_scenario(name) for name in available_scenarios()) if s.expect.tool]
    unknown = sorted(set(only) - {s.name for s in found})
    if unknown:
        known = ", ".join(s.name for s in found)
        raise ScenarioError(f"not a tool scenario: {', '.join(unknown)} (tool scenarios: {known})")
    return [s for s in found if not only or s.name in only]


async def run_tool_timings(settings: Settings, args: argparse.Namespace, *, twilio_port: int) -> int:
    scenarios = tool_scenarios(getattr(args, "only", None) or ())
    started = time.monotonic()
    db = await open_database(settings.database_url, auth_token=settings.turso_auth_token)
    calls: list[dict[str, Any]] = []
    try:
        async with demo_services(db, settings, scenarios, twilio_port=twilio_port) as services:
            env = stack_environment(settings, services.env)
            async with LocalStack(functions_port=args.functions_port, worker_port=args.worker_port, env=env) as stack:
                await stack.wait_ready(timeout_s=900.0)
                transcribers = {s.language: whisper_for(settings, s.language) for s in scenarios}
                for run in range(args.runs):
                    for scenario in scenarios:
                        print(f"run {run + 1}/{args.runs}: {scenario.name}", file=sys.stderr, flush=True)
                        transcriber = transcribers[scenario.language]
                        target = services.targets[scenario.name]
                        result = await place_scenario_call(settings, stack, scenario, target, services, transcriber)
                        print(format_report(result), file=sys.stderr, flush=True)
                        unmet = await wait_for_expectations(db, scenario.expect, result)
                        entries = await intent_log(db, result.call_sid)
                        timings = await tool_answer_timings(result, entries, transcriber.transcribe)
                        calls.append(_call_record(scenario, result, unmet, timings))
    finally:
        await db.close()
    report = {"runs": args.runs, "wall_s": round(time.monotonic() - started, 1), **summarise(calls), "calls": calls}
    text = json.dumps(report, indent=2)
    print(text)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(text + "\n", encoding="utf-8")
    return 1 if any(call["unmet"] for call in calls) else 0


def summarise(calls: list[dict[str, Any]]) -> dict[str, Any]:
    """Per tool and per scenario: median, p95 and n of request-to-heard over the answers found."""
    by_tool: dict[str, list[float]] = defaultdict(list)
    by_scenario: dict[str, list[float]] = defaultdict(list)
    missing: dict[str, int] = defaultdict(int)
    for call in calls:
        for timing in call["timings"]:
            if timing["request_to_heard_ms"] is None:
                missing[timing["tool"]] += 1
                continue
            by_tool[timing["tool"]].append(timing["request_to_heard_ms"])
            by_scenario[f"{call['scenario']}: {timing['tool']}"].append(timing["request_to_heard_ms"])
    return {
        "per_tool": {tool: {**_figures(values), "not_heard": missing[tool]} for tool, values in by_tool.items()},
        "per_scenario": {name: _figures(values) for name, values in by_scenario.items()},
        "failed_calls": sum(1 for call in calls if call["unmet"]),
    }


def _figures(values: list[float]) -> dict[str, float | int]:
    array = np.asarray(values)
    return {
        "median_ms": round(float(np.median(array)), 1),
        "p95_ms": round(float(np.percentile(array, 95)), 1),
        "n": len(values),
    }


def _call_record(
    scenario: Scenario, result: CallResult, unmet: list[str], timings: list[ToolAnswerTiming]
) -> dict[str, Any]:
    expected = [t for t in timings if t.tool == scenario.expect.tool]
    return {
        "scenario": scenario.name,
        "call_sid": result.call_sid,
        "outcome": result.outcome,
        "legs": list(result.legs),
        "unmet": unmet,
        "agent_said": [turn.text for leg in result.all_legs for turn in leg.turns if turn.speaker == "agent"],
        "timings": [{**asdict(t), "arguments": list(t.arguments)} for t in expected],
    }
