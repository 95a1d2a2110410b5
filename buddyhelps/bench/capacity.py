"""The load test's verdict: how many calls at once one worker serves within target, per CPU core.

The figure is written to `shared/measured_capacity.json`, which the worker reads at start-up for its
default capacity (shared/worker_capacity.py), so what the routing trusts is what was measured.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from shared.worker_capacity import MEASURED_CAPACITY_FILE

P95_TARGET_MS = 3000.0


def calls_within_target(levels: Mapping[int, Mapping[str, Any]], *, p95_target_ms: float = P95_TARGET_MS) -> int:
    """The most calls at once such that it and every smaller level measured met the target.

    A level meets it when voice-to-voice p95 ≤ target, no inbound frame was lost or dropped and
    every call connected. Measured levels only: nothing is extrapolated (0 if even one call fails).
    """
    best = 0
    for calls in sorted(levels):
        level = levels[calls]
        p95 = level["voice_to_voice_ms"]["p95"]
        frames = level.get("frames", {})
        ok = (
            p95 is not None
            and p95 <= p95_target_ms
            and frames.get("lost", 0) + frames.get("dropped_by_worker", 0) == 0
            and not level.get("failed_calls", 0)
        )
        if not ok:
            break
        best = calls
    return best


def capacity_record(
    levels: Mapping[int, Mapping[str, Any]], *, cores: int, measured: str, p95_target_ms: float = P95_TARGET_MS
) -> dict[str, Any]:
    calls = calls_within_target(levels, p95_target_ms=p95_target_ms)
    return {
        # Never advertise zero: a worker that met no level still takes one call (and says so here).
        "calls_per_core": round(max(calls, 1) / cores, 3),
        "cores": cores,
        "calls_within_target": calls,
        "p95_target_ms": p95_target_ms,
        "levels": {str(n): levels[n]["voice_to_voice_ms"]["p95"] for n in sorted(levels)},
        "measured": measured,
    }


def write_capacity(record: dict[str, Any], *, device: str = "cpu", path: Path = MEASURED_CAPACITY_FILE) -> None:
    """Replace this device's entry, keeping the others (a GPU run never overwrites the CPU figure)."""
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = {}
    data[device] = record
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
