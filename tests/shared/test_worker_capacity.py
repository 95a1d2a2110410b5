"""The worker's default capacity comes from the load test's measured calls per core."""

from __future__ import annotations

import json
from pathlib import Path

from shared.settings import load_settings
from shared.worker_capacity import MEASURED_CAPACITY_FILE, default_worker_capacity


def _measured(tmp_path: Path, calls_per_core: object) -> Path:
    path = tmp_path / "measured_capacity.json"
    path.write_text(json.dumps({"cpu": {"calls_per_core": calls_per_core}}), encoding="utf-8")
    return path


def test_given_a_measured_figure_per_core_then_capacity_scales_with_the_cores(tmp_path: Path) -> None:
    # GIVEN the load test measured 0.75 calls per core within target
    path = _measured(tmp_path, 0.75)
    # WHEN workers on 2, 4 and 16 cores start THEN each advertises what its cores serve well, at least one
    assert [default_worker_capacity(cores, path) for cores in (1, 2, 4, 16)] == [1, 1, 3, 12]


def test_given_no_usable_figure_then_one_call_per_core(tmp_path: Path) -> None:
    # GIVEN a missing file, a broken file and a non-positive figure
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    paths = [tmp_path / "missing.json", broken, _measured(tmp_path, 0), _measured(tmp_path, "many")]
    # WHEN the default is computed THEN it falls back to one call per core instead of failing start-up
    assert [default_worker_capacity(4, path) for path in paths] == [4, 4, 4, 4]


def test_settings_default_is_the_shipped_measurement_and_the_variable_still_wins() -> None:
    # GIVEN the figure `make bench` shipped with the package
    shipped = json.loads(MEASURED_CAPACITY_FILE.read_text(encoding="utf-8"))["cpu"]["calls_per_core"]
    assert shipped > 0
    # WHEN settings are built without and with WORKER_CAPACITY
    # THEN the default follows the measurement, and an operator's value overrides it
    assert load_settings().worker_capacity == default_worker_capacity()
    assert load_settings(WORKER_CAPACITY=7).worker_capacity == 7
