"""`buddyhelps campaign create|place|results` against a temp data dir: numbers checked and explained, an
inbound agent refused, results as CSV."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from buddyhelps.cli import main as cli
from buddyhelps.outbound_commands import parse_hours
from shared.outbound.calling_rules import CallingHours
from shared.outbound.csv_numbers import read_numbers
from tests.buddyhelps.test_data_commands import data_dir

__all__ = ["data_dir"]


def _business(capsys: pytest.CaptureFixture[str], template: str) -> str:
    args = ["business", "add", "--name", "FitFinder", "--owner-phone", "+12125550100", "--template", template]
    assert cli(args) == 0
    return capsys.readouterr().out.split("created business ", 1)[1].split()[0]


def test_hours_and_number_lists_are_read_as_people_write_them() -> None:
    assert parse_hours("09:30-18:00") == CallingHours(570, 1080)
    with pytest.raises(ValueError, match="HH:MM-HH:MM"):
        parse_hours("9am to 6pm")
    with pytest.raises(ValueError, match="start must come before"):
        parse_hours("18:00-09:00")
    assert read_numbers("number,label\n+12125550101,Iron Works\n\n(212) 555-0102\n") == [
        ("+12125550101", "Iron Works"),
        ("(212) 555-0102", ""),
    ]


def test_a_gym_list_is_queued_and_its_results_come_back_as_csv(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN a business whose agent is the gym survey, and a list with one bad line
    business = _business(capsys, "gym_information")
    numbers = tmp_path / "gyms.csv"
    numbers.write_text("number,label\n+12125550101,Iron Works\nnot a number,Typo Gym\n", encoding="utf-8")
    # WHEN the list is queued
    assert cli(["campaign", "create", "--business", business, "--numbers", str(numbers)]) == 0
    out = capsys.readouterr()
    campaign = out.out.split("campaign ", 1)[1].split(":")[0]
    # THEN the good number is queued and the bad line is named with why
    assert "1 number(s) queued" in out.out
    assert "'not a number'" in out.err
    # AND the results CSV has a row for it, not yet called, with every field of the definition
    assert cli(["campaign", "results", "--campaign", campaign]) == 0
    [row] = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert (row["number"], row["label"], row["job_status"]) == ("+12125550101", "Iron Works", "queued")
    assert row["day_pass_price_status"] == "missing"


def test_an_inbound_agent_cannot_run_a_campaign(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    business = _business(capsys, "plumbing")
    assert cli(["campaign", "place", "--business", business, "--to", "+12125550101"]) == 2
    assert "inbound agent" in capsys.readouterr().err


def test_a_campaign_given_an_outbound_agent_runs_it_for_a_business_with_an_inbound_one(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN a plumbing business WHEN it queues a gym survey campaign with --agent
    business = _business(capsys, "plumbing")
    numbers = tmp_path / "gyms.csv"
    numbers.write_text("+12125550101,Iron Works\n", encoding="utf-8")
    assert (
        cli(["campaign", "create", "--business", business, "--numbers", str(numbers), "--agent", "gym_information"])
        == 0
    )
    campaign = capsys.readouterr().out.split("campaign ", 1)[1].split(":")[0]
    # THEN its results have the survey's columns, not the receptionist's
    assert cli(["campaign", "results", "--campaign", campaign]) == 0
    [row] = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert row["day_pass_price_status"] == "missing"
    assert "problem" not in row
