"""The load test's capacity: the most calls at once that met the target, per core, written for the worker."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from buddyhelps.bench.capacity import calls_within_target, capacity_record, write_capacity
from shared.worker_capacity import default_worker_capacity


def _level(p95: float | None, *, lost: int = 0, failed: int = 0) -> dict[str, Any]:
    return {"voice_to_voice_ms": {"p95": p95}, "frames": {"lost": lost, "dropped_by_worker": 0}, "failed_calls": failed}


def test_capacity_is_the_largest_level_that_met_the_target_with_every_smaller_one() -> None:
    # GIVEN 1 and 2 calls at once within 3 s at p95, and 4 at once far over
    levels = {1: _level(1600), 2: _level(2840), 4: _level(12600)}
    # THEN two calls at once is the measured capacity
    assert calls_within_target(levels) == 2
    # AND a level that lost frames or a call does not count, nor any level above it
    assert calls_within_target({1: _level(1600), 2: _level(2000, lost=3), 4: _level(2500)}) == 1
    assert calls_within_target({1: _level(1600, failed=1)}) == 0


def test_the_record_written_is_what_the_worker_reads(tmp_path: Path) -> None:
    # GIVEN a measured record on 2 cores, and a file that already holds a GPU entry
    path = tmp_path / "measured_capacity.json"
    path.write_text(json.dumps({"cuda": {"calls_within_target": 32}}), encoding="utf-8")
    record = capacity_record({1: _level(1600), 2: _level(2840), 4: _level(12600)}, cores=2, measured="test")
    # WHEN the bench writes it
    write_capacity(record, device="cpu", path=path)
    # THEN the CPU entry is replaced, the GPU one kept, and a worker on 8 cores defaults to 8 calls
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["cuda"] == {"calls_within_target": 32}
    assert data["cpu"]["calls_per_core"] == 1.0
    assert data["cpu"]["levels"] == {"1": 1600, "2": 2840, "4": 12600}
    assert default_worker_capacity(8, path) == 8


def test_a_worker_that_met_no_level_still_advertises_one_call() -> None:
    record = capacity_record({1: _level(9000)}, cores=2, measured="test")
    assert record["calls_within_target"] == 0
    assert record["calls_per_core"] == 0.5
