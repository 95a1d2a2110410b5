"""The soak's figures: the RSS slope it reports, and what counts as passing."""

from __future__ import annotations

from typing import Any

import pytest

from buddyhelps.soak import _passed
from buddyhelps.soak_stack import slope


def test_the_rss_slope_is_megabytes_per_call() -> None:
    # GIVEN RSS samples growing 2 MB per call with noise around the line
    samples = [1000.0, 1002.5, 1003.5, 1006.0, 1008.0]
    # THEN the slope is the least-squares 2 MB per call
    assert slope(samples) == pytest.approx(1.95)
    assert slope([1000.0, 1000.0, 1000.0]) == 0
    assert slope([1000.0]) is None


def _report(**soak: Any) -> dict[str, Any]:
    figures = {"errors": 0, "reports_lost": 0, "frames_dropped": 0, **soak}
    faults = {"worker_killed_mid_call": {"passed": True}, "database_down_at_incoming_call": {"passed": None}}
    return {"soak": figures, "faults": faults}


@pytest.mark.parametrize("failure", [{"errors": 1}, {"reports_lost": 1}, {"frames_dropped": 3}])
def test_any_error_lost_report_or_dropped_frame_fails_the_soak(failure: dict[str, int]) -> None:
    assert _passed(_report())
    assert not _passed(_report(**failure))


def test_a_failed_fault_fails_the_soak() -> None:
    report = _report()
    report["faults"]["worker_killed_mid_call"]["passed"] = False
    assert not _passed(report)
