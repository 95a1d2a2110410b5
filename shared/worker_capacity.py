"""The worker's default capacity (calls at once), from the load test `make bench` measured.

`make bench` places 1, 2 and 4 simulated calls at once and records in `measured_capacity.json` (next
to this module, shipped with the package) how many calls per CPU core still met the voice-to-voice
p95 target with no frame lost. A worker that is not told `WORKER_CAPACITY` advertises that figure
times its own cores, so the routing never sends it more calls than it was measured to serve well.
GPU workers set `WORKER_CAPACITY` from `make bench-gpu` (a GPU's capacity is not a per-core figure).
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

MEASURED_CAPACITY_FILE = Path(__file__).resolve().parent / "measured_capacity.json"
FALLBACK_CALLS_PER_CORE = 1.0  # used only when the file is missing or unreadable


def measured_calls_per_core(path: Path = MEASURED_CAPACITY_FILE) -> float:
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        value = float(data["cpu"]["calls_per_core"])
    except (OSError, ValueError, KeyError, TypeError):
        return FALLBACK_CALLS_PER_CORE
    return value if value > 0 else FALLBACK_CALLS_PER_CORE


def default_worker_capacity(cores: int | None = None, path: Path = MEASURED_CAPACITY_FILE) -> int:
    """Measured calls per core × this machine's cores, rounded down, at least one call."""
    cores = cores or os.cpu_count() or 1
    return max(1, math.floor(measured_calls_per_core(path) * cores + 1e-9))
