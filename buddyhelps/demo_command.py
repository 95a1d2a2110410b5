"""`buddyhelps demo`: the whole product on this machine, one simulated call, end to end.

Seeds the business the scenario calls (the demo plumber, or the `[business]` its TOML names, created from a
template), starts the functions and the worker on loopback, places the call through the caller simulator
exactly as Twilio would (a transfer through the simulated REST API, a booking into a real CalDAV server),
shows what the business receives, and checks what the scenario's `[expect]` says the call must have done.
`--tool-timings` instead runs every tool scenario and prints how long each tool's answer took to be heard.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import sys
import time
from pathlib import Path
from typing import Any

from buddyhelps.demo_services import CallTarget, DemoServices, demo_services
from buddyhelps.local_stack import LocalStack, StackFailed
from buddyhelps.scenario_expectations import wait_for_expectations
from buddyhelps.scenario_runs import place_scenario_call, stack_environment, whisper_for
from buddyhelps.simulator.call_result import CallResult, format_report
from buddyhelps.simulator.scenario import Scenario, ScenarioError, load_scenario
from buddyhelps.tool_timings import run_tool_timings
from shared.database import Database, open_database
from shared.repositories import calls, operators
from shared.settings import Settings, load_settings

DEMO_OPERATOR = "demo@buddyhelps.local"
REPORT_WAIT_S = 60.0
NOTIFICATIONS_SETTLE_S = 3.0


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "demo", help="run a full simulated call end to end on this machine", description=__doc__
    )
    parser.add_argument("--scenario", default="plumbing-emergency", help="scenario name or path")
    parser.add_argument("--functions-port", type=int, default=8000)
    parser.add_argument("--worker-port", type=int, default=8001)
    parser.add_argument("--twilio-port", type=int, help="the simulated Twilio REST API (default: worker port + 1)")
    parser.add_argument("--keep-running", action="store_true", help="leave the servers up for the browser")
    parser.add_argument(
        "--tool-timings",
        action="store_true",
        help="instead: run every tool scenario (--runs times each) and print request-to-heard times per tool",
    )
    parser.add_argument("--runs", type=int, default=3, help="with --tool-timings: calls per scenario")
    parser.add_argument(
        "--only", action="append", metavar="SCENARIO", help="with --tool-timings: just these tool scenarios"
    )
    parser.add_argument("--json", type=Path, help="with --tool-timings: also write the figures to this file")
    parser.set_defaults(func=_demo)


def _demo(args: argparse.Namespace) -> int:
    settings = load_settings(
        PUBLIC_BASE_URL=f"http://127.0.0.1:{args.functions_port}",
        DEFAULT_WORKER_URL=f"http://127.0.0.1:{args.worker_port}",
    )
    twilio_port = args.twilio_port or args.worker_port + 1
    try:
        if args.tool_timings:
            return asyncio.run(run_tool_timings(settings, args, twilio_port=twilio_port))
        return asyncio.run(_run(settings, args, load_scenario(args.scenario), twilio_port=twilio_port))
    except ScenarioError as error:
        print(f"demo: {error}", file=sys.stderr)
        return 2
    except StackFailed as error:
        print(f"\nThe local servers did not start: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _step(text: str) -> None:
    print(f"\n\033[1m== {text}\033[0m", flush=True)


async def _run(settings: Settings, args: argparse.Namespace, scenario: Scenario, *, twilio_port: int) -> int:
    db = await open_database(settings.database_url, auth_token=settings.turso_auth_token)
    try:
        _step("1/5 Seeding the business the scenario calls")
        async with demo_services(db, settings, [scenario], twilio_port=twilio_port) as services:
            target = services.targets[scenario.name]
            password = await _demo_operator(db, settings.data_dir)
            print(f"{target.business_name} answers {target.number}; database {settings.database_url}")
            _step("2/5 Starting the functions and the GPU worker on loopback (loading models)")
            started = time.perf_counter()
            env = stack_environment(settings, services.env)
            async with LocalStack(functions_port=args.functions_port, worker_port=args.worker_port, env=env) as stack:
                health = await stack.wait_ready(timeout_s=600.0)
                print(f"ready in {time.perf_counter() - started:.1f} s; models: {health.get('models')}")
                result = await _place_call(settings, stack, scenario, target, services)
                if result.failed:
                    print(f"The call failed: {result.outcome} {result.detail}", file=sys.stderr)
                    return 1
                await _show_outcome(db, settings, result.call_sid)
                unmet = await wait_for_expectations(db, scenario.expect, result)
                if unmet:
                    print("\nThe call did NOT do what the scenario expects:", *unmet, sep="\n  ", file=sys.stderr)
                elif not scenario.expect.empty:
                    print("\nThe call did what the scenario expects.")
                _step("5/5 Operator console")
                print(f"{settings.public_base_url}/admin  —  log in as {DEMO_OPERATOR} / {password}")
                if args.keep_running:
                    print("Servers keep running; press Ctrl-C to stop.")
                    await asyncio.Event().wait()
        return 1 if unmet else 0
    finally:
        await db.close()


async def _place_call(
    settings: Settings, stack: LocalStack, scenario: Scenario, target: CallTarget, services: DemoServices
) -> CallResult:
    _step(f"3/5 Placing a simulated call: {scenario.name} (real time, about a minute)")
    print(scenario.description)
    transcriber = whisper_for(settings, scenario.language)
    result = await place_scenario_call(settings, stack, scenario, target, services, transcriber)
    print(format_report(result))
    if result.wav_path:
        print(f"Both sides of the call, as heard on the line: {result.wav_path} (left caller, right agent)")
    return result


async def _show_outcome(db: Database, settings: Settings, call_sid: str) -> None:
    _step("4/5 What the business gets (the call report, extraction and notifications)")
    deadline = time.monotonic() + REPORT_WAIT_S
    call = await calls.get_call_by_sid(db, call_sid)
    rows: list[dict[str, Any]] = []
    settled_at = 0.0
    while time.monotonic() < deadline:
        call = await calls.get_call_by_sid(db, call_sid)
        if call is not None and call.reported_at:
            latest = await db.fetch_all(
                "SELECT purpose, channel, recipient, subject, body, status FROM notifications WHERE call_id = ?"
                " ORDER BY created_at",
                (call.id,),
            )
            if len(latest) != len(rows) or not settled_at:
                rows, settled_at = latest, time.monotonic()
            elif time.monotonic() - settled_at >= NOTIFICATIONS_SETTLE_S:
                break  # the report's texts and emails are all queued (how many depends on the business)
        await asyncio.sleep(0.5)  # the worker reports to the functions in another process
    if call is None or not call.reported_at:
        print(f"No call report arrived within {REPORT_WAIT_S:.0f} s (see artifacts/local-stack.log)")
        return
    print(f"Extraction ({call.extraction_status}): {call.extraction}")
    for row in rows:
        head = f"[{row['channel'].upper()} to {row['recipient']} — {row['status']}]"
        print(f"\n{head}\n" + (f"Subject: {row['subject']}\n" if row["subject"] else "") + str(row["body"]))
    print(f"\nCall page: {settings.public_base_url}/c/{call.id}")


async def _demo_operator(db: Database, data_dir: Path) -> str:
    """A console login for the demo; its password is kept beside the demo database."""
    secret_file = data_dir / "demo-operator-password.txt"
    if await operators.get_operator_by_email(db, DEMO_OPERATOR) is not None and secret_file.exists():
        return secret_file.read_text(encoding="utf-8").strip()
    password = secrets.token_urlsafe(12)
    if await operators.get_operator_by_email(db, DEMO_OPERATOR) is None:
        await operators.create_operator(db, email=DEMO_OPERATOR, password=password)
    else:
        return "(set with `buddyhelps admin create-user`)"
    secret_file.parent.mkdir(parents=True, exist_ok=True)
    secret_file.write_text(password + "\n", encoding="utf-8")
    secret_file.chmod(0o600)
    return password
