"""The caller simulator: places calls against BuddyHelps exactly as Twilio would."""

from buddyhelps.simulator.call_result import CallResult, format_report
from buddyhelps.simulator.caller import CallOptions, run_call
from buddyhelps.simulator.caller_voice import CallerVoice, PiperCallerVoice
from buddyhelps.simulator.scenario import Scenario, ScenarioError, available_scenarios, load_scenario

__all__ = [
    "CallOptions",
    "CallResult",
    "CallerVoice",
    "PiperCallerVoice",
    "Scenario",
    "ScenarioError",
    "available_scenarios",
    "format_report",
    "load_scenario",
    "run_call",
]
