"""`buddyhelps call`: place one simulated phone call against a running BuddyHelps; `buddyhelps call place`
queues one real outbound call by an agent (buddyhelps/outbound_call_command.py)."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from buddyhelps import outbound_call_command
from buddyhelps.simulator.agent_transcriber import AgentTranscriber
from buddyhelps.simulator.call_result import format_report
from buddyhelps.simulator.caller import CallOptions, run_call
from buddyhelps.simulator.kokoro_caller_voice import caller_voice_for
from buddyhelps.simulator.scenario import ScenarioError, available_scenarios, load_scenario
from shared.demo_business import DEMO_NUMBER
from shared.settings import Settings, load_settings
from shared.structured_logging import configure_logging

logger = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    call = subparsers.add_parser(
        "call",
        help="place a simulated phone call (Twilio webhooks + media stream) against a running BuddyHelps",
        description=f"Shipped scenarios: {', '.join(available_scenarios())}.",
    )
    call.add_argument("--scenario", help="a shipped scenario name or a path to a TOML file (required)")
    call.add_argument("--functions-url", help="where the functions listen (default: PUBLIC_BASE_URL)")
    call.add_argument(
        "--to", help="the business number dialled (default: the scenario's [business] number, else the demo's)"
    )
    call.add_argument("--from", dest="from_number", default="+15555550123", help="the caller's number")
    call.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    call.add_argument("--no-transcribe", action="store_true", help="skip Whisper on the agent's audio")
    call.add_argument("--whisper-base", action="store_true", help="transcribe with whisper-base (not tiny.en)")
    call.add_argument("--artifacts-dir", type=Path, default=Path("artifacts/calls"), help="where WAVs go")
    call.set_defaults(func=_call)
    outbound_call_command.register(call.add_subparsers(dest="call_action", metavar="ACTION"))


def _call(args: argparse.Namespace) -> int:
    settings = load_settings()
    configure_logging(settings.log_level)
    if not args.scenario:
        print("call: --scenario is required (or `buddyhelps call place` for an outbound call)", file=sys.stderr)
        return 2
    try:
        scenario = load_scenario(args.scenario)
    except ScenarioError as error:
        print(f"call: {error}", file=sys.stderr)
        return 2
    business = scenario.business
    options = CallOptions.from_settings(
        settings,
        functions_url=args.functions_url,
        to_number=args.to or (business.number if business is not None else DEMO_NUMBER),
        from_number=args.from_number,
        artifacts_dir=args.artifacts_dir,
    )
    if business is not None:  # the person a transfer rings answers as the scenario says
        options = replace(options, dial_answer=business.dial_answer)
    voice = caller_voice_for(scenario.voice, settings=settings, cache_dir=settings.data_dir / "caller-voice-cache")
    transcriber = None
    if not args.no_transcribe:  # a Spanish agent needs the multilingual Whisper base to be heard
        base = args.whisper_base or scenario.language != "en"
        transcriber = _transcriber(settings, base=base, language=scenario.language)
    result = asyncio.run(run_call(scenario=scenario, options=options, voice=voice, transcriber=transcriber))
    print(json.dumps(result.to_dict()) if args.json else format_report(result))
    return 1 if result.failed else 0


def _transcriber(settings: Settings, *, base: bool, language: str = "en") -> AgentTranscriber | None:
    model_dir = settings.models_dir / ("whisper-base" if base else "whisper-tiny.en")
    try:
        return AgentTranscriber(model_dir=model_dir, cpu_threads=settings.cpu_threads, language=language)
    except FileNotFoundError as error:
        print(f"call: not transcribing the agent: {error}", file=sys.stderr)
        return None
