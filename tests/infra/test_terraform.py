"""The Terraform edge: formatted, valid, and its `terraform test` suite (mocked AWS provider) passes.

Runs offline through scripts/terraform_offline.sh, which points Terraform at the local provider
mirror. Skipped, with the reason, where terraform or the mirror is missing.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "terraform_offline.sh"
UNAVAILABLE = 3


def terraform(*args: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(SCRIPT), *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture(scope="module")
def initialised() -> None:
    check = terraform("--check")
    if check.returncode == UNAVAILABLE:
        pytest.skip(f"terraform cannot run offline here: {check.stderr.strip()}")
    assert check.returncode == 0, check.stderr
    init = terraform("init", "-backend=false", "-input=false", "-no-color")
    assert init.returncode == 0, init.stdout + init.stderr


def test_given_the_module_when_formatting_is_checked_then_nothing_needs_rewriting(initialised: None) -> None:
    result = terraform("fmt", "-check", "-recursive", "-no-color")
    assert result.returncode == 0, f"files need `terraform fmt`: {result.stdout}{result.stderr}"


def test_given_the_module_when_validated_then_it_is_valid(initialised: None) -> None:
    result = terraform("validate", "-no-color")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "The configuration is valid" in result.stdout


def test_given_a_mocked_aws_when_terraform_test_runs_then_every_run_passes(initialised: None) -> None:
    result = terraform("test", "-no-color")
    assert result.returncode == 0, result.stdout + result.stderr
    summary = [line for line in result.stdout.splitlines() if "passed" in line][-1]
    assert " 0 failed" in summary, summary
    passed = int(summary.split(" passed")[0].split()[-1])
    assert passed >= 10, f"expected the whole suite to run: {summary}"
