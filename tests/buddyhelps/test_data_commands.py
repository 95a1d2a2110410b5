"""The data CLI (`buddyhelps db|business|number|prompt|keyword|seed-demo`) against a temp data dir."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from buddyhelps.cli import main as cli
from shared.database import bundled_migrations, open_database
from shared.demo_business import DEMO_BUSINESS_ID, DEMO_CORRECTIONS, DEMO_NUMBER
from shared.settings import load_settings


@pytest.fixture
def data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("BUDDYHELPS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("TURSO_DATABASE_URL", raising=False)
    monkeypatch.setenv("BUDDYHELPS_ENV", "development")
    return tmp_path / "data"


def query(sql: str, args: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    async def run() -> list[dict[str, Any]]:
        db = await open_database(load_settings().database_url)
        try:
            return await db.fetch_all(sql, args)
        finally:
            await db.close()

    return asyncio.run(run())


def add_business(capsys: pytest.CaptureFixture[str], name: str = "Acme Plumbing") -> str:
    assert cli(["business", "add", "--name", name, "--owner-phone", "(555) 010-9999"]) == 0
    out = capsys.readouterr().out
    return out.split("created business ", 1)[1].split()[0]


def test_db_migrate_reports_the_schema_version(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # GIVEN an empty data dir WHEN the database is migrated THEN the file exists at the newest version
    assert cli(["db", "migrate"]) == 0
    assert f"schema version {max(v for v, _, _ in bundled_migrations())}" in capsys.readouterr().out
    assert (data_dir / "buddyhelps.db").is_file()


def test_seed_demo_twice_leaves_one_demo_business(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # GIVEN a fresh data dir
    # WHEN seed-demo runs twice
    assert cli(["seed-demo", "--worker-url", "http://127.0.0.1:8001"]) == 0
    assert cli(["seed-demo", "--worker-url", "http://127.0.0.1:8001"]) == 0
    # THEN it says what it made, and everything exists exactly once
    assert f"answers {DEMO_NUMBER}" in capsys.readouterr().out
    assert query("SELECT id FROM businesses") == [{"id": DEMO_BUSINESS_ID}]
    assert query("SELECT e164, mode FROM phone_numbers") == [{"e164": DEMO_NUMBER, "mode": "demo"}]
    assert query("SELECT mode, version FROM prompts ORDER BY mode") == [
        {"mode": "demo", "version": 1},
        {"mode": "live", "version": 1},
    ]
    assert query("SELECT COUNT(*) AS n FROM keyword_corrections") == [{"n": len(DEMO_CORRECTIONS)}]
    assert query("SELECT base_url FROM workers") == [{"base_url": "http://127.0.0.1:8001"}]


def test_business_add_stores_the_owner_phone_as_e164(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # GIVEN an owner phone typed with punctuation WHEN the business is added THEN it is stored as E.164 and listed
    business_id = add_business(capsys)
    assert cli(["business", "list"]) == 0
    assert capsys.readouterr().out.strip() == f"{business_id}\tAcme Plumbing\t+15550109999\tenabled"


def test_business_add_with_a_bad_phone_fails_clearly(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # GIVEN an owner phone that is not a number WHEN added THEN exit 1 with the reason, and nothing stored
    assert cli(["business", "add", "--name", "Acme", "--owner-phone", "call me"]) == 1
    assert "error: phone number has characters other than digits" in capsys.readouterr().err
    assert query("SELECT COUNT(*) AS n FROM businesses") == [{"n": 0}]


def test_number_add_routes_a_normalised_number(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # GIVEN a business WHEN a number is added in local format THEN it is stored as E.164 for that business
    business_id = add_business(capsys)
    assert cli(["number", "add", "(555) 010-0002", "--business", business_id, "--mode", "demo"]) == 0
    assert "+15550100002" in capsys.readouterr().out
    assert query("SELECT e164, business_id, mode FROM phone_numbers") == [
        {"e164": "+15550100002", "business_id": business_id, "mode": "demo"}
    ]


@pytest.mark.parametrize(
    ("number", "message"),
    [("+1555abc", "characters other than digits"), ("12345", "country code"), ("+0555010000", "not a valid E.164")],
)
def test_number_add_refuses_a_bad_number(
    data_dir: Path, capsys: pytest.CaptureFixture[str], number: str, message: str
) -> None:
    # GIVEN a business WHEN a bad number is added THEN exit 1 with a clear message, nothing stored
    business_id = add_business(capsys)
    assert cli(["number", "add", number, "--business", business_id]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ")
    assert message in err
    assert "Traceback" not in err
    assert query("SELECT COUNT(*) AS n FROM phone_numbers") == [{"n": 0}]


def test_number_add_refuses_a_duplicate_and_an_unknown_business(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN a registered number
    business_id = add_business(capsys)
    assert cli(["number", "add", "+15550100002", "--business", business_id]) == 0
    capsys.readouterr()
    # WHEN it is added again (in another format) THEN exit 1 saying it is registered
    assert cli(["number", "add", "555-010-0002", "--business", business_id]) == 1
    assert "error: +15550100002 is already registered" in capsys.readouterr().err
    # WHEN a number is added for a business that does not exist THEN exit 1 naming it
    assert cli(["number", "add", "+15550100003", "--business", "biz_nope"]) == 1
    assert "no business with id 'biz_nope'" in capsys.readouterr().err


def test_prompt_set_stores_versions_and_keeps_the_greeting(
    data_dir: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # GIVEN a business
    business_id = add_business(capsys)
    # WHEN a first prompt has no greeting THEN it is refused with the reason
    assert cli(["prompt", "set", "--business", business_id, "--text", "Be kind."]) == 1
    assert "the greeting is empty" in capsys.readouterr().err
    # WHEN a prompt with a greeting, then one from a file without a greeting, are set
    assert cli(["prompt", "set", "--business", business_id, "--text", "Be kind.", "--greeting", "Hi!"]) == 0
    prompt_file = tmp_path / "prompt.txt"
    prompt_file.write_text("Be brief.\n", encoding="utf-8")
    assert cli(["prompt", "set", "--business", business_id, "--file", str(prompt_file)]) == 0
    # THEN they are versions 1 and 2, and version 2 kept the greeting
    assert "is now version 2" in capsys.readouterr().out.splitlines()[-1]
    assert query("SELECT version, system_prompt, greeting FROM prompts ORDER BY version") == [
        {"version": 1, "system_prompt": "Be kind.", "greeting": "Hi!"},
        {"version": 2, "system_prompt": "Be brief.", "greeting": "Hi!"},
    ]


def test_keyword_add_and_its_duplicate(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # GIVEN a business
    business_id = add_business(capsys)
    # WHEN a global and a business correction are added THEN both are stored with their scope
    assert cli(["keyword", "add", "quogged", "clogged"]) == 0
    assert cli(["keyword", "add", "leek", "leak", "--business", business_id]) == 0
    assert "for all businesses" in capsys.readouterr().out
    assert query("SELECT heard, business_id FROM keyword_corrections ORDER BY heard") == [
        {"heard": "leek", "business_id": business_id},
        {"heard": "quogged", "business_id": None},
    ]
    # WHEN the same word is added again in the same scope THEN exit 1 with a clear message, no traceback
    assert cli(["keyword", "add", "Quogged", "clogged"]) == 1
    err = capsys.readouterr().err
    assert "error: a correction for 'Quogged' already exists" in err
    assert "Traceback" not in err
    # WHEN a correction is the same as the word THEN it is refused too
    assert cli(["keyword", "add", "leak", "Leak"]) == 1
    assert "same as the misheard text" in capsys.readouterr().err


@pytest.mark.parametrize(
    "command",
    [
        ["db", "migrate"],
        ["business", "add"],
        ["business", "list"],
        ["number", "add"],
        ["prompt", "set"],
        ["keyword", "add"],
        ["seed-demo"],
        ["serve"],
    ],
    ids=lambda c: " ".join(c),
)
def test_every_data_command_has_help(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    # GIVEN a command WHEN asked for --help THEN it prints usage and exits 0
    with pytest.raises(SystemExit) as exited:
        cli([*command, "--help"])
    assert exited.value.code == 0
    assert "usage: buddyhelps" in capsys.readouterr().out
