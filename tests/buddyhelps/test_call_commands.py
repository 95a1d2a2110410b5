"""`buddyhelps call` at the command line."""

from __future__ import annotations

import pytest

from buddyhelps.cli import main


def test_call_is_a_registered_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["call", "--help"])
    out = capsys.readouterr().out
    assert "--scenario" in out
    assert "emergency" in out  # the shipped scenarios are listed (argparse may wrap at hyphens)


def test_an_unknown_scenario_exits_2_and_says_which_exist(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["call", "--scenario", "no-such-thing", "--no-transcribe"]) == 2
    assert "routine-booking" in capsys.readouterr().err


def test_unreachable_functions_exit_1_with_json(capsys: pytest.CaptureFixture[str]) -> None:
    # GIVEN no BuddyHelps listening WHEN a call is placed with --json
    code = main(
        ["call", "--scenario", "silent-caller", "--functions-url", "http://127.0.0.1:9", "--json", "--no-transcribe"]
    )
    # THEN the JSON says the webhook failed and the exit status is 1
    assert code == 1
    assert '"outcome": "webhook_failed"' in capsys.readouterr().out
