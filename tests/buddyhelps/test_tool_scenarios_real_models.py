"""A tool scenario through `buddyhelps demo` with the real CPU models (slow: several minutes on 2 cores).

GIVEN the answered-transfer scenario's front desk (made from its template, open at the time of the call) and
`buddyhelps serve` with the real models, WHEN the demo places the call, THEN the agent's transfer tool redirects
the live call through the simulated REST API, Dana's phone is rung and answers, and the demo's end check finds
what the scenario expects (the transfer tool, "connect you to Dana" heard, the dial completed, the call transferred).
`buddyhelps demo --tool-timings --runs 1` runs all six tool scenarios the same way (about 15 minutes).
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from buddyhelps.cli import main as cli
from gpu_worker.models.model_files import ModelFilesMissing, model_path
from shared.settings import load_settings

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_an_answered_transfer_through_the_demo_does_what_the_scenario_expects(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BUDDYHELPS_DATA_DIR", str(tmp_path / "data"))
    try:
        model_path(load_settings(), "whisper-base")
    except ModelFilesMissing as error:
        pytest.skip(f"models not prepared: {error}")
    ports = [str(_free_port()) for _ in range(3)]
    # WHEN the demo calls the front desk and asks for Dana
    scenario = ["--scenario", "front-desk-transfer-answered"]
    code = cli(["demo", *scenario, "--functions-port", ports[0], "--worker-port", ports[1], "--twilio-port", ports[2]])
    out, err = capsys.readouterr()
    # THEN the end check found the transfer the scenario expects (it prints what was missing otherwise)
    assert code == 0, err[-3000:]
    assert "The call did what the scenario expects." in out
    assert "outcome transferred" in out
