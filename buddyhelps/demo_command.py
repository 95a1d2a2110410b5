"""`buddyhelps demo`: the whole product on this machine, one simulated emergency call, end to end.

Seeds the demo business, starts the functions and the worker on loopback, places the call through
the caller simulator exactly as Twilio would, then shows what the plumber receives.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import sys
import time
from pathlib import Path
from typing import Any

from buddyhelps.document_commands import seed_demo_documents
from buddyhelps.local_stack import LocalStack, StackFailed
from buddyhelps.simulator.agent_transcriber import AgentTranscriber
from buddyhelps.simulator.call_result import CallResult, format_report
from buddyhelps.simulator.caller import CallOptions, run_call
from buddyhelps.simulator.kokoro_caller_voice import caller_voice_for
from buddyhelps.simulator.scenario import load_scenario
from shared.database import Database, open_database
from shared.demo_business import DEMO_BUSINESS_ID, DEMO_NUMBER, seed_demo_business
from shared.repositories import calls, operators
from shared.settings import Settings, load_settings

DEMO_OPERATOR = "demo@buddyhelps.local"
REPORT_WAIT_S = 60.0


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "demo", help="run a full simulated call end to end on this machine", description=__doc__
    )
    parser.add_argument("--scenario", default="plumbing-emergency", help="scenario name or path")
    parser.add_argument("--functions-port", type=int, default=8000)
    parser.add_argument("--worker-port", type=int, default=8001)
    parser.add_argument("--keep-running", action="store_true", help="leave the servers up for the browser")
    parser.set_defaults(func=_demo)


def _demo(args: argparse.Namespace) -> int:
    settings = load_settings(
        PUBLIC_BASE_URL=f"http://127.0.0.1:{args.functions_port}",
        DEFAULT_WORKER_URL=f"http://127.0.0.1:{args.worker_port}",
    )
    try:
        return asyncio.run(_run(settings, args))
    except StackFailed as error:
        print(f"\nThe local servers did not start: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _step(text: str) -> None:
    print(f"\n\033[1m== {text}\033[0m", flush=True)


async def _run(settings: Settings, args: argparse.Namespace) -> int:
    db = await open_database(settings.database_url, auth_token=settings.turso_auth_token)
    try:
        _step("1/5 Seeding the demo plumbing business")
        await seed_demo_business(db, worker_url=settings.default_worker_url, worker_capacity=settings.worker_capacity)
        documents = await seed_demo_documents(db, DEMO_BUSINESS_ID)  # what the agent answers questions from
        print(f"documents: {', '.join(d.title for d in documents) or 'already loaded'}")
        password = await _demo_operator(db, settings.data_dir)
        print(f"Demo Plumbing Co answers {DEMO_NUMBER}; database {settings.database_url}")
        _step("2/5 Starting the functions and the GPU worker on loopback (loading models)")
        env = {
            "PUBLIC_BASE_URL": settings.public_base_url,
            "DEFAULT_WORKER_URL": settings.default_worker_url,
            "BUDDYHELPS_DATA_DIR": str(settings.data_dir),
        }
        started = time.perf_counter()
        async with LocalStack(functions_port=args.functions_port, worker_port=args.worker_port, env=env) as stack:
            health = await stack.wait_ready(timeout_s=600.0)
            print(f"ready in {time.perf_counter() - started:.1f} s; models: {health.get('models')}")
            result = await _place_call(settings, stack, args.scenario)
            if result.failed:
                print(f"The call failed: {result.outcome} {result.detail}", file=sys.stderr)
                return 1
            await _show_outcome(db, settings, result.call_sid)
            _step("5/5 Operator console")
            print(f"{settings.public_base_url}/admin  —  log in as {DEMO_OPERATOR} / {password}")
            if args.keep_running:
                print("Servers keep running; press Ctrl-C to stop.")
                await asyncio.Event().wait()
        return 0
    finally:
        await db.close()


async def _place_call(settings: Settings, stack: LocalStack, scenario_name: str) -> CallResult:
    scenario = load_scenario(scenario_name)
    _step(f"3/5 Placing a simulated call: {scenario.name} (real time, about a minute)")
    print(scenario.description)
    options = CallOptions.from_settings(settings, functions_url=stack.functions_url)
    # The scenario's own caller voice: a Spanish scenario read by the English Piper voice is not Spanish speech.
    voice = caller_voice_for(scenario.voice, settings=settings, cache_dir=settings.data_dir / "caller-voice-cache")
    transcriber = AgentTranscriber(
        model_dir=settings.models_dir / "whisper-base", cpu_threads=settings.cpu_threads, language=scenario.language
    )
    result = await run_call(scenario=scenario, options=options, voice=voice, transcriber=transcriber)
    print(format_report(result))
    if result.wav_path:
        print(f"Both sides of the call, as heard on the line: {result.wav_path} (left caller, right agent)")
    return result


async def _show_outcome(db: Database, settings: Settings, call_sid: str) -> None:
    _step("4/5 What the plumber gets (the call report, extraction and notifications)")
    deadline = time.monotonic() + REPORT_WAIT_S
    call = await calls.get_call_by_sid(db, call_sid)
    rows: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        call = await calls.get_call_by_sid(db, call_sid)
        if call is not None and call.reported_at:
            rows = await db.fetch_all(
                "SELECT purpose, channel, recipient, subject, body, status FROM notifications WHERE call_id = ?"
                " ORDER BY created_at",
                (call.id,),
            )
            if len(rows) >= 3:
                break
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
