"""scripts/run_tests.sh: a run that collects no test must fail, never look green."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "run_tests.sh"


def run_tests(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(SCRIPT), *args, "-p", "no:cacheprovider", "-q"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_run_that_collects_nothing_fails(tmp_path: Path) -> None:
    # GIVEN a test folder with no tests in it (pytest itself exits 5)
    (tmp_path / "empty").mkdir()
    # WHEN the test script runs it
    result = run_tests(str(tmp_path / "empty"))
    # THEN it fails with exit 1 and says why
    assert result.returncode == 1
    assert "collected no tests (exit 5)" in result.stderr


@pytest.mark.parametrize(("body", "expected"), [("assert True", 0), ("assert False", 1)], ids=["passing", "failing"])
def test_passes_and_failures_keep_pytests_exit_code(tmp_path: Path, body: str, expected: int) -> None:
    # GIVEN one test that passes or fails
    (tmp_path / "test_one.py").write_text(f"def test_one():\n    {body}\n", encoding="utf-8")
    # WHEN the script runs it THEN its exit code is pytest's
    assert run_tests(str(tmp_path / "test_one.py")).returncode == expected
