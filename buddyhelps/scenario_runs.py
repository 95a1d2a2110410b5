"""Placing a scenario's call against the local stack, as `buddyhelps demo` and its `--tool-timings` do: to the
scenario's business, in its caller voice, through the simulated REST API, the agent transcribed."""

from __future__ import annotations

from dataclasses import replace

from buddyhelps.demo_services import CallTarget, DemoServices
from buddyhelps.local_stack import LocalStack
from buddyhelps.simulator.agent_transcriber import AgentTranscriber
from buddyhelps.simulator.call_result import CallResult
from buddyhelps.simulator.caller import CallOptions, run_call
from buddyhelps.simulator.kokoro_caller_voice import caller_voice_for
from buddyhelps.simulator.scenario import Scenario
from shared.settings import Settings


def stack_environment(settings: Settings, services_env: dict[str, str]) -> dict[str, str]:
    """What `buddyhelps serve` starts with: these settings' URLs and data folder, and the services' own."""
    return {
        "PUBLIC_BASE_URL": settings.public_base_url,
        "DEFAULT_WORKER_URL": settings.default_worker_url,
        "BUDDYHELPS_DATA_DIR": str(settings.data_dir),
        **services_env,
    }


def whisper_for(settings: Settings, language: str) -> AgentTranscriber:
    """Whisper base (multilingual) hearing the agent in the scenario's language."""
    return AgentTranscriber(
        model_dir=settings.models_dir / "whisper-base", cpu_threads=settings.cpu_threads, language=language
    )


async def place_scenario_call(
    settings: Settings,
    stack: LocalStack,
    scenario: Scenario,
    target: CallTarget,
    services: DemoServices,
    transcriber: AgentTranscriber,
) -> CallResult:
    options = replace(
        CallOptions.from_settings(settings, functions_url=stack.functions_url, to_number=target.number),
        dial_answer=target.dial_answer,
    )
    voice = caller_voice_for(scenario.voice, settings=settings, cache_dir=settings.data_dir / "caller-voice-cache")
    return await run_call(
        scenario=scenario, options=options, voice=voice, transcriber=transcriber, redirects=services.redirects
    )
