"""Caller scenarios: what the simulated caller says and does, read from TOML files.

A scenario is a list of caller lines. Each line may wait for the agent to finish speaking, pause,
press DTMF digits, speak, barge in over the agent's next reply, or hang up part-way through it.
Shipped scenarios live in `scenarios/*.toml` next to this module; any path to a TOML file works too.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from buddyhelps.simulator.scenario_business import ScenarioBusiness, ScenarioExpect, parse_business, parse_expect
from buddyhelps.simulator.scenario_fields import ScenarioError, refuse_unknown_keys, string

__all__ = ["CallerLine", "Scenario", "ScenarioError", "available_scenarios", "load_scenario", "parse_scenario"]

SCENARIO_DIR = Path(__file__).resolve().parent / "scenarios"
DTMF_DIGITS = frozenset("0123456789*#")
MAX_CALL_S = 1800.0

_LINE_KEYS = frozenset({"text", "pause_before_s", "wait_for_agent", "barge_in_after_s", "dtmf", "hangup_after_s"})
_SCENARIO_KEYS = frozenset(
    {
        "name",
        "description",
        "max_duration_s",
        "linger_s",
        "agent_reply_timeout_s",
        "lines",
        "voice",
        "language",
        "business",
        "expect",
    }
)
# The caller's voice: "" is Piper's joe; "kokoro:NAME" a Kokoro voice the agent never uses (em_santa...).
_VOICE = re.compile(r"^(|piper:joe|kokoro:[a-z]{2}_[a-z0-9]+)$")


@dataclass(frozen=True, kw_only=True)
class CallerLine:
    text: str = ""
    pause_before_s: float = 0.0
    # Wait until the agent has replied and gone quiet before this line.
    wait_for_agent: bool = True
    # Speak this long after the agent starts its next reply (over it), instead of waiting for it to end.
    barge_in_after_s: float | None = None
    dtmf: str = ""
    # After this line, hang up this long after the agent starts its next reply.
    hangup_after_s: float | None = None


@dataclass(frozen=True, kw_only=True)
class Scenario:
    name: str
    description: str = ""
    lines: tuple[CallerLine, ...] = ()
    max_duration_s: float = 120.0
    # After the last line: how long to wait for the agent to end the call before hanging up.
    linger_s: float = 20.0
    # How long a `wait_for_agent` waits for any reply before going on regardless.
    agent_reply_timeout_s: float = 20.0
    voice: str = ""  # see _VOICE
    language: str = "en"  # the language the caller speaks (what the agent should answer in)
    business: ScenarioBusiness | None = None  # None: the demo plumbing business
    expect: ScenarioExpect = field(default_factory=ScenarioExpect)

    @property
    def spoken_texts(self) -> tuple[str, ...]:
        return tuple(line.text for line in self.lines if line.text)


def available_scenarios() -> list[str]:
    return sorted(path.stem for path in SCENARIO_DIR.glob("*.toml"))


def load_scenario(name_or_path: str | Path) -> Scenario:
    """Load a shipped scenario by name (`plumbing-emergency`) or any TOML file by path."""
    path = Path(name_or_path)
    if not path.is_file():
        path = SCENARIO_DIR / f"{str(name_or_path).replace('_', '-')}.toml"
    if not path.is_file():
        known = ", ".join(available_scenarios())
        raise ScenarioError(f"no scenario {str(name_or_path)!r} (shipped: {known})")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError(f"{path}: not valid TOML: {error}") from error
    return parse_scenario(data, source=str(path), default_name=path.stem)


def parse_scenario(data: Mapping[str, Any], *, source: str, default_name: str = "scenario") -> Scenario:
    refuse_unknown_keys(data, _SCENARIO_KEYS, where=source)
    raw_lines = data.get("lines", [])
    if not isinstance(raw_lines, list):
        raise ScenarioError(f"{source}: 'lines' must be an array of tables ([[lines]])")
    lines = tuple(_parse_line(raw, where=f"{source}: line {index + 1}") for index, raw in enumerate(raw_lines))
    for index, line in enumerate(lines[:-1]):
        if line.hangup_after_s is not None:
            raise ScenarioError(f"{source}: line {index + 1}: hangup_after_s is only allowed on the last line")
    name = string(data, "name", default_name, where=source)
    scenario = Scenario(
        name=name,
        description=string(data, "description", "", where=source),
        lines=lines,
        max_duration_s=_seconds(data, "max_duration_s", 120.0, where=source),
        linger_s=_seconds(data, "linger_s", 20.0, where=source),
        agent_reply_timeout_s=_seconds(data, "agent_reply_timeout_s", 20.0, where=source),
        voice=string(data, "voice", "", where=source),
        language=string(data, "language", "en", where=source),
        business=parse_business(data.get("business"), source=source, scenario_name=name),
        expect=parse_expect(data.get("expect"), source=source),
    )
    if not _VOICE.match(scenario.voice):
        raise ScenarioError(f"{source}: voice must be empty, 'piper:joe' or 'kokoro:VOICE' (e.g. kokoro:em_santa)")
    if not 0 < scenario.max_duration_s <= MAX_CALL_S:
        raise ScenarioError(f"{source}: max_duration_s must be in (0, {MAX_CALL_S:.0f}]")
    return scenario


def _parse_line(raw: object, *, where: str) -> CallerLine:
    if not isinstance(raw, dict):
        raise ScenarioError(f"{where}: must be a table with at least 'text'")
    refuse_unknown_keys(raw, _LINE_KEYS, where=where)
    wait = raw.get("wait_for_agent", True)
    if not isinstance(wait, bool):
        raise ScenarioError(f"{where}: wait_for_agent must be true or false")
    line = CallerLine(
        text=string(raw, "text", "", where=where).strip(),
        pause_before_s=_seconds(raw, "pause_before_s", 0.0, where=where),
        wait_for_agent=wait,
        barge_in_after_s=_optional_seconds(raw, "barge_in_after_s", where=where),
        dtmf=string(raw, "dtmf", "", where=where),
        hangup_after_s=_optional_seconds(raw, "hangup_after_s", where=where),
    )
    if bad := sorted(set(line.dtmf) - DTMF_DIGITS):
        raise ScenarioError(f"{where}: dtmf may only hold 0-9, * and #, not {''.join(bad)!r}")
    if not (line.text or line.dtmf or line.hangup_after_s is not None):
        raise ScenarioError(f"{where}: a line needs text, dtmf or hangup_after_s")
    if line.barge_in_after_s is not None and not line.text:
        raise ScenarioError(f"{where}: barge_in_after_s needs text to barge in with")
    return line


def _seconds(data: Mapping[str, Any], key: str, default: float, *, where: str) -> float:
    value = _optional_seconds(data, key, where=where)
    return default if value is None else value


def _optional_seconds(data: Mapping[str, Any], key: str, *, where: str) -> float | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ScenarioError(f"{where}: {key} must be a number of seconds")
    if value < 0:
        raise ScenarioError(f"{where}: {key} must not be negative")
    return float(value)
